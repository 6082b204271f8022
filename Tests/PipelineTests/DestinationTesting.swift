import HTTP
import Logging
import Loop
import NodeConfig
import Templates
import TestSupport
@testable import Pipeline

/// What the destination tests share: a loop, a destination built from its configuration as the node would, and
/// rows made from JSON events.
struct DestinationTesting {
    let harness: LoopHarness

    init() throws { harness = try LoopHarness() }

    /// The node's context on this loop; made on the loop, where the HTTP client lives.
    func context() async throws -> DestinationContext {
        let loop = harness.loop
        return try await harness.onLoop {
            DestinationContext(loop: loop, http: HTTPClient(loop: loop), templates: TemplateEvaluator(),
                               dataDirectory: "/tmp", logger: Logger(label: "destination-test"))
        }
    }

    /// `destinations.test` of `type` with `section` under the type's key, read strictly.
    static func config(type: String, _ section: [String: ConfigValue]) throws(ConfigError) -> DestinationConfig {
        try DestinationConfig(id: "test", value: .map(["type": .string(type), type: .map(section)]), path: "destinations.test")
    }

    /// A destination made by `DestinationSettings.make`, as the node makes it.
    func destination(type: String, _ section: [String: ConfigValue]) async throws -> any Destination {
        DestinationSettings.make(try Self.config(type: type, section), context: try await context())
    }

    /// Runs `store` on the loop.
    func store(_ destination: any Destination, table: String, _ events: [String]) async throws -> StoreOutcome {
        let batch = try TableBatch(table: table, rows: events.map(Self.row))
        return try await harness.onLoop { await destination.store(batch) }
    }

    /// Runs `testConnection` on the loop; the failure's cause, or nil when it passed.
    func testConnection(_ destination: any Destination) async throws -> String? {
        try await harness.onLoop { () async -> String? in
            do throws(DestinationFailure) {
                try await destination.testConnection()
                return nil
            } catch {
                return error.cause
            }
        }
    }

    /// Closes the destination and stops the loop; true when every handle closed.
    func finish(_ destination: any Destination) async throws -> Bool {
        try await harness.onLoop { await destination.close() }
        return await harness.finish() == 0
    }

    static func row(_ json: String) throws -> Row {
        guard case .object(let event) = try JSONValue(parsing: json) else { throw ServiceError.failed("not an object: \(json)") }
        guard case .string(let id)? = event["eventn_ctx_event_id"] else { return Row(eventID: "", event: event, columns: Flattener.flatten(event)) }
        return Row(eventID: id, event: event, columns: Flattener.flatten(event))
    }

    /// A fresh name, so tests sharing one server never meet.
    static func unique(_ prefix: String) -> String { "\(prefix)_\(UInt32.random(in: 0...UInt32.max))" }
}
