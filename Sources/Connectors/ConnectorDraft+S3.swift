import Pipeline

extension ConnectorDraft {
    /// The optional KAFKA_S3 keys the sink reads (`S3SinkSettings`), refused now rather than at the first write:
    /// `endpoint` (an `http://` URL), `accessKeyId` with `secretAccessKey` (both or neither, else the node's
    /// environment supplies them) and `customPath` (only known placeholders). `realm` takes any text.
    static func checkS3Options(_ config: [String: String]) throws(Refusal) {
        if let endpoint = config["endpoint"], !endpoint.isEmpty {
            do {
                _ = try S3Bucket.endpoint(parsing: endpoint)
            } catch {
                throw Refusal("config.endpoint: \(error)")
            }
        }
        if (config["accessKeyId"] ?? "").isEmpty != (config["secretAccessKey"] ?? "").isEmpty {
            throw Refusal("config.accessKeyId and config.secretAccessKey go together: give both, or neither to use the node's environment")
        }
        if let path = config["customPath"], let unknown = S3ObjectPath.unknownPlaceholder(in: path) {
            let known = S3ObjectPath.placeholders.map { "{\($0)}" }.joined(separator: ", ")
            throw Refusal("config.customPath has an unknown placeholder {\(unknown)}; the known ones are \(known)")
        }
    }
}
