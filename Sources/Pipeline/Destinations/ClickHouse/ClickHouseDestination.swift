/// Events into ClickHouse tables over its HTTP interface (`INSERT ... FORMAT JSONEachRow`), one MergeTree table
/// per table name ordered by `_timestamp`, with columns added as new fields appear. Loop-bound.
///
/// Values are checked against their columns before sending, so a misfit costs its row alone; if ClickHouse still
/// refuses an insert for its data, halving finds the rows it refuses and the rest is stored.
public final class ClickHouseDestination: Destination, @unchecked Sendable {
    public let id: String
    private let client: ClickHouseClient
    private let schema: ClickHouseSchema

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        client = ClickHouseClient(http: context.http, endpoints: settings.endpoints)
        schema = ClickHouseSchema(client: client, settings: settings)
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        var result = await Self.capture { () async throws(ClickHouseError) in try await insert(batch) }
        if case .failure(let error) = result, error.isStaleSchema {
            // A table or column was dropped behind our back: read the schema again and try once more.
            schema.forget(batch.table)
            result = await Self.capture { () async throws(ClickHouseError) in try await insert(batch) }
        }
        switch result {
        case .success(let rejected): return .stored(rejected: rejected)
        case .failure(.unreachable(let reason)): return .unreachable(reason)
        case .failure(.rejected(_, let message)):
            return .stored(rejected: Dictionary(uniqueKeysWithValues: batch.rows.indices.map { ($0, message) }))
        }
    }

    /// Inserts the rows that fit; returns the rejected ones.
    private func insert(_ batch: TableBatch) async throws(ClickHouseError) -> [Int: String] {
        let columns = try await schema.prepare(batch.table, for: batch.rows)
        var rejected: [Int: String] = [:]
        var lines: [(index: Int, line: [UInt8])] = []
        var names = Set<String>()
        for (index, row) in batch.rows.enumerated() {
            switch ClickHouseRowEncoder.encode(row, columns: columns) {
            case .success(let encoded):
                lines.append((index, encoded.line))
                names.formUnion(encoded.names)
            case .failure(let rejection):
                rejected[index] = rejection.reason
            }
        }
        guard !lines.isEmpty else { return rejected }
        let table = schema.qualified(batch.table)
        try await insert(lines, into: table, columns: names.sorted(), rejected: &rejected)
        return rejected
    }

    /// Inserts `lines`; when ClickHouse refuses them for their data, inserts each half on its own until the refused
    /// rows are alone, so a batch of n rows with one bad row costs about 2·log2(n) extra inserts.
    private func insert(_ lines: [(index: Int, line: [UInt8])], into table: String, columns: [String],
                        rejected: inout [Int: String]) async throws(ClickHouseError) {
        do {
            try await client.insert(into: table, columns: columns, lines: lines.map(\.line))
        } catch let error where error.isDataError {
            guard lines.count > 1 else {
                rejected[lines[0].index] = error.description
                return
            }
            let middle = lines.count / 2
            try await insert(Array(lines[..<middle]), into: table, columns: columns, rejected: &rejected)
            try await insert(Array(lines[middle...]), into: table, columns: columns, rejected: &rejected)
        }
    }

    /// Creates the database if needed, then a scratch table, inserts a row and drops the table again.
    public func testConnection() async throws(DestinationFailure) {
        let table = "rivulet_test_connection_\(UInt64.random(in: 0...UInt64.max))"
        do {
            try await schema.createTable(table, columns: [("probe", .text)], engine: Settings.defaultEngine)
        } catch {
            throw DestinationFailure(error.description)
        }
        let row = Array(#"{"_timestamp":0,"probe":"rivulet"}"#.utf8)
        let written = await Self.capture { () async throws(ClickHouseError) in
            try await client.insert(into: schema.qualified(table), columns: ["_timestamp", "probe"], lines: [row])
        }
        let dropped = await Self.capture { () async throws(ClickHouseError) in try await schema.dropTable(table) }
        do {
            try written.get()
            try dropped.get()
        } catch {
            throw DestinationFailure(error.description)
        }
    }

    /// The outcome of `body` as a value, so a failure can be looked at before deciding what to do next.
    private static func capture<T>(_ body: () async throws(ClickHouseError) -> T) async -> Result<T, ClickHouseError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// Connections belong to the node's HTTP client, which closes them.
    public func close() async {}
}
