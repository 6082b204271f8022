import Pipeline

/// What an S3 sink reads from its connector's config (already checked by `ConnectorDraft`) and from the node's
/// environment. Pure: the environment comes in as an argument.
struct S3SinkSettings: Sendable {
    /// `bucketName`, addressed path-style.
    let bucket: String
    /// `region`: part of every signature's scope.
    let region: String
    /// `endpoint`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (the AWS SDKs' variables): an `http://` URL,
    /// since the node's HTTP client speaks no TLS (AWS itself needs a TLS-terminating proxy in front).
    let endpoint: HTTPURL
    /// `accessKeyId` and `secretAccessKey`, else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, as a pair.
    let accessKeyID: String
    let secretAccessKey: String
    /// `customPath` (or the default template), `realm` and `customPartitionDuration`.
    let path: S3ObjectPath
    /// `partSize`: objects larger than this go up as multipart uploads in parts of this size.
    let partSize: Int

    /// Throws the first thing missing, naming both the config key and the environment variable that would supply it.
    init(config: [String: String], environment: [String: String]) throws(SinkFailure) {
        func value(_ key: String) -> String? { config[key].flatMap { $0.isEmpty ? nil : $0 } }
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let bucket = value("bucketName"), let region = value("region") else {
            throw SinkFailure("config.bucketName and config.region are required for KAFKA_S3")
        }
        guard let endpoint = value("endpoint") ?? variable("AWS_ENDPOINT_URL_S3") ?? variable("AWS_ENDPOINT_URL") else {
            throw SinkFailure("KAFKA_S3 needs an endpoint: config.endpoint, or AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL in the node's "
                + "environment (an http:// URL: the node speaks no TLS, so AWS needs a TLS-terminating proxy)")
        }
        let credentials = value("accessKeyId").flatMap { key in value("secretAccessKey").map { (key, $0) } }
            ?? variable("AWS_ACCESS_KEY_ID").flatMap { key in variable("AWS_SECRET_ACCESS_KEY").map { (key, $0) } }
        guard case let (accessKeyID, secretAccessKey)? = credentials else {
            throw SinkFailure("KAFKA_S3 needs credentials: config.accessKeyId and config.secretAccessKey, or AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY in the node's environment")
        }
        do {
            self.endpoint = try S3Bucket.endpoint(parsing: endpoint)
        } catch {
            throw SinkFailure("the KAFKA_S3 endpoint \(error)")
        }
        self.bucket = bucket
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        // Records stored before a default existed lack these keys; validation fills them for new ones.
        path = S3ObjectPath(template: value("customPath") ?? S3ObjectPath.defaultTemplate, realm: value("realm") ?? "default",
                            partitionMinutes: max(1, Int(value("customPartitionDuration") ?? "") ?? 15))
        partSize = max(ConnectorDraft.minimumPartSize, Int(value("partSize") ?? "") ?? ConnectorDraft.minimumPartSize)
    }
}
