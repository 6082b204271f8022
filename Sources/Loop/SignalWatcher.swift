import CLibUV

/// Delivers a POSIX signal (`SIGTERM`, `SIGINT`) on the loop thread (`uv_signal_t`).
public final class SignalWatcher: LoopHandle<uv_signal_t>, @unchecked Sendable {
    private var callback: ((Int32) -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_signal_init") { uv_signal_init($0, $1) }
    }

    /// Calls `callback` with the signal number each time `signal` arrives.
    public func start(signal: Int32, _ callback: @escaping (Int32) -> Void) throws(LoopError) {
        loop.assertInLoop()
        self.callback = callback
        try uvCheck(uv_signal_start(raw, { handle, signal in
            SignalWatcher.owner(of: handle).callback?(signal)
        }, signal), "uv_signal_start(\(signal))")
    }

    override func didClose() { callback = nil }
}
