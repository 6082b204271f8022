import NodeConfig

extension SourceConfig {
    /// Every entry of a `sources:` mapping (Jitsu's shape), sorted by id; absent or null is none. Called when the
    /// node starts, with the ids of `destinations:`. Throws `ConfigError` naming the key path of the first problem:
    /// a missing or unknown `type`, a missing or malformed `schedule`, no or unknown `destinations`, empty or
    /// repeated collection names, a collection's `parameters` that do not fit the type, and any unknown key.
    public static func all(in value: ConfigValue?, destinationIDs: Set<String>) throws(ConfigError) -> [SourceConfig] {
        guard let value, value != .null else { return [] }
        guard case .map(let entries) = value else {
            throw ConfigError.typeMismatch(path: "sources", expected: "a mapping of source ids", found: value.kindName)
        }
        var configs: [SourceConfig] = []
        for id in entries.keys.sorted() {
            configs.append(try SourceConfig(id: id, value: entries[id]!, path: "sources.\(id)", destinationIDs: destinationIDs))
        }
        return configs
    }

    /// Reads one entry found at `path` (`sources.orders_db`).
    init(id: String, value: ConfigValue, path: String, destinationIDs: Set<String>) throws(ConfigError) {
        var reader = try SettingsReader(value, path: path)
        let type = try reader.requiredString("type")
        guard type == "postgres" || type == "redis" else {
            throw ConfigError.invalidValue(path: reader.path(of: "type"), reason: "unknown source type \"\(type)\" (known: postgres, redis)")
        }
        let destinations = try Self.destinations(reading: &reader, known: destinationIDs)
        guard let schedule = try Self.schedule(reading: &reader, key: "schedule") else {
            throw ConfigError.invalidValue(path: reader.path(of: "schedule"), reason: "is required")
        }
        var settings = try reader.section("config")
        let kind: Kind = type == "redis"
            ? .redis(try RedisSourceSettings(reading: &settings))
            : .postgres(try PostgresSourceSettings(reading: &settings))
        try settings.finish()
        let collections = try Self.collections(reading: &reader, source: id, type: type, schedule: schedule)
        try reader.finish()
        self.init(id: id, kind: kind, destinations: destinations, schedule: schedule, collections: collections)
    }

    /// `destinations`: at least one, each an id of `destinations:`, none twice.
    private static func destinations(reading reader: inout SettingsReader, known: Set<String>) throws(ConfigError) -> [String] {
        let path = reader.path(of: "destinations")
        let ids = try reader.stringList("destinations") ?? []
        guard !ids.isEmpty else { throw ConfigError.invalidValue(path: path, reason: "must list at least one destination") }
        for (index, id) in ids.enumerated() {
            guard known.contains(id) else {
                throw ConfigError.invalidValue(path: "\(path)[\(index)]", reason: "unknown destination \"\(id)\" (known: \(known.sorted().joined(separator: ", ")))")
            }
            // A destination listed twice would get every row twice.
            guard !ids[..<index].contains(id) else {
                throw ConfigError.invalidValue(path: "\(path)[\(index)]", reason: "destination \"\(id)\" is listed twice")
            }
        }
        return ids
    }

    /// The cron expression under `key`, or nil when absent.
    private static func schedule(reading reader: inout SettingsReader, key: String) throws(ConfigError) -> CronSchedule? {
        guard let text = try reader.string(key) else { return nil }
        do {
            return try CronSchedule(parsing: text)
        } catch {
            throw ConfigError.invalidValue(path: reader.path(of: key), reason: error.description)
        }
    }

