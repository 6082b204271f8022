import Loop
import Replication
import Synchronization

/// The node's copy of the replicated admin map on disk (`<data_dir>/state.sqlite`), so a restarted node comes back
/// with it (design.md, "Replicated admin state").
///
/// Loop-bound: call every method on the loop, from a task whose executor is the loop. SQLite never runs there
/// (design.md, "One node, one loop"): each transaction, read and close goes to the `WorkQueue`, and the
/// `StateDatabase` it works on is touched only from pool threads.
///
/// Writes use group commit. While one transaction runs, later calls wait in a queue, and the next transaction
/// writes all of them together, so many concurrent writes cost a few fsyncs rather than one each. Each call returns
/// once its own changes are durable. When a transaction fails, every call in it throws that error and nothing of it
/// is stored, and the next transaction starts afresh.
public final class StateStore: @unchecked Sendable {
    public let loop: EventLoop
    /// The database file; its write-ahead log sits beside it with the suffix `-wal`.
    public let path: String
    let database: StateDatabase
    private let work: WorkQueue

    /// Changes that arrived since the running transaction began, with the calls that wait on them.
    private var pending = PendingBatch()
    /// Whether a transaction is running or queued on the work queue, so a write starts one only when none is.
    private var isCommitting = false
    /// Loads on the work queue; the file is closed only once they finish.
    private var activeReads = 0
    private var lifecycle = Lifecycle.open
    private var closeWaiters: [CheckedContinuation<Void, any Error>] = []
    // Atomics, so metrics may read them from any thread.
    private let lastFileBytes: Atomic<Int>
    private let commits = Atomic<Int>(0)

    private struct PendingBatch {
        var operations: [StateDatabase.Operation] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
    }

    private enum Lifecycle {
        case open
        /// `close()` was called; the file closes once queued writes and running loads finish.
        case draining
        /// The close runs on the work queue.
        case closingFile
        case closed(Result<Void, any Error>)
    }

    private init(loop: EventLoop, database: StateDatabase, fileBytes: Int) {
        self.loop = loop
        self.path = database.path
        self.database = database
        self.work = WorkQueue(loop: loop)
        self.lastFileBytes = Atomic(fileBytes)
    }

    deinit {
        // Releasing an open store would close SQLite on whichever thread let it go, the loop included.
        if case .closed = lifecycle {} else { assertionFailure("StateStore for \(path) released while open") }
    }

    /// Opens the database at `path` on the work queue, creating the file, its parent directory and the schema when
    /// they are missing. Call on the loop. Throws GRDB's `DatabaseError` when SQLite cannot open or migrate the file,
    /// or `StateStoreError.walUnavailable`.
    public static func open(path: String, loop: EventLoop) async throws -> StateStore {
        let (database, bytes) = try await WorkQueue(loop: loop).run {
            let database = try StateDatabase(path: path)
            return (database, database.fileBytes())
        }
        return StateStore(loop: loop, database: database, fileBytes: bytes)
    }

    /// Everything stored: the records to build the in-memory map from at start, and the metadata values. Reads
    /// what committed transactions left, whatever writes are still queued.
    public func load() async throws -> (records: [Record], metadata: [String: UInt64]) {
        loop.assertInLoop()
        guard case .open = lifecycle else { throw StateStoreError.closed }
        activeReads += 1
        defer {
            activeReads -= 1
            closeIfIdle()
        }
        let database = self.database
        return try await work.run { try database.load() }
    }

    /// Stores each record unless the file already holds a version of its key at least as new (wall time, then
    /// counter, then node, as `Version` orders them), so writes may arrive in any order. Returns once durable.
    /// Throws `StateStoreError.closed` after `close()`, `.wallTimeOutOfRange` before queueing anything, or the
    /// error that failed the transaction.
    public func write(_ records: [Record]) async throws {
        try admit(records)
        guard !records.isEmpty else { return }
        try await enqueue([.upsert(records)])
    }

    /// Stores `value` under `name`, replacing what was there, in the same group commit as records: for the few
    /// integers the node must not lose, such as the id allocator's last sequence or the hybrid clock's last wall
    /// time. Returns once durable.
    public func setMetadata(_ name: String, _ value: UInt64) async throws {
        try await setMetadata([name: value])
    }

