import NodeConfig

extension S3Destination {
    /// The `s3:` section, Jitsu's keys:
    ///
    /// ```yaml
    /// s3: {access_key_id: AKIA..., secret_access_key: ..., bucket: events, region: us-east-1,
    ///      endpoint: "http://minio:9000", folder: rivulet, format: json, compression: gzip}
    /// ```
    public struct Settings: Sendable, Equatable {
        /// `access_key_id` and `secret_access_key` (required): the credentials requests are signed with.
        let accessKeyID: String
        let secretAccessKey: String
        /// `bucket` (required), addressed path-style (`<endpoint>/<bucket>/<key>`), which S3-compatible servers accept.
        let bucket: String
        /// `region` (default `us-east-1`): part of every signature's scope.
        let region: String
        /// `endpoint`: an `http://` URL. Without it the endpoint would be AWS's `https://s3.<region>.amazonaws.com`,
        /// which the node's plain-HTTP client cannot reach, so in practice it is required: an S3-compatible server
        /// (MinIO, Ceph) or a TLS-terminating proxy in front of AWS.
        let endpoint: HTTPURL
        /// `folder` (default none): the key prefix, without surrounding slashes.
        let folder: String
        /// `compression: gzip` (default `none`): objects are gzip members named `.jsonl.gz`.
        let gzip: Bool

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            var section = try reader.section("s3")
            accessKeyID = try section.requiredString("access_key_id")
            secretAccessKey = try section.requiredString("secret_access_key")
            bucket = try section.requiredString("bucket")
            region = try section.string("region") ?? "us-east-1"
            let written = try section.string("endpoint")
            do {
                endpoint = try S3Bucket.endpoint(parsing: written ?? "https://s3.\(region).amazonaws.com")
            } catch {
                let reason = written == nil ? "is required, since AWS's default endpoint needs https: \(error)" : "\(error)"
                throw ConfigError.invalidValue(path: section.path(of: "endpoint"), reason: reason)
            }
            folder = (try section.string("folder") ?? "").split(separator: "/").joined(separator: "/")
            let format = try section.string("format") ?? "json"
            guard format == "json" else {
                throw ConfigError.invalidValue(path: section.path(of: "format"), reason: "must be json (JSON lines of the flattened rows), not \"\(format)\"")
            }
            switch try section.string("compression") ?? "none" {
            case "none": gzip = false
            case "gzip": gzip = true
            case let other:
                throw ConfigError.invalidValue(path: section.path(of: "compression"), reason: "must be none or gzip, not \"\(other)\"")
            }
            try section.finish()
        }
    }
}