    /// `collections`: a list of at least one, with distinct names.
    private static func collections(reading reader: inout SettingsReader, source: String, type: String,
                                    schedule: CronSchedule) throws(ConfigError) -> [CollectionConfig] {
        let path = reader.path(of: "collections")
        let value = reader.value("collections") ?? .array([])
        guard case .array(let items) = value else {
            throw ConfigError.typeMismatch(path: path, expected: "a list of collections", found: value.kindName)
        }
        guard !items.isEmpty else { throw ConfigError.invalidValue(path: path, reason: "must list at least one collection") }
        var collections: [CollectionConfig] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var entry = try SettingsReader(item, path: itemPath)
            let name = try entry.string("name") ?? ""
            guard !name.isEmpty else { throw ConfigError.invalidValue(path: entry.path(of: "name"), reason: "is required") }
            if let first = collections.firstIndex(where: { $0.name == name }) {
                throw ConfigError.invalidValue(path: entry.path(of: "name"), reason: "\"\(name)\" is also the name of \(path)[\(first)]")
            }
            let tableName = try entry.string("table_name") ?? "\(source)_\(name)"
            guard !tableName.isEmpty else { throw ConfigError.invalidValue(path: entry.path(of: "table_name"), reason: "must not be empty") }
            let ownSchedule = try Self.schedule(reading: &entry, key: "schedule")
            var parameters = try entry.section("parameters")
            let read: CollectionConfig.Read = type == "redis"
                ? .redis(keyPattern: try parameters.requiredString("key_pattern"))
                : try Self.postgresRead(reading: &parameters)
            try parameters.finish()
            try entry.finish()
            collections.append(CollectionConfig(name: name, tableName: tableName, schedule: ownSchedule ?? schedule, read: read))
        }
        return collections
    }

    /// A postgres collection's `parameters`: `table` or `query`, `cursor_field` (with `table` only) and
    /// `primary_key` (one column or a list).
    private static func postgresRead(reading parameters: inout SettingsReader) throws(ConfigError) -> CollectionConfig.Read {
        let table = try parameters.string("table").flatMap { $0.isEmpty ? nil : $0 }
        let query = try parameters.string("query").flatMap { $0.isEmpty ? nil : $0 }
        guard (table == nil) != (query == nil) else {
            throw ConfigError.invalidValue(path: parameters.path, reason: table == nil ? "needs table or query" : "takes table or query, not both")
        }
        let cursorField = try parameters.string("cursor_field").flatMap { $0.isEmpty ? nil : $0 }
        if cursorField != nil, table == nil {
            // The driver adds the cursor condition and order to a table's select; a query is read as written.
            throw ConfigError.invalidValue(path: parameters.path(of: "cursor_field"), reason: "needs table: a query is read in full every run")
        }
        let primaryKey = try parameters.stringList("primary_key") ?? []
        return .postgres(table: table, query: query, cursorField: cursorField, primaryKey: primaryKey)
    }
}

extension PostgresSourceSettings {
    /// `config:` of a postgres source: `host`, `db` and `username` required, `port` 5432, `schema` public.
    init(reading reader: inout SettingsReader) throws(ConfigError) {
        let host = try reader.requiredString("host")
        let port = try reader.port(default: 5432)
        let database = try reader.requiredString("db")
        let schema = try reader.string("schema").flatMap { $0.isEmpty ? nil : $0 } ?? "public"
        let username = try reader.requiredString("username")
        let password = try reader.string("password") ?? ""
        self.init(host: host, port: port, database: database, schema: schema, username: username, password: password)
    }
}

extension RedisSourceSettings {
    /// `config:` of a redis source: `host` required, `port` 6379, `password` sent with AUTH when not empty.
    init(reading reader: inout SettingsReader) throws(ConfigError) {
        let host = try reader.requiredString("host")
        let port = try reader.port(default: 6379)
        let password = try reader.string("password").flatMap { $0.isEmpty ? nil : $0 }
        self.init(host: host, port: port, password: password)
    }
}

extension SettingsReader {
    /// `port`, between 1 and 65535.
    fileprivate mutating func port(default: Int) throws(ConfigError) -> Int {
        let port = try int("port") ?? `default`
        guard (1...65_535).contains(port) else {
            throw ConfigError.invalidValue(path: path(of: "port"), reason: "must be between 1 and 65535")
        }
        return port
    }
}
