import Foundation
import HTTP

/// Signed, path-style requests to one bucket (`<endpoint>/<bucket>/<key>`) through the node's HTTP client: the S3
/// destination and the connectors' S3 sink both write through it. Loop-bound like the client.
public struct S3Bucket: Sendable {
    let endpoint: HTTPURL
    public let name: String
    let http: HTTPClient
    private let signer: SigV4Signer

    /// - Parameters:
    ///   - endpoint: from `S3Bucket.endpoint(parsing:)`.
    ///   - name: the bucket, addressed path-style, which S3-compatible servers (MinIO, Ceph, moto) accept.
    ///   - region: part of every signature's scope.
    public init(endpoint: HTTPURL, name: String, region: String, accessKeyID: String, secretAccessKey: String, http: HTTPClient) {
        self.endpoint = endpoint
        self.name = name
        self.http = http
        signer = SigV4Signer(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: region, service: "s3")
    }

    /// An endpoint as configured: an `http://` URL (the node's HTTP client has no TLS) without a query, since the
    /// bucket and key are appended to its path.
    public static func endpoint(parsing text: String) throws(HTTPURLError) -> HTTPURL {
        let url = try HTTPURL(parsing: text)
        guard !url.target.contains("?") else { throw .malformed(text, reason: "an S3 endpoint must not have a query") }
        return url
    }

    /// Stores `object` whole: one PutObject, or a multipart upload when it has several parts, aborted if any step
    /// fails, so a failure never leaves a partial object (S3 shows none until the upload completes).
    public func store(_ object: S3Object, readTimeout: UInt64? = nil) async throws(S3Error) {
        if object.parts.count == 1 {
            let part = object.parts[0]
            try await send("PUT", key: object.key, body: part.body, payloadHash: part.payloadHash,
                           extraHeaders: [("Content-Type", object.contentType)], readTimeout: readTimeout)
        } else {
            try await uploadInParts(object)
        }
    }

    /// Removes `key` (S3 DeleteObject); S3 answers 204 whether or not it existed.
    func delete(key: String, readTimeout: UInt64? = nil) async throws(S3Error) {
        try await send("DELETE", key: key, readTimeout: readTimeout)
    }

    /// Sends one signed request and returns its 2xx response; any other answer throws S3's error.
    @discardableResult
    func send(_ method: String, key: String, query: [(name: String, value: String)] = [], body: [UInt8] = [],
              payloadHash: String = SigV4Signer.hexSHA256([]), extraHeaders: [(name: String, value: String)] = [],
              readTimeout: UInt64? = nil) async throws(S3Error) -> HTTPResponse {
        let base = endpoint.target.hasSuffix("/") ? String(endpoint.target.dropLast()) : endpoint.target
        let path = SigV4Signer.encodePath("\(base)/\(name)/\(key)")
        let canonicalQuery = SigV4Signer.canonicalQuery(query)
        let amzDate = SigV4Signer.amzDate(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let signed = [
            (name: "Host", value: endpoint.authority),
            (name: "X-Amz-Date", value: amzDate),
            (name: "X-Amz-Content-SHA256", value: payloadHash),
        ] + extraHeaders
        var headers = HTTPHeaders()
        for header in signed { headers.add(header.name, header.value) }
        headers.add("Authorization", signer.authorization(method: method, path: path, query: query, headers: signed,
                                                          payloadHash: payloadHash, amzDate: amzDate))
        let target = canonicalQuery.isEmpty ? path : "\(path)?\(canonicalQuery)"
        let request = HTTPRequest(method: HTTPMethod(method), target: target, headers: headers, body: body)
        let response: HTTPResponse
        do {
            response = try await http.execute(request, host: endpoint.host, port: endpoint.port, readTimeout: readTimeout)
        } catch {
            throw .unreachable("\(error)")
        }
        guard (200..<300).contains(response.status.code) else { throw S3Error(response: response) }
        return response
    }
}
