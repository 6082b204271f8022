import Loop

/// Limits that keep one slow or greedy client from pinning or exhausting the node. YAML: `server.http`.
/// Durations in YAML take seconds or Go's syntax (`"500ms"`, `"10s"`).
public struct HTTPLimits: Sendable, Equatable {
    /// `max_header_bytes`, default 16 KiB (nginx's large header buffer): request line plus header fields; beyond it
    /// the answer is 431 and the connection closes. Higher admits long cookies and tokens at the cost of memory.
    public var maxHeaderBytes = 16 * 1024
    /// `max_body_bytes`, default 10 MiB: a request body after de-chunking; beyond it, 413 before the rest is read.
    /// Bulk event uploads are the largest bodies; each request's body is held in memory, so raise it with care.
    public var maxBodyBytes = 10 * 1024 * 1024
    /// `header_timeout`, default 10 s: time to receive a request's head once it started, and between body chunks;
    /// then 408 and close, so clients trickling bytes cannot pin connections (slowloris).
    public var headerTimeout: Duration = .seconds(10)
    /// `idle_timeout`, default 60 s: how long a keep-alive connection may sit between requests. Above typical
    /// load-balancer idle timeouts, so the balancer closes first and never races our close.
    public var idleTimeout: Duration = .seconds(60)
    /// `drain_timeout`, default 10 s: on shutdown, how long requests in flight may run before their connections are
    /// closed. Longer loses fewer replies during deploys; shorter stops the node faster.
    public var drainTimeout: Duration = .seconds(10)
    /// Requests parsed ahead of the one being answered before reading pauses (pipelining back-pressure).
    public var maxPipelinedRequests = 16
    /// Bytes of responses queued for the kernel before reading pauses (write back-pressure).
    public var maxPendingWriteBytes = 1 << 20

    public init() {}

    var headerTimeoutMilliseconds: UInt64 { headerTimeout.milliseconds }
    var idleTimeoutMilliseconds: UInt64 { idleTimeout.milliseconds }

    /// How often deadlines are checked: a quarter of the shortest timeout, between 10 ms and 1 s.
    var sweepInterval: UInt64 { min(1000, max(10, min(headerTimeoutMilliseconds, idleTimeoutMilliseconds) / 4)) }
}
