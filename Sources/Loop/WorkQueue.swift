import CLibUV

/// libuv's thread pool (`uv_queue_work`): blocking or CPU-heavy work runs there, and its result comes back to the
/// loop thread, so the loop never waits on an fsync, a SQLite write or a large script.
public struct WorkQueue: Sendable {
    public let loop: EventLoop

    public init(loop: EventLoop) { self.loop = loop }

    /// Runs `work` on a pool thread and returns its result on the loop. Must be called on the loop thread (from a
    /// task whose executor is the loop). A work item that never started because the loop stopped throws
    /// `LoopError` with `isCanceled`.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        loop.assertInLoop()
        return try await withCheckedThrowingContinuation { continuation in
            let box = RequestBox<uv_work_t, WorkItem<T>>(WorkItem(work: work, continuation: continuation))
            let code = uv_queue_work(loop.raw, box.request, { request in
                // Pool thread: only the box's own fields are touched here.
                let data = request!.pointee.data!
                (Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as! WorkRunner).perform()
            }, { request, status in
                let data = request!.pointee.data!
                (Unmanaged<AnyObject>.fromOpaque(data).takeRetainedValue() as! WorkRunner).finish(status: status)
            })
            if code < 0 {
                box.release()
                continuation.resume(throwing: LoopError(code: code, operation: "uv_queue_work"))
            }
        }
    }
}

/// Non-generic face of a work box, for the C callbacks that cannot name its type.
protocol WorkRunner: AnyObject {
    func perform()
    func finish(status: Int32)
}

final class WorkItem<T: Sendable>: @unchecked Sendable {
    let work: @Sendable () throws -> T
    let continuation: CheckedContinuation<T, any Error>
    /// Written on the pool thread, read on the loop thread after libuv's hand-over, which orders the two.
    var result: Result<T, any Error>?

    init(work: @escaping @Sendable () throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.work = work
        self.continuation = continuation
    }
}

extension RequestBox: WorkRunner where Request == uv_work_t {
    func perform() {
        (payload as! any WorkResultSlot).fill()
    }

    func finish(status: Int32) {
        (payload as! any WorkResultSlot).complete(status: status)
    }
}

protocol WorkResultSlot {
    func fill()
    func complete(status: Int32)
}

extension WorkItem: WorkResultSlot {
    func fill() { result = Result { try work() } }

    func complete(status: Int32) {
        if status == Int32(UV_ECANCELED.rawValue) {
            continuation.resume(throwing: LoopError(code: status, operation: "uv_queue_work"))
        } else {
            continuation.resume(with: result!)
        }
    }
}
