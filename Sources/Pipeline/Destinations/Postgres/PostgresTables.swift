/// The columns of each table a destination writes, and the DDL that gives a table what a batch needs.
///
/// A table's columns are read from `information_schema` on its first use, so a table made by an earlier run,
/// another node or a person is taken as it is; after that the cache changes only with rivulet's own DDL, or is
/// dropped by `forget` when a statement shows it stale. Loop-bound, like its destination.
final class PostgresTables {
    let schema: String
    private var known: [String: [String: PostgresColumn]] = [:]

    init(schema: String) { self.schema = schema }

    /// The columns of `table` once it has one for every name in `needed`: a missing table is created (with its
    /// schema) and missing columns added, each typed by the kind given for it.
    func columns(of table: String, including needed: [String: ColumnKind], on connection: PostgresConnection) async throws(PostgresError) -> [String: PostgresColumn] {
        var columns = try await cached(table, on: connection)
        var missing = needed.filter { columns[$0.key] == nil }
        if missing.isEmpty { return columns }
        let name = PostgresIdentifier.qualified(schema, table)
        if columns.isEmpty {
            try await Self.createSchema(schema, on: connection)
            try await Self.ddl("CREATE TABLE IF NOT EXISTS \(name) (\(Self.definitions(missing).joined(separator: ", ")))", on: connection)
            columns = try await load(table, on: connection)
            missing = missing.filter { columns[$0.key] == nil }
        }
        if !missing.isEmpty {
            let additions = Self.definitions(missing).map { "ADD COLUMN IF NOT EXISTS \($0)" }
            try await Self.ddl("ALTER TABLE \(name) \(additions.joined(separator: ", "))", on: connection)
            columns = try await load(table, on: connection)
        }
        return columns
    }

    /// Drops what is cached of `table`; its next use reads it from the server again.
    func forget(_ table: String) {
        known[table] = nil
        uniqueKeys[table] = nil
    }

    /// Keys known to have a unique index, by table.
    private var uniqueKeys: [String: Set<[String]>] = [:]

    /// Gives `table` a unique index on `key` unless one is known. Another node creating it at the same moment is
    /// fine (`42P07`); rows already duplicated under the key fail it with the server's words, which the rows' write
    /// then reports.
    func ensureUniqueIndex(on key: [String], of table: String, on connection: PostgresConnection) async throws(PostgresError) {
        guard uniqueKeys[table]?.contains(key) != true else { return }
        let name = PostgresIdentifier.fitted("\(table)_\(key.joined(separator: "_"))_key")
        do throws(PostgresError) {
            try await connection.query("CREATE UNIQUE INDEX IF NOT EXISTS \(PostgresIdentifier.quoted(name)) ON \(PostgresIdentifier.qualified(schema, table)) ("
                + key.map(PostgresIdentifier.quoted).joined(separator: ", ") + ")")
        } catch .statement(let error) where error.sqlstate == "42P07" {
        }
        uniqueKeys[table, default: []].insert(key)
    }

    private func cached(_ table: String, on connection: PostgresConnection) async throws(PostgresError) -> [String: PostgresColumn] {
        if let columns = known[table] { return columns }
        return try await load(table, on: connection)
    }

    private func load(_ table: String, on connection: PostgresConnection) async throws(PostgresError) -> [String: PostgresColumn] {
        let rows = try await connection.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
            [schema, table])
        var columns: [String: PostgresColumn] = [:]
        for row in rows {
            if let name = row[0], let type = row[1] { columns[name] = PostgresColumn(type: type) }
        }
        known[table] = columns
        return columns
    }

    /// `"name" type` for each column, sorted by name so the DDL does not depend on dictionary order.
    private static func definitions(_ columns: [String: ColumnKind]) -> [String] {
        columns.keys.sorted().map { "\(PostgresIdentifier.quoted($0)) \(PostgresColumn.type(for: columns[$0]!))" }
    }

    /// Creates `schema` unless it exists. The check comes first because `CREATE SCHEMA IF NOT EXISTS` needs the
    /// CREATE privilege on the database even when the schema is there.
    static func createSchema(_ schema: String, on connection: PostgresConnection) async throws(PostgresError) {
        let found = try await connection.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])
        if found.isEmpty {
            try await ddl("CREATE SCHEMA IF NOT EXISTS \(PostgresIdentifier.quoted(schema))", on: connection)
        }
    }

    /// Runs DDL that another node may be running at the same moment. `IF NOT EXISTS` does not stop that race:
    /// the loser fails on a catalog unique index (`23505`) or with a duplicate object error (`42P06` schema,
    /// `42P07` table, `42701` column). The object then exists, and reading the columns again shows the outcome.
    private static func ddl(_ sql: String, on connection: PostgresConnection) async throws(PostgresError) {
        do throws(PostgresError) {
            try await connection.query(sql)
        } catch .statement(let error) where ["23505", "42P06", "42P07", "42701"].contains(error.sqlstate) {
            return
        }
    }
}
