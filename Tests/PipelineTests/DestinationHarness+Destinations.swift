import Pipeline
import NodeConfig
import Templates
import TestSupport

/// Destination calls made on the harness's loop as the delivery runner makes them.
extension DestinationHarness {
    /// The destination `destinations.test` with these keys would be.
    func make(_ entries: [String: ConfigValue]) throws -> any Destination {
        DestinationSettings.make(try DestinationConfig.testing(entries), context: context)
    }

    func store(_ destination: any Destination, table: String = "events", _ events: [[String: JSONValue]]) async throws -> StoreOutcome {
        let batch = TableBatch(table: table, rows: events.enumerated().map { index, event in
            Row(eventID: "e\(index)", event: event, columns: Flattener.flatten(event))
        })
        return try await loopHarness.onLoop { await destination.store(batch) }
    }

    /// The failure `testConnection` threw, or nil when it passed.
    func testConnection(_ destination: any Destination) async throws -> DestinationFailure? {
        try await loopHarness.onLoop { () async -> DestinationFailure? in
            do throws(DestinationFailure) { try await destination.testConnection() } catch { return error }
            return nil
        }
    }
}
