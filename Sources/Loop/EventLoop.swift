import CLibUV
import Foundation
import Synchronization

/// One libuv loop and the thread that runs it: every socket, timer and Swift task of a node lives here.
///
/// The loop is also a `SerialExecutor` and a `TaskExecutor`, so `Task(executorPreference: loop)` and actors that
/// return `loop.asUnownedSerialExecutor()` run their code on the loop thread and touch loop-owned state without locks.
/// Only `enqueue` (the executor entry) and `Wakeup.signal()` may be called from other threads; every other API of
/// this module is loop-bound and checks the calling thread in debug builds.
public final class EventLoop: @unchecked Sendable {
    let raw: UnsafeMutablePointer<uv_loop_t>
    /// Jobs enqueued by the Swift runtime, drained on the loop thread. A Mutex because `enqueue` may come from any
    /// thread; `uv_async_send` merges wake-ups, so each drain empties the whole queue. `closed` is set by stop()
    /// under the same lock, so no enqueue can signal the wake-up once its close has begun.
    private let jobs = Mutex<(queue: [UnownedJob], closed: Bool)>(([], false))
    private let jobWakeup: UnsafeMutablePointer<uv_async_t>
    /// Whether `jobs.queue` may hold jobs, read without the lock between I/O callbacks (`runQueuedJobs`).
    private let hasQueuedJobs = Atomic<Bool>(false)
    /// The jobs being run, loop-only: swapped with `jobs.queue` under its lock.
    private var draining: [UnownedJob] = []
    private let loopThread = Mutex<pthread_t?>(nil)
    private var stopped = false
    /// Every open handle of ours, so stop() can close them; libuv's own walk would also meet handles we do not own.
    private var openHandles: [ObjectIdentifier: any ClosableHandle] = [:]
    /// Shared receive buffer: reads are consumed before their callback returns (libuv `docs/src/udp.rst`), so one
    /// buffer serves every socket of the loop and a read costs no allocation.
    let readBuffer: UnsafeMutableRawBufferPointer

    /// Size of the shared receive buffer: one TCP read or one UDP datagram at most.
    static let readBufferSize = 64 * 1024

    public init() throws(LoopError) {
        raw = .allocate(capacity: 1)
        if let error = Self.check(uv_loop_init(raw), "uv_loop_init") {
            raw.deallocate()
            throw error
        }
        jobWakeup = .allocate(capacity: 1)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        // The job wake-up keeps the loop alive until stop(): tasks may be waiting on work that holds no handle.
        _ = uv_async_init(raw, jobWakeup) { async in
            let loop = Unmanaged<EventLoop>.fromOpaque(async!.pointee.loop.pointee.data).takeUnretainedValue()
            loop.drainJobs()
        }
    }

    deinit {
        readBuffer.deallocate()
        raw.deallocate()
    }

    private static func check(_ code: Int32, _ operation: String) -> LoopError? {
        code < 0 ? LoopError(code: code, operation: operation) : nil
    }

    /// Whether the caller runs on this loop's thread.
    public var isInLoopThread: Bool {
        guard let owner = loopThread.withLock({ $0 }) else { return false }
        return pthread_equal(owner, pthread_self()) != 0
    }

    /// Traps when called off the loop thread; free in release builds. Every loop-bound API calls it.
    @inline(__always)
    public func assertInLoop(_ function: StaticString = #function) {
        assert(isInLoopThread, "\(function) called off the loop thread")
    }

