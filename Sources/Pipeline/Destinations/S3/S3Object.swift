import Templates

/// One object ready to PUT: its key, its bytes and their SHA-256, which the signature covers.
struct S3Object: Sendable {
    let key: String
    let body: [UInt8]
    /// Lower-case hex SHA-256 of `body`, sent as `X-Amz-Content-SHA256`.
    let payloadHash: String
    let contentType: String

    init(key: String, body: [UInt8], contentType: String) {
        self.key = key
        self.body = body
        self.contentType = contentType
        payloadHash = SigV4Signer.hexSHA256(body)
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
