import Foundation
import HTTP
import Logging
import Loop
import NodeConfig
import Pipeline
import Templates
import TestSupport

/// A loop lending destinations what the node lends them (its HTTP client, templates), and calls made on that loop
/// as the delivery runner makes them.
final class DestinationHarness: Sendable {
    let loopHarness: LoopHarness
    let context: DestinationContext

    init() throws {
        loopHarness = try LoopHarness()
        context = DestinationContext(loop: loopHarness.loop, http: HTTPClient(loop: loopHarness.loop), templates: TemplateEvaluator(),
                                     dataDirectory: FileManager.default.temporaryDirectory.path, logger: Logger(label: "test"))
    }

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

    /// Closes the client's pooled connections and stops the loop; 0 when no handle leaked.
    func finish() async throws -> Int32? {
        let http = context.http
        try await loopHarness.onLoop { http.shutdown() }
        return await loopHarness.finish()
    }
}
