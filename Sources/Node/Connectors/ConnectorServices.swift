import Connectors
import HTTP

/// The analytics connectors' parts on this node, as the routes see them: the topic logs, the router that fills
/// them from the incoming log, and the runtime running this node's tasks. They start with the pipeline, so routes
/// answer 503 until then. Loop-bound.
final class ConnectorServices: @unchecked Sendable {
    var topics: TopicStore?
    var router: TopicRouter?
    var runtime: ConnectorRuntime?

    func requireTopics() throws(HTTPError) -> TopicStore {
        guard let topics else { throw HTTPError(.serviceUnavailable, "The node is starting; its topic logs are not open yet") }
        return topics
    }

    func requireRuntime() throws(HTTPError) -> ConnectorRuntime {
        guard let runtime else { throw HTTPError(.serviceUnavailable, "The node is starting; connector tasks are not running yet") }
        return runtime
    }

    /// Tasks first (they read the topic logs), then the router (it writes them), then the logs.
    func close() async {
        await runtime?.close()
        await router?.stop()
        await topics?.close()
    }
}
