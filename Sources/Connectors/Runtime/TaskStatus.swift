/// How one connector's task on one node is doing, as the status route gathers it from every node.
public struct TaskStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Reading its topics and writing flushes.
        case running = "RUNNING"
        /// Its last flush failed (or its sink could not be built); it retries with backoff.
        case failed = "FAILED"
        /// Deactivated or deleted.
        case stopped = "STOPPED"
    }

    public var node: String
    public var state: State
    /// Why the last flush failed, while `state` is `failed`.
    public var error: String?
    /// When the task came to this state (RFC 3339).
    public var since: String
    /// Events written to the sink since the task started.
    public var delivered: UInt64
    /// Events in this node's topic logs the task has not committed yet.
    public var lag: UInt64

    public init(node: String, state: State, error: String? = nil, since: String, delivered: UInt64 = 0, lag: UInt64 = 0) {
        self.node = node
        self.state = state
        self.error = error
        self.since = since
        self.delivered = delivered
        self.lag = lag
    }
}
