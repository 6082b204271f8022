import Loop

/// A sleep on the loop that another task can cut short: backoff between retries, the batch period, and waiting for
/// new records all end early when the runner stops. Loop-bound.
public final class Pause: @unchecked Sendable {
    private let timer: LoopTimer
    private var sleeper: CheckedContinuation<Void, Never>?

    public init(loop: EventLoop) throws {
        timer = try LoopTimer(loop: loop)
    }

    /// Returns after `duration`, or sooner on `wake()`.
    public func sleep(_ duration: Duration) async {
        await withCheckedContinuation { continuation in
            sleeper = continuation
            timer.start(after: duration.milliseconds) { [self] in wake() }
        }
    }

    public func wake() {
        guard let sleeper else { return }
        self.sleeper = nil
        timer.stop()
        sleeper.resume()
    }

    public func close() {
        wake()
        timer.close()
    }
}
