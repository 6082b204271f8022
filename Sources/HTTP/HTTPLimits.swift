/// Limits that keep one client from pinning or exhausting the node. YAML: `server.http`.
public struct HTTPLimits: Sendable, Equatable {
    /// Bytes of request line plus header fields (`max_header_bytes`, default 16 KiB, as nginx's large buffers);
    /// beyond it the answer is 431 and the connection closes. Larger allows bigger cookies at the cost of memory.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Bytes of a request body after de-chunking (`max_body_bytes`, default 10 MiB); beyond it, 413. Bulk event
    /// uploads are the largest bodies; raise it for them, knowing each request's body is held in memory.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// Milliseconds to receive a request's head once it started, and between body chunks (`header_timeout`,
    /// default 10 s); then 408 and close, so slow clients cannot pin connections (slowloris).
    public var headerTimeout: UInt64 = 10_000
    /// Milliseconds a keep-alive connection may sit idle between requests (`idle_timeout`, default 60 s, above
    /// typical load-balancer idle timeouts so the balancer closes first and never races a close).
    public var idleTimeout: UInt64 = 60_000
    /// Requests parsed ahead of the one being answered before reading pauses (pipelining back-pressure).
    public var maxPipelinedRequests: Int = 16
    /// Bytes of responses queued in the kernel before reading pauses (write back-pressure).
    public var maxPendingWriteBytes: Int = 1 << 20

    public init() {}

    /// How often deadlines are checked: a quarter of the shortest timeout, between 10 ms and 1 s.
    var sweepInterval: UInt64 { min(1000, max(10, min(headerTimeout, idleTimeout) / 4)) }
}
