import Foundation
import HTTP
import Logging
import Loop
import Pipeline
import Templates

/// A loop lending destinations and connector sinks what the node lends them (its HTTP client, templates); each test
/// target adds the calls it makes on that loop.
public final class DestinationHarness: Sendable {
    public let loopHarness: LoopHarness
    public let context: DestinationContext

    public init() throws {
        loopHarness = try LoopHarness()
        context = DestinationContext(loop: loopHarness.loop, http: HTTPClient(loop: loopHarness.loop), templates: TemplateEvaluator(),
                                     dataDirectory: FileManager.default.temporaryDirectory.path, logger: Logger(label: "test"))
    }

    /// Closes the client's pooled connections and stops the loop; 0 when no handle leaked.
    public func finish() async throws -> Int32? {
        let http = context.http
        try await loopHarness.onLoop { http.shutdown() }
        return await loopHarness.finish()
    }
}
