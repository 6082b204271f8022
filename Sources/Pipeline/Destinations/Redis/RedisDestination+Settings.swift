import NodeConfig

extension RedisDestination {
    /// The `redis:` section:
    ///
    /// ```yaml
    /// redis: {host: 127.0.0.1, port: 6379, password: secret, database: 0,
    ///         key_template: "{{.event_type}}:{{.eventn_ctx_event_id}}", ttl_sec: 86400}
    /// ```
    public struct Settings: Sendable, Equatable {
        /// `host`, required.
        public var host: String
        /// `port`, default 6379.
        public var port = 6379
        /// `password`: sent with AUTH when set.
        public var password: String?
        /// `database`: the logical database chosen with SELECT, default 0.
        public var database = 0
        /// `key_template`: each event's key, a Go template or JavaScript evaluated on the event as received
        /// (no table-name reformatting). Default `{{.event_type}}:{{.eventn_ctx_event_id}}`.
        public var keyTemplate = "{{.event_type}}:{{.eventn_ctx_event_id}}"
        /// `ttl_sec`: when set, every stored hash expires after this many seconds.
        public var ttlSeconds: Int?
        /// Milliseconds to connect (not a config key; tests shorten it).
        var connectTimeout: UInt64 = 5000
        /// Milliseconds a batch's replies may take (not a config key; tests shorten it).
        var replyTimeout: UInt64 = 30_000

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            var section = try reader.section("redis")
            host = try section.requiredString("host")
            port = try section.int("port") ?? port
            guard (1...65_535).contains(port) else {
                throw ConfigError.invalidValue(path: section.path(of: "port"), reason: "must be between 1 and 65535")
            }
            password = try section.string("password").flatMap { $0.isEmpty ? nil : $0 }
            database = try section.int("database") ?? database
            guard database >= 0 else { throw ConfigError.invalidValue(path: section.path(of: "database"), reason: "must not be negative") }
            keyTemplate = try section.string("key_template") ?? keyTemplate
            guard !keyTemplate.isEmpty else { throw ConfigError.invalidValue(path: section.path(of: "key_template"), reason: "must not be empty") }
            ttlSeconds = try section.int("ttl_sec")
            if let ttlSeconds, ttlSeconds < 1 {
                throw ConfigError.invalidValue(path: section.path(of: "ttl_sec"), reason: "must be at least 1")
            }
            try section.finish()
        }
    }
}
