import CLibUV

/// Wakes the loop from another thread (`uv_async_t`), the only handle call that is thread-safe.
///
/// libuv merges wake-ups: several `signal()` calls before the loop runs give one callback, so the callback must
/// drain whatever the other threads queued rather than count calls (libuv `docs/src/async.rst`).
public final class Wakeup: LoopHandle<uv_async_t>, @unchecked Sendable {
    private var callback: (() -> Void)?

    /// Creates the wake-up on the loop thread; `callback` runs there after one or more `signal()` calls.
    public init(loop: EventLoop, _ callback: @escaping () -> Void) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_async_init") {
            uv_async_init($0, $1) { async in Wakeup.owner(of: async).callback?() }
        }
        self.callback = callback
    }

    /// Schedules the callback; safe from any thread.
    public func signal() {
        _ = uv_async_send(raw)  // Fails only after close, when nobody is left to wake.
    }

    override func didClose() { callback = nil }
}
