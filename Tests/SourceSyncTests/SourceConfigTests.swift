import NodeConfig
import Testing
@testable import SourceSync

@Suite struct SourceConfigTests {
    /// The `sources:` section of `yaml` (its entries, indented), read as the node reads it.
    private func sources(_ yaml: String, destinations: Set<String> = ["pg", "ch"]) throws -> [SourceConfig] {
        try SourceConfig.all(in: NodeConfiguration.load(yaml: "sources:\n" + yaml, environment: [:]).sources, destinationIDs: destinations)
    }

    /// A postgres source `s` with one collection, each key replaced (or removed, with nil) by `changes`.
    private func entry(_ changes: [String: String?]) -> String {
        var keys = [
            "type": "postgres", "destinations": "[pg]", "schedule": "'@hourly'", "config": "{host: h, db: d, username: u}",
            "collections": "[{name: c, parameters: {table: t}}]",
        ]
        for (key, value) in changes { keys[key] = value }
        return "  s: {" + keys.keys.sorted().map { "\($0): \(keys[$0]!)" }.joined(separator: ", ") + "}\n"
    }

    private func cron(_ text: String) throws -> CronSchedule { try CronSchedule(parsing: text) }

    @Test func jitsuShapedSourcesAreReadSortedByIDWithDefaults() throws {
        let read = try sources("""
              sessions_cache:
                type: redis
                destinations: [pg, ch]
                schedule: "@hourly"
                config: {host: 127.0.0.1, password: x}
                collections: [{name: sessions, parameters: {key_pattern: "session:*"}}]
              orders_db:
                type: postgres
                destinations: [pg]
                schedule: "*/5 * * * *"
                config: {host: 127.0.0.1, db: shop, username: u, password: p}
                collections:
                  - name: orders
                    table_name: orders_copy
                    schedule: "0 3 * * *"
                    parameters: {table: orders, cursor_field: updated_at, primary_key: [id, region]}
                  - name: customers
                    parameters: {query: "select * from customers", primary_key: id}
            """)
        let every5 = try cron("*/5 * * * *")
        #expect(read == [
            SourceConfig(
                id: "orders_db",
                kind: .postgres(PostgresSourceSettings(host: "127.0.0.1", port: 5432, database: "shop", schema: "public", username: "u", password: "p")),
                destinations: ["pg"], schedule: every5, collections: [
                    CollectionConfig(name: "orders", tableName: "orders_copy", schedule: try cron("0 3 * * *"),
                                     read: .postgres(table: "orders", query: nil, cursorField: "updated_at", primaryKey: ["id", "region"])),
                    CollectionConfig(name: "customers", tableName: "orders_db_customers", schedule: every5,
                                     read: .postgres(table: nil, query: "select * from customers", cursorField: nil, primaryKey: ["id"])),
                ]),
            SourceConfig(
                id: "sessions_cache", kind: .redis(RedisSourceSettings(host: "127.0.0.1", port: 6379, password: "x")),
                destinations: ["pg", "ch"], schedule: try cron("@hourly"), collections: [
                    CollectionConfig(name: "sessions", tableName: "sessions_cache_sessions", schedule: try cron("@hourly"),
                                     read: .redis(keyPattern: "session:*")),
                ]),
        ])
        #expect(read[0].collections[0].isIncremental)
        #expect(!read[0].collections[1].isIncremental)
    }

    @Test func portsSchemaAndPasswordsMayBeGiven() throws {
        let postgres = try sources(entry(["config": "{host: h, port: 6432, db: d, schema: sales, username: u}"]))
        #expect(postgres.first?.kind == .postgres(PostgresSourceSettings(host: "h", port: 6432, database: "d", schema: "sales", username: "u", password: "")))
        let redis = try sources(entry(["type": "redis", "config": "{host: h, port: 7000, password: ''}",
                                       "collections": "[{name: c, parameters: {key_pattern: '*'}}]"]))
        #expect(redis.first?.kind == .redis(RedisSourceSettings(host: "h", port: 7000, password: nil)))
    }

    @Test func absentOrNullSourcesAreNone() throws {
        #expect(try SourceConfig.all(in: nil, destinationIDs: []) == [])
        #expect(try sources("") == [])
    }

    @Test(arguments: [
        (["type": nil], "sources.s.type", "is required"),
        (["type": "mysql"], "sources.s.type", #"unknown source type "mysql""#),
        (["schedule": nil], "sources.s.schedule", "is required"),
        (["schedule": "'61 * * * *'"], "sources.s.schedule", "minute '61': 61 is outside 0-59"),
        (["schedule": "'every hour'"], "sources.s.schedule", "it needs 5 fields"),
        (["destinations": nil], "sources.s.destinations", "at least one destination"),
        (["destinations": "[]"], "sources.s.destinations", "at least one destination"),
        (["destinations": "[pg, nope]"], "sources.s.destinations[1]", #"unknown destination "nope" (known: ch, pg)"#),
        (["destinations": "[pg, pg]"], "sources.s.destinations[1]", "listed twice"),
        (["config": "{db: d, username: u}"], "sources.s.config.host", "is required"),
        (["config": "{host: h, port: 70000, db: d, username: u}"], "sources.s.config.port", "between 1 and 65535"),
        (["config": "{host: h, db: d, username: u, pasword: p}"], "sources.s.config.pasword", #"did you mean "password""#),
        (["shedule": "'@daily'"], "sources.s.shedule", #"did you mean "schedule""#),
        (["collections": nil], "sources.s.collections", "at least one collection"),
        (["collections": "[]"], "sources.s.collections", "at least one collection"),
        (["collections": "{c: {}}"], "sources.s.collections", "expected a list of collections"),
        (["collections": "[{parameters: {table: t}}]"], "sources.s.collections[0].name", "is required"),
        (["collections": "[{name: '', parameters: {table: t}}]"], "sources.s.collections[0].name", "is required"),
        (["collections": "[{name: c, parameters: {table: t}}, {name: c, parameters: {table: u}}]"], "sources.s.collections[1].name",
         #""c" is also the name of sources.s.collections[0]"#),
        (["collections": "[{name: c, schedule: '* * *', parameters: {table: t}}]"], "sources.s.collections[0].schedule", "5 fields"),
        (["collections": "[{name: c, table_name: '', parameters: {table: t}}]"], "sources.s.collections[0].table_name", "must not be empty"),
        (["collections": "[{name: c, parameters: {}}]"], "sources.s.collections[0].parameters", "needs table or query"),
        (["collections": "[{name: c, parameters: {table: t, query: 'select 1'}}]"], "sources.s.collections[0].parameters", "not both"),
        (["collections": "[{name: c, parameters: {query: 'select 1', cursor_field: u}}]"], "sources.s.collections[0].parameters.cursor_field",
         "needs table"),
        (["collections": "[{name: c, parameters: {table: t, key_pattern: '*'}}]"], "sources.s.collections[0].parameters.key_pattern",
         "unknown key"),
        (["collections": "[{name: c, tabel_name: x, parameters: {table: t}}]"], "sources.s.collections[0].tabel_name", #"did you mean "table_name""#),
        (["type": "redis", "config": "{host: h}", "collections": "[{name: c, parameters: {}}]"], "sources.s.collections[0].parameters.key_pattern",
         "is required"),
        (["type": "redis", "config": "{host: h}", "collections": "[{name: c, parameters: {key_pattern: '*', table: t}}]"],
         "sources.s.collections[0].parameters.table", "unknown key"),
        (["type": "redis", "config": "{host: h, db: d}", "collections": "[{name: c, parameters: {key_pattern: '*'}}]"],
         "sources.s.config.db", "unknown key"),
    ] as [([String: String?], String, String)])
    func mistakesFailNamingTheirKeyPath(changes: [String: String?], path: String, reason: String) throws {
        let error = try #require(throws: ConfigError.self) { try sources(entry(changes)) }
        #expect(error.path == path, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func sourcesThatAreNotAMappingFail() throws {
        let error = try #require(throws: ConfigError.self) { try sources("  - orders_db\n") }
        #expect(error == .typeMismatch(path: "sources", expected: "a mapping of source ids", found: "a list"))
    }
}
