/// Races an async operation against a loop timer, for calls whose own timeouts are not enough: the HTTP client has
/// a connect timeout and a read timeout, but forwarding promises one bound on both together.
///
/// The operation is not cancelled when the deadline passes (the client does not observe cancellation); it runs to
/// its own end on the loop and its result is dropped. Loop-bound.
public enum LoopDeadline {
    public enum Failure: Error {
        case timedOut
        case failed(any Error)
    }

    /// Runs `operation` as a task on `loop` and returns its result, or `.timedOut` once `milliseconds` passed first.
    public static func run<T: Sendable>(on loop: EventLoop, milliseconds: UInt64, _ operation: @escaping @Sendable () async throws -> T) async -> Result<T, Failure> {
        loop.assertInLoop()
        let timer: LoopTimer
        do {
            timer = try LoopTimer(loop: loop)
        } catch {
            return .failure(.failed(error))
        }
        return await withCheckedContinuation { continuation in
            let race = Race(continuation)
            timer.start(after: milliseconds) {
                timer.close()
                race.finish(.failure(.timedOut))
            }
            Task.immediate(executorPreference: loop) {
                let result: Result<T, Failure>
                do {
                    result = .success(try await operation())
                } catch {
                    result = .failure(.failed(error))
                }
                timer.close()
                race.finish(result)
            }
        }
    }

    /// The continuation both sides race to resume; whoever comes second finds it gone. Touched on the loop only.
    private final class Race<T: Sendable>: @unchecked Sendable {
        private var continuation: CheckedContinuation<Result<T, Failure>, Never>?

        init(_ continuation: CheckedContinuation<Result<T, Failure>, Never>) { self.continuation = continuation }

        func finish(_ result: Result<T, Failure>) {
            guard let continuation else { return }
            self.continuation = nil
            continuation.resume(returning: result)
        }
    }
}
