import CLibPQ
import NodeConfig

extension PostgresDestination {
    /// Jitsu's `datasource` section of a `postgres` (or `redshift`) destination:
    ///
    /// ```yaml
    /// datasource: {host: db.internal, port: 5432, db: analytics, schema: public, username: rivulet,
    ///              password: "...", parameters: {sslmode: require, connect_timeout: 5}}
    /// ```
    public struct Settings: Sendable, Equatable {
        /// `datasource.host`: a name, an address, or a Unix socket directory (starting with `/`). Required.
        public var host: String
        /// `datasource.port` (default 5432).
        public var port = 5432
        /// `datasource.db`: the database. Required.
        public var database: String
        /// `datasource.schema` (default `public`): created when missing, like every table in it.
        public var schema = "public"
        /// `datasource.username`. Required, as in Jitsu.
        public var username: String
        /// `datasource.password` (default none).
        public var password = ""
        /// `datasource.parameters`: libpq connection keywords (`sslmode`, `sslrootcert`, `application_name`...),
        /// checked against libpq's list when the configuration is read. `sslmode` defaults to `disable`, Jitsu's
        /// default.
        public var parameters = ["sslmode": "disable"]
        /// `datasource.parameters.connect_timeout` in seconds (default 10): how long resolving, connecting and
        /// logging in may take. libpq ignores the keyword in non-blocking mode, so rivulet enforces it.
        public var connectTimeout = Duration.seconds(10)
        /// How long one statement or one COPY may take before the connection counts as broken (60 s). Not a key:
        /// a batch that legitimately needs longer is a sign of a server in trouble.
        public var queryTimeout = Duration.seconds(60)

        /// Settings for a connection configured elsewhere (a source's `config:`), every other field at its default.
        package init(host: String, port: Int, database: String, schema: String, username: String, password: String) {
            self.host = host
            self.port = port
            self.database = database
            self.schema = schema
            self.username = username
            self.password = password
        }

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            if let failure = PostgresConnection.libpqFailure {
                throw ConfigError.invalidValue(path: reader.path(of: "type"), reason: failure)
            }
            var source = try reader.section("datasource")
            host = try source.requiredString("host")
            if let port = try source.int("port") {
                guard (1...65535).contains(port) else {
                    throw ConfigError.invalidValue(path: source.path(of: "port"), reason: "must be between 1 and 65535")
                }
                self.port = port
            }
            database = try source.requiredString("db")
            if let schema = try source.string("schema"), !schema.isEmpty { self.schema = schema }
            username = try source.requiredString("username")
            password = try source.string("password") ?? ""
            let given = try source.stringMap("parameters") ?? [:]
            for key in given.keys.sorted() where !Self.libpqKeywords.contains(key) {
                throw ConfigError.unknownKey(path: "\(source.path(of: "parameters")).\(key)", suggestion: nil)
            }
            parameters.merge(given) { $1 }
            if let text = given["connect_timeout"] {
                guard let seconds = Int(text), seconds >= 1 else {
                    throw ConfigError.invalidValue(path: "\(source.path(of: "parameters")).connect_timeout",
                                                   reason: "must be a whole number of seconds, at least 1")
                }
                connectTimeout = .seconds(seconds)
            }
            try source.finish()
        }

        /// Every keyword libpq accepts in a connection string, from `PQconndefaults`.
        static let libpqKeywords: Set<String> = {
            guard let options = PQconndefaults() else { return [] }
            defer { PQconninfoFree(options) }
            var keywords: Set<String> = []
            var option = options
            while let keyword = option.pointee.keyword {
                keywords.insert(String(cString: keyword))
                option += 1
            }
            return keywords
        }()
    }
}
