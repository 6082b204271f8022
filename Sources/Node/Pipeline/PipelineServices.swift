import HTTP
import Pipeline

/// The data plane as the routes see it: the API keys and intake rules from the configuration at once, the running
/// pipeline once the node has opened its log. Loop-bound.
final class PipelineServices: @unchecked Sendable {
    let apiKeys: APIKeys
    let intake: EventIntake
    var pipeline: EventPipeline?
    /// Replays of this node's files and the listing of them, once the pipeline is open.
    var replay: ReplayService?
    var catalog: FallbackCatalog?
    /// For destination tests, available once the node's HTTP client exists.
    var context: DestinationContext?

    init(apiKeys: APIKeys, intake: EventIntake) {
        self.apiKeys = apiKeys
        self.intake = intake
    }

    func requirePipeline() throws(HTTPError) -> EventPipeline {
        guard let pipeline else { throw HTTPError(.serviceUnavailable, "The node is starting; the event pipeline is not open yet") }
        return pipeline
    }

    func requireContext() throws(HTTPError) -> DestinationContext {
        guard let context else { throw HTTPError(.serviceUnavailable, "The node is starting") }
        return context
    }

    func requireReplay() throws(HTTPError) -> ReplayService {
        guard let replay else { throw HTTPError(.serviceUnavailable, "The node is starting; replay is not ready yet") }
        return replay
    }

    func requireCatalog() throws(HTTPError) -> FallbackCatalog {
        guard let catalog else { throw HTTPError(.serviceUnavailable, "The node is starting; its fallback files are not listed yet") }
        return catalog
    }
}
