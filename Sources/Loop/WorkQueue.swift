/// Where the loop's blocking calls run (`BackgroundWork.blocking`): an fsync, a SQLite write or a file read happens
/// there and its result comes back to the loop thread, so the loop never waits on the disk.
///
/// Not libuv's pool (`uv_queue_work`): handing it an item signals a condition variable, and glibc's
/// `pthread_cond_signal` may wait until the threads it woke earlier have run; on two busy cores the loop thread
/// waited there a few hundred times in 6 s of ingestion, once per group commit at worst.
public struct WorkQueue: Sendable {
    public let loop: EventLoop

    public init(loop: EventLoop) { self.loop = loop }

    /// Runs `work` on a blocking-work thread and returns its result on the loop. Must be called on the loop thread
    /// (from a task whose executor is the loop).
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        loop.assertInLoop()
        return try await BackgroundWork.blocking.run(work)
    }
}
