import Templates

/// The tables of one ClickHouse database as rivulet last saw them, read from `system.columns` on first use and
/// kept per table. Creates the database, tables and missing columns batches need. Loop-bound.
///
/// ClickHouse 18.16 knows no `ADD COLUMN IF NOT EXISTS`, so columns are compared with the cache first, and an
/// ADD COLUMN that loses a race with another node (the column already exists) reloads the table instead of failing.
final class ClickHouseSchema: @unchecked Sendable {
    /// A column's ClickHouse type and the kind of values it takes (nil: not checked by rivulet).
    struct Column: Equatable {
        let type: String
        let kind: ColumnKind?
    }

    static let orderingKey = "_timestamp"

    private let client: ClickHouseClient
    private let database: String
    private let onCluster: String
    private let engine: String
    private var databaseExists = false
    private var tables: [String: [String: Column]] = [:]

    init(client: ClickHouseClient, settings: ClickHouseDestination.Settings) {
        self.client = client
        database = settings.database
        onCluster = settings.cluster.map { " ON CLUSTER \(ClickHouseSQL.quote($0))" } ?? ""
        engine = settings.engine
    }

    /// `` `db`.`table` ``.
    func qualified(_ table: String) -> String { "\(ClickHouseSQL.quote(database)).\(ClickHouseSQL.quote(table))" }

    /// The columns of `table` once it exists with a column for every field of `rows` that has a non-null value.
    func prepare(_ table: String, for rows: [Row]) async throws(ClickHouseError) -> [String: Column] {
        var columns = try await columns(of: table)
        let wanted = Self.wantedColumns(rows)
        if columns.isEmpty {
            try await createTable(table, columns: wanted.filter { $0.name != Self.orderingKey }, engine: engine)
            columns = try await reload(table)
        }
        let missing = wanted.filter { columns[$0.name] == nil }
        guard !missing.isEmpty else { return columns }
        let clauses = missing.map { "ADD COLUMN \(ClickHouseSQL.quote($0.name)) Nullable(\(ClickHouseSQL.typeName(for: $0.kind)))" }
        do {
            try await client.execute("ALTER TABLE \(qualified(table))\(onCluster) \(clauses.joined(separator: ", "))")
        } catch .rejected(let code, let message) {
            // Another writer may have added some of them first: what counts is that they exist now.
            columns = try await reload(table)
            if missing.contains(where: { columns[$0.name] == nil }) { throw .rejected(code: code, message: message) }
            return columns
        }
        return try await reload(table)
    }

    /// Drops the cached columns of `table`, after ClickHouse said they are out of date.
    func forget(_ table: String) { tables[table] = nil }

    /// `CREATE DATABASE IF NOT EXISTS`, once per destination.
    func createDatabase() async throws(ClickHouseError) {
        guard !databaseExists else { return }
        try await client.execute("CREATE DATABASE IF NOT EXISTS \(ClickHouseSQL.quote(database))\(onCluster)")
        databaseExists = true
    }

    /// `CREATE TABLE IF NOT EXISTS` with the non-null ordering key and Nullable `columns`.
    func createTable(_ table: String, columns: [(name: String, kind: ColumnKind)], engine: String) async throws(ClickHouseError) {
        try await createDatabase()
        let definitions = ["\(ClickHouseSQL.quote(Self.orderingKey)) DateTime"]
            + columns.map { "\(ClickHouseSQL.quote($0.name)) Nullable(\(ClickHouseSQL.typeName(for: $0.kind)))" }
        try await client.execute("CREATE TABLE IF NOT EXISTS \(qualified(table))\(onCluster) (\(definitions.joined(separator: ", "))) \(engine)")
    }

    func dropTable(_ table: String) async throws(ClickHouseError) {
        try await client.execute("DROP TABLE IF EXISTS \(qualified(table))\(onCluster)")
    }

    private func columns(of table: String) async throws(ClickHouseError) -> [String: Column] {
        if let cached = tables[table] { return cached }
        try await createDatabase()
        return try await reload(table)
    }

    /// Reads `system.columns`; an empty result means the table does not exist.
    private func reload(_ table: String) async throws(ClickHouseError) -> [String: Column] {
        let text = try await client.execute("""
            SELECT name, type FROM system.columns WHERE database = \(ClickHouseSQL.literal(database)) \
            AND table = \(ClickHouseSQL.literal(table)) FORMAT JSONEachRow
            """)
        var columns: [String: Column] = [:]
        for line in text.split(separator: "\n") {
            guard case .object(let fields)? = try? JSONValue(parsing: String(line)),
                  case .string(let name)? = fields["name"], case .string(let type)? = fields["type"] else {
                throw .rejected(code: nil, message: "unexpected system.columns line from ClickHouse: \(line)")
            }
            columns[name] = Column(type: type, kind: ClickHouseSQL.kind(ofType: type))
        }
        tables[table] = columns.isEmpty ? nil : columns
        return columns
    }

    /// Each field with a non-null value in `rows`, typed by its first such value, in name order.
    static func wantedColumns(_ rows: [Row]) -> [(name: String, kind: ColumnKind)] {
        var kinds: [String: ColumnKind] = [:]
        for row in rows {
            for (name, value) in row.columns where kinds[name] == nil {
                if let kind = ColumnKind(of: value) { kinds[name] = kind }
            }
        }
        return kinds.keys.sorted().map { ($0, kinds[$0]!) }
    }
}
