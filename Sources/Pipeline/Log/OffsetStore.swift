import Foundation
import Loop

/// Each destination's committed offset in the incoming log (`incoming/offsets.json`): where its runner resumes
/// after a restart. Loop-bound.
///
/// A commit updates memory at once and is written behind (temporary file, fsync, rename), coalescing commits that
/// arrive during a write or until `writeInterval` has passed since the last one started. A crash may lose the
/// newest commits, which only re-delivers events: delivery is at-least-once. Segment trimming uses `durable`
/// offsets only, so no event is deleted before its commit is on disk.
public final class OffsetStore: @unchecked Sendable {
    public let loop: EventLoop
    public let path: String
    private let work: WorkQueue
    private var offsets: [String: UInt64]
    /// What the file holds now.
    public private(set) var durable: [String: UInt64]
    /// A write is under way or waiting for `writeInterval` to pass.
    private var isWriting = false
    private var lastWriteStart: ContinuousClock.Instant?
    private var isDirty = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Called on the loop after each completed write, with the durable offsets.
    public var onDurable: (([String: UInt64]) -> Void)?

    /// The least time from one write's start to the next: readers of a busy log commit after every read, and each
    /// write is an fsync on the disk whose time the incoming log's group commits, and so every request, wait for.
    static let writeInterval = Duration.milliseconds(100)

    private init(loop: EventLoop, path: String, offsets: [String: UInt64]) {
        self.loop = loop
        self.path = path
        self.work = WorkQueue(loop: loop)
        self.offsets = offsets
        self.durable = offsets
    }

    public static func open(path: String, loop: EventLoop) async throws -> OffsetStore {
        let offsets = try await WorkQueue(loop: loop).run { () throws -> [String: UInt64] in
            guard let data = FileManager.default.contents(atPath: path) else { return [:] }
            do {
                return try JSONDecoder().decode([String: UInt64].self, from: data)
            } catch {
                throw FileError(operation: "read \(path): \(error)", code: EIO)
            }
        }
        return OffsetStore(loop: loop, path: path, offsets: offsets)
    }

    public func offset(of destination: String) -> UInt64? { offsets[destination] }

    public func commit(_ offset: UInt64, for destination: String) {
        loop.assertInLoop()
        guard offsets[destination] != offset else { return }
        offsets[destination] = offset
        isDirty = true
        if !isWriting { write() }
    }

    private func write() {
        isWriting = true
        let path = path
        Task.immediate(executorPreference: loop) { [self] in
            if let last = lastWriteStart { try? await Task.sleep(until: last + Self.writeInterval) }
            lastWriteStart = .now
            // Taken after the wait, so the write carries every commit made during it.
            isDirty = false
            let snapshot = offsets
            var failed = false
            do {
                try await work.run { try FileIO.replace(path, with: Array(try JSONEncoder().encode(snapshot))) }
                durable = snapshot
                onDurable?(snapshot)
            } catch {
                // The next commit tries again; until then the older offsets stand, which re-delivers at worst.
                failed = true
            }
            if isDirty, !failed {
                write()
            } else {
                isWriting = false
                let waiters = idleWaiters
                idleWaiters.removeAll()
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    /// Waits until the latest commits are on disk (shutdown).
    public func flush() async {
        loop.assertInLoop()
        if isWriting { await withCheckedContinuation { idleWaiters.append($0) } }
    }
}
