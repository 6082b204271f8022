import Templates

/// One object ready to upload: its key, and its bytes cut into the pieces it is sent in, each with the SHA-256 its
/// request's signature covers. Hashing is CPU work, so callers build large objects off the loop.
public struct S3Object: Sendable {
    public let key: String
    public let contentType: String
    /// One piece is sent by PutObject; more are the parts of a multipart upload, in order.
    let parts: [Part]

    struct Part: Sendable {
        let body: [UInt8]
        /// Lower-case hex SHA-256 of `body`, sent as `X-Amz-Content-SHA256`.
        let payloadHash: String
    }

    /// - Parameter partSize: a body larger than this goes up as a multipart upload in parts of `partSize` bytes (the
    ///   last one smaller). S3 refuses parts under 5 MiB other than the last, so callers keep it at least that.
    public init(key: String, body: [UInt8], contentType: String, partSize: Int = .max) {
        precondition(partSize > 0, "partSize \(partSize)")
        self.key = key
        self.contentType = contentType
        let pieces = body.count <= partSize
            ? [body]
            : stride(from: 0, to: body.count, by: partSize).map { Array(body[$0..<min($0 + partSize, body.count)]) }
        parts = pieces.map { Part(body: $0, payloadHash: SigV4Signer.hexSHA256($0)) }
    }

    /// The rows as JSON lines (one flattened row per line, keys sorted), gzip-compressed when `gzip` is set.
    /// Encoding, compressing and hashing are CPU work, so the caller runs this on the work queue.
    static func jsonLines(_ rows: [[String: JSONValue]], key: String, gzip: Bool) throws(Gzip.Failure) -> S3Object {
        var lines: [UInt8] = []
        for columns in rows {
            EventJSON.writeObject(columns, into: &lines)
            lines.append(UInt8(ascii: "\n"))
        }
        return gzip
            ? S3Object(key: key, body: try Gzip.compress(lines), contentType: "application/gzip")
            : S3Object(key: key, body: lines, contentType: "application/x-ndjson")
    }

    /// `<folder>/<table>/<YYYY>/<MM>/<DD>/<table>-<YYYYMMDDTHHMMSSZ>-<suffix>.jsonl[.gz]`, dated in UTC by the time of
    /// the store call. The random `suffix` keeps two stores of one table in the same second apart.
    static func key(folder: String, table: String, secondsSince1970 seconds: Int64, suffix: String, gzip: Bool) -> String {
        let stamp = SigV4Signer.amzDate(secondsSince1970: seconds)
        let datePath = "\(stamp.prefix(4))/\(stamp.dropFirst(4).prefix(2))/\(stamp.dropFirst(6).prefix(2))"
        let name = "\(table)/\(datePath)/\(table)-\(stamp)-\(suffix).jsonl\(gzip ? ".gz" : "")"
        return folder.isEmpty ? name : "\(folder)/\(name)"
    }
}
