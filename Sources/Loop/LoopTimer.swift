import CLibUV

/// A one-shot or repeating libuv timer (`uv_timer_t`). Foundation owns the name `Timer`.
///
/// State machines schedule their next tick themselves with a one-shot start, because Lifeguard stretches intervals
/// under load; repeating mode is for fixed housekeeping such as the loop-lag probe.
public final class LoopTimer: LoopHandle<uv_timer_t>, @unchecked Sendable {
    private var callback: (() -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_timer_init") { uv_timer_init($0, $1) }
    }

    /// Fires `callback` after `milliseconds`, then every `repeatEvery` milliseconds when that is non-zero.
    /// Starting a started timer re-arms it.
    public func start(after milliseconds: UInt64, repeatEvery: UInt64 = 0, _ callback: @escaping () -> Void) {
        loop.assertInLoop()
        precondition(!isClosed, "start on a closed timer")
        self.callback = callback
        // uv_timer_start fails only on a closing handle, excluded above.
        _ = uv_timer_start(raw, { timer in
            LoopTimer.owner(of: timer).callback?()
        }, milliseconds, repeatEvery)
    }

    /// Disarms the timer; it may be started again.
    public func stop() {
        loop.assertInLoop()
        guard !isClosed else { return }
        _ = uv_timer_stop(raw)  // Cannot fail on an open handle.
    }

    override func didClose() { callback = nil }
}

extension Duration {
    /// Whole milliseconds, libuv's timer unit; negative durations count as zero.
    public var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