    /// Stores several metadata values in one transaction: all of them or none.
    public func setMetadata(_ values: [String: UInt64]) async throws {
        loop.assertInLoop()
        guard !values.isEmpty else { return }
        try await enqueue(values.sorted { $0.key < $1.key }.map { .metadata(name: $0.key, value: $0.value) })
    }

    /// Removes each record's key if the stored version still equals the record's: a purged tombstone goes, a newer
    /// write that replaced it stays. Returns once durable.
    public func delete(_ records: [Record]) async throws {
        try admit(records)
        guard !records.isEmpty else { return }
        try await enqueue([.delete(records)])
    }

    /// Bytes of the database file and its write-ahead log, measured after the last commit (a cached value, cheap
    /// from any thread).
    public var fileBytes: Int { lastFileBytes.load(ordering: .relaxed) }

    /// Whether a transaction is queued or running; tests wait on it.
    var isBusy: Bool { isCommitting }

    /// Transactions committed since open: with group commit, far fewer than the calls they served.
    public var transactionCount: Int { commits.load(ordering: .relaxed) }

    /// Refuses new calls and closes the file once queued writes and running loads finish. Idempotent.
    public func close() {
        loop.assertInLoop()
        guard case .open = lifecycle else { return }
        lifecycle = .draining
        closeIfIdle()
    }

    /// `close()`, then waits until the file is closed. Throws GRDB's error if SQLite failed to close it.
    public func closeAndWait() async throws {
        close()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // Checked here rather than before the call, which may pass through the loop's job queue first.
            if case .closed(let result) = lifecycle { continuation.resume(with: result) } else { closeWaiters.append(continuation) }
        }
    }

    /// Checks a call before it queues anything, so one bad record fails only its own caller.
    private func admit(_ records: [Record]) throws {
        loop.assertInLoop()
        guard case .open = lifecycle else { throw StateStoreError.closed }
        if let record = records.first(where: { !StateDatabase.canStore($0) }) {
            throw StateStoreError.wallTimeOutOfRange(key: record.key, version: record.version)
        }
    }

    /// Queues `operations` for the same transaction.
    private func enqueue(_ operations: [StateDatabase.Operation]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // Checked again here, where the operation joins the queue: each async call may pass through the loop's
            // job queue, so close() can have run since the caller's first check.
            guard case .open = lifecycle else { return continuation.resume(throwing: StateStoreError.closed) }
            pending.operations.append(contentsOf: operations)
            pending.waiters.append(continuation)
            guard !isCommitting else { return }
            isCommitting = true
            // A task of its own rather than this caller: the caller returns as soon as its batch is durable, while
            // the committer goes on with whatever queued meanwhile. It runs after the jobs already queued on the
            // loop, so a burst of writes lands in its first transaction.
            Task(executorPreference: loop) { await self.commitPending() }
        }
    }

    /// Commits queued batches one transaction at a time until none is left.
    private func commitPending() async {
        while !pending.operations.isEmpty {
            let batch = pending
            pending = PendingBatch()
            let database = self.database
            let operations = batch.operations
            do {
                let bytes = try await work.run {
                    try database.commit(operations)
                    return database.fileBytes()
                }
                lastFileBytes.store(bytes, ordering: .relaxed)
                commits.add(1, ordering: .relaxed)
                for waiter in batch.waiters { waiter.resume() }
            } catch {
                for waiter in batch.waiters { waiter.resume(throwing: error) }
            }
        }
        isCommitting = false
        closeIfIdle()
    }

    private func closeIfIdle() {
        guard case .draining = lifecycle, !isCommitting, activeReads == 0 else { return }
        lifecycle = .closingFile
        let database = self.database
        Task(executorPreference: loop) {
            let result: Result<Void, any Error>
            do {
                try await self.work.run { try database.close() }
                result = .success(())
            } catch {
                result = .failure(error)
            }
            self.lifecycle = .closed(result)
            for waiter in self.closeWaiters { waiter.resume(with: result) }
            self.closeWaiters = []
        }
    }
}
