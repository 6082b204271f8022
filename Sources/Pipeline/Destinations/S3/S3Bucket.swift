import Foundation
import HTTP

/// Signed, path-style requests to one bucket (`<endpoint>/<bucket>/<key>`) through the node's HTTP client.
/// Loop-bound like the client.
struct S3Bucket: Sendable {
    let settings: S3Destination.Settings
    let http: HTTPClient
    private let signer: SigV4Signer

    init(settings: S3Destination.Settings, http: HTTPClient) {
        self.settings = settings
        self.http = http
        signer = SigV4Signer(accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey,
                             region: settings.region, service: "s3")
    }

    /// Stores `object` (S3 PutObject).
    func put(_ object: S3Object, readTimeout: UInt64? = nil) async throws(S3Error) {
        try await send("PUT", key: object.key, body: object.body, payloadHash: object.payloadHash,
                       extraHeaders: [("Content-Type", object.contentType)], readTimeout: readTimeout)
    }

    /// Removes `key` (S3 DeleteObject); S3 answers 204 whether or not it existed.
    func delete(key: String, readTimeout: UInt64? = nil) async throws(S3Error) {
        try await send("DELETE", key: key, body: [], payloadHash: SigV4Signer.hexSHA256([]), extraHeaders: [], readTimeout: readTimeout)
    }

    private func send(_ method: String, key: String, body: [UInt8], payloadHash: String,
                      extraHeaders: [(name: String, value: String)], readTimeout: UInt64?) async throws(S3Error) {
        let base = settings.endpoint.target.hasSuffix("/") ? String(settings.endpoint.target.dropLast()) : settings.endpoint.target
        let path = SigV4Signer.encodePath("\(base)/\(settings.bucket)/\(key)")
        let amzDate = SigV4Signer.amzDate(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let signed = [
            (name: "Host", value: settings.endpoint.authority),
            (name: "X-Amz-Date", value: amzDate),
            (name: "X-Amz-Content-SHA256", value: payloadHash),
        ] + extraHeaders
        var headers = HTTPHeaders()
        for header in signed { headers.add(header.name, header.value) }
        headers.add("Authorization", signer.authorization(method: method, path: path, headers: signed, payloadHash: payloadHash, amzDate: amzDate))
        let request = HTTPRequest(method: HTTPMethod(method), target: path, headers: headers, body: body)
        let response: HTTPResponse
        do {
            response = try await http.execute(request, host: settings.endpoint.host, port: settings.endpoint.port, readTimeout: readTimeout)
        } catch {
            throw .unreachable("\(error)")
        }
        guard (200..<300).contains(response.status.code) else { throw S3Error(response: response) }
    }
}
