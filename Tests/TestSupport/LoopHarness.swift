import Loop

/// A loop on its own thread for a test: `onLoop` runs code there, `finish()` stops it and returns
/// `uv_loop_close`'s result, which is 0 only when every handle was closed.
public final class LoopHarness: Sendable {
    public let loop: EventLoop
    private let thread: LoopThread

    public init() throws {
        loop = try EventLoop()
        thread = loop.runOnNewThread()
    }

    /// Runs `body` on the loop thread and returns its result.
    public func onLoop<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task(executorPreference: loop) { try await body() }.value
    }

    /// Stops the loop; nil means it did not stop within 5 s.
    public func finish() async -> Int32? {
        await thread.stopAndJoin()
    }
}
