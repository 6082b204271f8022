import NodeConfig

extension ClickHouseDestination {
    /// The `clickhouse:` section, Jitsu's shape:
    ///
    /// ```yaml
    /// clickhouse:
    ///   dsns: ["http://writer:secret@127.0.0.1:8123/analytics"]
    ///   database: analytics          # default: the first DSN's path, else "default"
    ///   cluster: events_cluster      # optional: DDL runs ON CLUSTER (needs distributed DDL on the servers)
    ///   engine: {raw_statement: "ENGINE = ReplacingMergeTree ORDER BY _timestamp"}  # optional
    /// ```
    public struct Settings: Sendable, Equatable {
        /// `dsns`: the servers, tried in order when one cannot be reached.
        public var endpoints: [ClickHouseEndpoint]
        /// `database`: created when missing.
        public var database: String
        /// `cluster`: when set, every CREATE, ALTER and DROP carries `ON CLUSTER <cluster>`.
        public var cluster: String?
        /// `engine.raw_statement`: the table's engine clause (default `ENGINE = MergeTree() ORDER BY _timestamp`).
        /// Jitsu's other engine keys (order_fields, partition_fields, ...) are not supported.
        public var engine: String

        static let defaultEngine = "ENGINE = MergeTree() ORDER BY _timestamp"

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            var section = try reader.section("clickhouse")
            let dsns = try section.stringList("dsns") ?? []
            guard !dsns.isEmpty else { throw ConfigError.invalidValue(path: section.path(of: "dsns"), reason: "is required") }
            endpoints = []
            for (index, dsn) in dsns.enumerated() {
                do {
                    endpoints.append(try ClickHouseEndpoint(dsn: dsn))
                } catch {
                    throw ConfigError.invalidValue(path: "\(section.path(of: "dsns"))[\(index)]", reason: error.reason)
                }
            }
            database = try section.string("database") ?? endpoints[0].database ?? "default"
            cluster = try section.string("cluster").flatMap { $0.isEmpty ? nil : $0 }
            var engineSection = try section.section("engine")
            engine = try engineSection.string("raw_statement") ?? Self.defaultEngine
            try engineSection.finish()
            try section.finish()
        }
    }
}
