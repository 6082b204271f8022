import CLibUV
import Foundation
import Synchronization

/// Threads that run the loop's blocking and CPU-heavy work and hand the results back to it.
///
/// `shared` runs at a lower CPU priority (nice 10), for bulk work that may lag but must not slow requests: shaping
/// thousands of events for a destination, encoding a COPY. On a machine with few cores, running that work at normal
/// priority took the loop's CPU and stretched request latency tenfold; here the scheduler gives the loop (and the
/// fsyncs) the CPU first, and the bulk work uses what is left. A lower priority still let a burst of bulk work (a
/// batch delivery) sit on the loop's core: the loop waited in that core's run queue for milliseconds while the other
/// core was idle, so `shared` also keeps off one core (the lowest-numbered it may use), which leaves the loop a core
/// no bulk work contends for. `blocking` runs at normal priority on every core, for work that
/// mostly waits on the disk (`WorkQueue`). Two sets, because an unprivileged process may lower a thread's priority
/// but never raise it back, so a thread lowered for one item would stay slow for every fsync after it.
public final class BackgroundWork: @unchecked Sendable {
    /// Bulk CPU work, one thread per core it may use.
    public static let shared = BackgroundWork(threads: max(1, ProcessInfo.processInfo.activeProcessorCount - 1), nice: 10,
                                              name: "rivulet-bg", leavesACoreFree: true)
    /// Blocking calls (fsync, SQLite, file reads and writes): enough threads that a slow disk's calls do not hold
    /// the others back.
    public static let blocking = BackgroundWork(threads: 16, nice: 0, name: "rivulet-io")

    /// Jobs waiting, and one semaphore count per job. Not a condition variable: glibc's `pthread_cond_signal` may
    /// wait for threads it woke earlier to run, and the loop, which hands the jobs over, must not wait.
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    init(threads: Int, nice: Int32, name: String, leavesACoreFree: Bool = false) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                nameCurrentThread("\(name)-\(index)")
                if leavesACoreFree { _ = rivulet_leave_first_cpu() }
                // On Linux the nice value belongs to the thread: `who` 0 lowers only this one.
                if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
                work()
            }
            thread.start()
        }
    }

    private func work() {
        while true {
            ready.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job()
        }
    }

    /// Runs `work` on a background thread; the caller resumes on its own executor (the loop) with the result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `job` on a background thread; returns at once.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
