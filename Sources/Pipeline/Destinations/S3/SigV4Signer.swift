import Crypto
import Foundation
import Templates

/// AWS Signature Version 4 (the `Authorization` header), written out from AWS's "Create a signed AWS API request"
/// guide: canonical request, string to sign, derived signing key, HMAC-SHA256. Pure: the time comes in as an
/// argument, so AWS's published examples are its tests.
///
/// It implements S3's variant of the canonical URI: the path exactly as sent, encoded once by `encodePath` and
/// never normalized (other services encode twice; for paths of unreserved characters both agree). The canonical
/// query string is `canonicalQuery`'s, which is also what requests send, so the two never disagree.
struct SigV4Signer: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let region: String
    let service: String

    /// The `Authorization` header value for a request.
    /// - Parameters:
    ///   - path: the request path as sent, already encoded with `encodePath`.
    ///   - query: the query parameters, not encoded (`[("uploads", "")]` for `?uploads`).
    ///   - headers: every header to sign; it must include `Host` and `X-Amz-Date` (with `amzDate`), and for S3
    ///     `X-Amz-Content-SHA256` (with `payloadHash`).
    ///   - payloadHash: the lower-case hex SHA-256 of the body (`hexSHA256`).
    ///   - amzDate: the request time as `YYYYMMDDTHHMMSSZ` (`amzDate(_:)`).
    func authorization(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)], payloadHash: String,
                       amzDate: String) -> String {
        let canonicalHeaders = headers
            .map { (name: $0.name.lowercased(), value: Self.trimmed($0.value)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            method, path, Self.canonicalQuery(query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// Lower-case hex SHA-256, the form of `X-Amz-Content-SHA256` and of the hashes inside a signature.
    static func hexSHA256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// `YYYYMMDDTHHMMSSZ` in UTC, the form of `X-Amz-Date`.
    static func amzDate(secondsSince1970 seconds: Int64) -> String {
        // RFC 3339's `2026-11-23T10:00:00...` without its separators and fraction.
        RFC3339.format(seconds: seconds, nanoseconds: 0).prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }

    /// A path encoded as SigV4 wants it: every byte outside `A-Z a-z 0-9 - _ . ~` and `/` as `%XX` (upper-case hex).
    static func encodePath(_ path: String) -> String { percentEncode(path, keepingSlashes: true) }

    /// The canonical query string: names and values encoded like a path but with `/` encoded too, each pair joined
    /// by `=` (kept when the value is empty: `?uploads` signs as `uploads=`), pairs sorted by encoded name and then
    /// value, joined by `&`. Requests send this same text after the `?`.
    static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (name: percentEncode($0.name, keepingSlashes: false), value: percentEncode($0.value, keepingSlashes: false)) }
            .sorted { ($0.name, $0.value) < ($1.name, $1.value) }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    private static func percentEncode(_ text: String, keepingSlashes: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlashes:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A header value with surrounding spaces removed and inner runs of spaces collapsed to one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