    /// The `uv_loop_t *` itself, for a C library that brings its own libuv adapter (hiredis' `redisLibuvAttach`).
    /// Untyped, so other modules never name libuv's types. Handles such a library opens are not ours: `stop()`
    /// does not know them, so their owner must close them before the loop stops, or `run()` never returns.
    public var unsafeLoopPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(raw) }

    /// The loop's cached time in milliseconds (`uv_now`), updated once per iteration.
    public var now: UInt64 { uv_now(raw) }

    /// Runs the loop on the calling thread until `stop()` was called and every handle has closed.
    ///
    /// Returns libuv's `uv_loop_close` result: 0 when nothing leaked; tests check it.
    @discardableResult
    public func run() -> Int32 {
        loopThread.withLock { $0 = pthread_self() }
        // The job wake-up is referenced until stop(), so this returns only after stop() and every close callback.
        uv_run(raw, UV_RUN_DEFAULT)
        let result = uv_loop_close(raw)
        loopThread.withLock { $0 = nil }
        return result
    }

    /// Starts `run()` on a new thread, for tests and tools that need a loop beside the caller's thread.
    public func runOnNewThread() -> LoopThread {
        let thread = LoopThread(loop: self)
        thread.start()
        return thread
    }

    /// Closes every handle that is still open and lets `run()` return once their close callbacks ran.
    ///
    /// Jobs enqueued after this point never run: stopping is the end of the loop's life.
    public func stop() {
        assertInLoop()
        guard !stopped else { return }
        stopped = true
        for handle in openHandles.values { handle.close() }
        jobs.withLock { $0.closed = true }
        uv_close(UnsafeMutableRawPointer(jobWakeup).assumingMemoryBound(to: uv_handle_t.self)) { handle in
            handle?.deallocate()
        }
    }

    func register(_ handle: any ClosableHandle) { openHandles[ObjectIdentifier(handle)] = handle }
    func unregister(_ handle: any ClosableHandle) { openHandles[ObjectIdentifier(handle)] = nil }

    /// Runs the jobs queued so far, between two I/O callbacks rather than at the wake-up's turn in the iteration.
    /// A group commit finishing on an I/O thread queues the job that answers its requests; when one iteration reads
    /// dozens of requests, the wake-up's turn may come only after all of them were parsed, and the disk sits idle
    /// meanwhile with the next commit's records. Called by `TCPConnection` after each read callback, where no job
    /// is running. An atomic load when nothing is queued.
    func runQueuedJobs() {
        if hasQueuedJobs.load(ordering: .relaxed) { drainJobs() }
    }

    /// Runs every queued job, including jobs that those jobs enqueue. The queue's storage and this drain's swap
    /// places, so draining allocates nothing (it runs after every read under load).
    private func drainJobs() {
        while true {
            jobs.withLock { jobs in
                swap(&jobs.queue, &draining)
                hasQueuedJobs.store(false, ordering: .relaxed)
            }
            if draining.isEmpty { return }
            let serial = asUnownedSerialExecutor()
            let task = asUnownedTaskExecutor()
            for job in draining {
                job.runSynchronously(isolatedTo: serial, taskExecutor: task)
            }
            draining.removeAll(keepingCapacity: true)
        }
    }
}

extension EventLoop: SerialExecutor, TaskExecutor {
    /// Queues a Swift job to run on the loop thread; safe from any thread. After `stop()` jobs are dropped: a task
    /// still waiting then (a work item finishing during shutdown) never resumes, which ends with the process.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { jobs in
            guard !jobs.closed else { return }
            jobs.queue.append(unowned)
            hasQueuedJobs.store(true, ordering: .relaxed)
            // Inside the lock: stop() marks the queue closed before closing the wake-up, so this never signals a
            // closed handle. uv_async_send is an atomic flag and at most one write, cheap enough to hold it for.
            _ = uv_async_send(jobWakeup)
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isInLoopThread, "expected to run on the rivulet event loop thread")
    }
}

/// A loop running on a thread of its own; `stopAndJoin()` ends it and reports whether every handle closed.
public final class LoopThread: @unchecked Sendable {
    public let loop: EventLoop
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Int32?>(nil)

    init(loop: EventLoop) { self.loop = loop }

    func start() {
        let thread = Thread { [self] in
            nameCurrentThread("rivulet-loop")
            let code = loop.run()
            result.withLock { $0 = code }
            done.signal()
        }
        thread.start()
    }

    /// Stops the loop from its own thread, waits for `run()` to return, and gives `uv_loop_close`'s result
    /// (0 when no handle leaked), or nil when the loop did not finish within `timeout` seconds.
    public func stopAndJoin(timeout: Double = 5) async -> Int32? {
        let loop = self.loop
        await Task(executorPreference: loop) { loop.stop() }.value
        let done = self.done
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: done.wait(timeout: .now() + timeout) == .success)
            }
        }
        return finished ? result.withLock { $0 } : nil
    }
}
