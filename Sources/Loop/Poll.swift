import CLibUV

/// Readiness of a socket that a C library owns (`uv_poll_t`): libpq and other clients with a non-blocking API read
/// and write the socket themselves and only need to hear when it is readable or writable.
///
/// The socket stays the library's: closing the poll never closes it. Close the poll before the library closes the
/// socket, and make a new poll when the library switches to another socket (libpq does while connecting), since a
/// reused descriptor number may then stand for a different socket (libuv `docs/src/poll.rst`).
public final class Poll: LoopHandle<uv_poll_t>, @unchecked Sendable {
    /// What to wait for, or what happened.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let readable = Events(rawValue: Int32(UV_READABLE.rawValue))
        public static let writable = Events(rawValue: Int32(UV_WRITABLE.rawValue))
    }

    /// The watched descriptor.
    public let socket: Int32
    private var callback: ((Result<Events, LoopError>) -> Void)?

    /// Watches `socket`, which the caller keeps owning; nothing is reported before `start`.
    public init(loop: EventLoop, socket: Int32) throws(LoopError) {
        self.socket = socket
        try super.init(loop: loop, operation: "uv_poll_init(\(socket))") { uv_poll_init($0, $1, socket) }
    }

    /// Reports `events` to `callback` each time the socket is ready for some of them, until `stop()` or `close()`.
    /// A socket in an error state (a refused connect, a reset) is reported as a failure with `EBADF`, and polling
    /// stops (libuv `uv__poll_io`): the owner of the socket learns the real error from its next call on it.
    /// Starting again replaces both the events and the callback.
    public func start(_ events: Events, _ callback: @escaping (Result<Events, LoopError>) -> Void) throws(LoopError) {
        loop.assertInLoop()
        precondition(!isClosed, "start on a closed poll")
        self.callback = callback
        try uvCheck(uv_poll_start(raw, events.rawValue) { poll, status, events in
            let owner = Poll.owner(of: poll)
            owner.callback?(status < 0 ? .failure(LoopError(code: status, operation: "uv_poll")) : .success(Events(rawValue: events)))
        }, "uv_poll_start(\(socket))")
    }

    /// Stops reporting; `start` may be called again.
    public func stop() {
        loop.assertInLoop()
        guard !isClosed else { return }
        _ = uv_poll_stop(raw)  // Cannot fail on an open handle.
    }

    override func didClose() { callback = nil }
}
