/// The `server.http:` section: limits that keep one slow or greedy client from holding the node's resources.
///
/// Durations accept a number of seconds or a Go duration string (`"500ms"`, `"10s"`, `"1m"`).
public struct HTTPSettings: Sendable, Equatable {
    /// `server.http.max_header_bytes`, in bytes, default 16384. The request line plus headers; a larger head is
    /// answered with 431. Lower bounds memory per connection, higher admits long cookies and tokens.
    public var maxHeaderBytes = 16_384

    /// `server.http.max_body_bytes`, in bytes, default 10485760 (10 MiB). Any body above this gets 413 before it is
    /// read in full. It bounds bulk uploads and batch event posts; single events are also bound by
    /// `server.max_event_size`.
    public var maxBodyBytes = 10_485_760

    /// `server.http.header_timeout`, default 10 s. Time allowed to receive a request's head once its first byte has
    /// arrived; it defeats clients that trickle headers to hold connections open (slowloris).
    public var headerTimeout: Duration = .seconds(10)

    /// `server.http.idle_timeout`, default 60 s. How long a keep-alive connection may sit between requests before the
    /// node closes it. Longer saves reconnects for busy clients, shorter frees sockets sooner.
    public var idleTimeout: Duration = .seconds(60)

    /// `server.http.drain_timeout`, default 10 s. On shutdown, how long in-flight requests may run before their
    /// connections are closed. Longer loses fewer replies during deploys, shorter stops the node faster.
    public var drainTimeout: Duration = .seconds(10)

    /// Settings with every default.
    public init() {}
}
