import HTTP
import Logging
import Loop
import NodeConfig
import Templates
import Testing
import TestSupport
@testable import Pipeline

/// A `postgres` destination on a loop of its own, writing into a fresh schema of a real server, with a connection
/// of the test's own for checking what landed.
struct PostgresFixture {
    let harness: LoopHarness
    let server: PostgresServer
    /// A schema no other test uses.
    let schema = "test_\(UInt32.random(in: 0...UInt32.max))"

    /// A fixture on the shared server, or on `server`.
    init(server: PostgresServer? = nil) async throws {
        if let server {
            self.server = server
        } else {
            self.server = try await PostgresServer.shared.value
        }
        harness = try LoopHarness()
    }

    /// The configuration entry, as a user would write it, with `datasource` keys replaced by `changes`.
    func config(_ changes: [String: ConfigValue] = [:]) throws -> DestinationConfig {
        let datasource: [String: ConfigValue] = [
            "host": .string("127.0.0.1"), "port": .int(server.port), "db": .string(PostgresServer.database),
            "schema": .string(schema), "username": .string(PostgresServer.user), "password": .string(PostgresServer.password),
        ]
        let entry: ConfigValue = .map(["type": .string("postgres"), "datasource": .map(datasource.merging(changes) { $1 })])
        return try DestinationConfig(id: "pg", value: entry, path: "destinations.pg")
    }

    /// A destination made as the node makes it.
    func destination(_ changes: [String: ConfigValue] = [:]) throws -> any Destination {
        let context = DestinationContext(loop: harness.loop, http: HTTPClient(loop: harness.loop), templates: TemplateEvaluator(),
                                         dataDirectory: "/nonexistent", logger: Logger(label: "test"))
        return DestinationSettings.make(try config(changes), context: context)
    }

    /// Stores `batch` with a new destination, closing it afterwards.
    func store(_ batch: TableBatch, changes: [String: ConfigValue] = [:]) async throws -> StoreOutcome {
        let destination = try destination(changes)
        return try await harness.onLoop {
            let outcome = await destination.store(batch)
            await destination.close()
            return outcome
        }
    }

    /// The rows of `sql`, through a connection of the test's own.
    func query(_ sql: String) async throws -> [[String?]] {
        guard case .postgres(let settings) = try config().settings else { preconditionFailure("not a postgres config") }
        return try await harness.onLoop {
            let connection = try await PostgresConnection.connect(loop: harness.loop, settings: settings)
            defer { connection.close() }
            return try await connection.query(sql)
        }
    }

    /// The rows of `sql` as `CopyRows`, through a connection of the test's own.
    func copyRows(_ sql: String) async throws -> CopyRows {
        guard case .postgres(let settings) = try config().settings else { preconditionFailure("not a postgres config") }
        return try await harness.onLoop {
            let connection = try await PostgresConnection.connect(loop: harness.loop, settings: settings)
            defer { connection.close() }
            return try await connection.copyRows(of: sql)
        }
    }

    /// Stores `rows` as they are with a new destination, closing it afterwards.
    func store(_ rows: CopyRows, table: String, upsertKey: [String] = []) async throws -> StoreOutcome? {
        let destination = try #require(try destination() as? any CopyRowsDestination)
        return try await harness.onLoop {
            let outcome = await destination.store(rows, table: table, upsertKey: upsertKey)
            await destination.close()
            return outcome
        }
    }

    /// Column name to `data_type` of a table in the fixture's schema.
    func columnTypes(_ table: String) async throws -> [String: String] {
        let rows = try await query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '\(schema)' AND table_name = '\(table)'")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0]!, $0[1]!) })
    }

    /// Stops the loop; 0 means every handle was closed.
    func finish() async -> Int32? { await harness.finish() }
}

/// A batch of rows whose events are their columns, as the flattener leaves flat events.
func batch(_ table: String, _ rows: [[String: JSONValue]]) -> TableBatch {
    var shapes = ColumnShapes()
    return TableBatch(table: table, rows: rows.enumerated().map { Row(eventID: "e\($0.offset)", event: $0.element, columns: shapes.columns($0.element)) })
}
