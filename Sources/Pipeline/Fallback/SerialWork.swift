import Loop

/// Work-queue items that must not overlap (appends to one file and its rotation), run one at a time in call order.
/// Loop-bound.
final class SerialWork: @unchecked Sendable {
    private let loop: EventLoop
    private let work: WorkQueue
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(loop: EventLoop) {
        self.loop = loop
        work = WorkQueue(loop: loop)
    }

    func run<T: Sendable>(_ operation: @escaping @Sendable () throws -> T) async throws -> T {
        loop.assertInLoop()
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty {
                busy = false
            } else {
                // Hand over without clearing `busy`, so no newcomer slips in ahead of the queue.
                waiting.removeFirst().resume()
            }
        }
        return try await work.run(operation)
    }
}
