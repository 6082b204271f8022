import Foundation
import Loop
import Templates

/// `POST /api/v1/replay` on the node that holds the file: checks the request, runs the replay (now, or as a job
/// whose progress `GET /api/v1/replay/{job}` shows), and records the outcome beside the file. One replay per file
/// at a time. Loop-bound.
public final class ReplayService: @unchecked Sendable {
    public struct Request: Sendable {
        public var fileName: String
        public var destinationID: String?
        public var format: ReplayFormat
        public var skipMalformed: Bool
        public var force: Bool

        public init(fileName: String, destinationID: String? = nil, format: ReplayFormat = .fallback, skipMalformed: Bool = false, force: Bool = false) {
            self.fileName = fileName
            self.destinationID = destinationID
            self.format = format
            self.skipMalformed = skipMalformed
            self.force = force
        }
    }

    /// A replay's state, as the API shows it; the final state doubles as the synchronous answer.
    public struct Job: Codable, Sendable, Equatable {
        public var job: String
        public var instance: String
        public var file_name: String
        public var destination_id: String
        /// `running`, `ok` or `failed`.
        public var status: String
        /// `validating` (reading every line once before writing, without `skip_malformed`), `replaying`, `done`.
        public var phase: String
        public var lines_read: Int
        public var bytes_read: UInt64
        public var bytes_total: UInt64
        /// Of the whole job (both passes when there are two).
        public var percent: Double
        public var events_per_sec: Double
        public var replayed: Int
        public var skipped_malformed: Int
        public var failed_again: Int
        public var error: String?
        public var started_at: String
        public var duration_ms: Int
    }

    let pipeline: EventPipeline
    let allowedDirectories: [String]
    var instance: String { pipeline.settings.nodeName }
    /// Real paths of the files being replayed.
    private var active: Set<String> = []
    private var jobs: [String: Job] = [:]
    private var jobOrder: [String] = []
    private var work: WorkQueue { WorkQueue(loop: pipeline.context.loop) }
    /// Finished jobs kept for `GET /api/v1/replay/{job}`.
    public static let jobsKept = 100

    public init(pipeline: EventPipeline, allowedDirectories: [String]) {
        self.pipeline = pipeline
        self.allowedDirectories = allowedDirectories
    }

    /// Replays and returns the finished job; a failure of the replay itself is thrown.
    public func replay(_ request: Request) async throws(ReplayError) -> Job {
        let prepared = try await prepare(request)
        let job = await execute(prepared)
        if let error = job.error, job.status == "failed" { throw prepared.failure ?? .unreadable(error) }
        return job
    }

    /// Checks the request and starts the replay as a job; returns it in its first state.
    public func start(_ request: Request) async throws(ReplayError) -> Job {
        let prepared = try await prepare(request)
        Task.immediate(executorPreference: pipeline.context.loop) { _ = await self.execute(prepared) }
        return jobs[prepared.jobID]!
    }

    /// A job of this node, running or among the last finished ones.
    public func job(_ id: String) -> Job? { jobs[id] }

    /// `<instance>-<8 hex digits>`: the instance (everything before the last `-`) tells any node where to ask.
    public static func instance(ofJob id: String) -> String? {
        guard let dash = id.lastIndex(of: "-"), dash > id.startIndex else { return nil }
        return String(id[..<dash])
    }

    /// Writes the JSON lines of a bulk request's body to each of `destinationIDs` as a replay does, synchronously.
    public func write(_ body: [UInt8], to destinationIDs: [String], format: ReplayFormat, skipMalformed: Bool) async throws(ReplayError) -> [Job] {
        var finished: [Job] = []
        for id in destinationIDs {
            guard pipeline.runners[id] != nil else { throw .refused("Destination [\(id)] doesn't exist") }
        }
        for id in destinationIDs {
            let prepared = Prepared(jobID: newJobID(), path: "request body", fileName: "request body", destinationID: id,
                                    request: Request(fileName: "request body", destinationID: id, format: format, skipMalformed: skipMalformed),
                                    resumeAfter: 0, open: { LineReader(bytes: body, name: "request body") }, marks: false)
            let job = await execute(prepared)
            if job.status == "failed" { throw prepared.failure ?? .unreadable(job.error ?? "failed") }
            finished.append(job)
        }
        return finished
    }

    /// A checked request: the file's real path, the destination, where to resume.
    private final class Prepared: @unchecked Sendable {
        let jobID: String
        let path: String
        let fileName: String
        let destinationID: String
        let request: Request
        let resumeAfter: Int
        let open: @Sendable () throws -> LineReader
        /// Whether the outcome is recorded beside the file (not for request bodies).
        let marks: Bool
        var failure: ReplayError?

        init(jobID: String, path: String, fileName: String, destinationID: String, request: Request, resumeAfter: Int,
             open: @escaping @Sendable () throws -> LineReader, marks: Bool) {
            self.jobID = jobID
            self.path = path
            self.fileName = fileName
            self.destinationID = destinationID
            self.request = request
            self.resumeAfter = resumeAfter
            self.open = open
            self.marks = marks
        }
    }

    private func prepare(_ request: Request) async throws(ReplayError) -> Prepared {
        let (directory, allowed) = (pipeline.fallbackDirectory, allowedDirectories)
        var path = try await blocking { () throws(ReplayError) in
            try ReplayPath.resolve(request.fileName, fallbackDirectory: directory, allowedDirectories: allowed)
        }
        var fileName = (path as NSString).lastPathComponent
        let parsed = FallbackFileName(fileName)
        guard let destinationID = request.destinationID ?? parsed?.destinationID else {
            throw .refused("destination_id is required: '\(request.fileName)' is not named like a fallback file")
        }
        guard pipeline.runners[destinationID] != nil else { throw .refused("Destination [\(destinationID)] doesn't exist") }
        // The active file is still written to: it is rotated first and the rotated file replayed.
        if let parsed, !request.fileName.hasPrefix("/"), let runner = pipeline.runners[parsed.destinationID],
           fileName == FallbackFileName.active(instance: instance, destinationID: parsed.destinationID) {
            guard let rotated = try? await runner.fallback.rotate() else { throw .notFound("'\(fileName)' is empty: nothing to replay") }
            fileName = (rotated as NSString).lastPathComponent
            path = (path as NSString).deletingLastPathComponent + "/" + fileName
        }
        let resolved = path
        guard !active.contains(resolved) else { throw .conflict("'\(fileName)' is being replayed already") }
        // Claimed before the next wait, so a second request for the file cannot slip through meanwhile.
        active.insert(resolved)
        let mark = await blockingRead { ReplayMark.read(for: resolved) }
        if let mark, mark.uploaded, !request.force {
            active.remove(resolved)
            throw .conflict("'\(fileName)' was replayed already (\(mark.at)); send \"force\": true to replay it again")
        }
        let resumeAfter = request.force ? 0 : (mark?.done_through_line ?? 0)
        return Prepared(jobID: newJobID(), path: resolved, fileName: fileName, destinationID: destinationID, request: request,
                        resumeAfter: resumeAfter, open: { try LineReader(path: resolved) }, marks: true)
    }

    private func newJobID() -> String {
        "\(instance)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8))"
    }

    /// Runs the replay to its end and records it; never throws (the job says how it ended).
    private func execute(_ prepared: Prepared) async -> Job {
        let runner = pipeline.runners[prepared.destinationID]!
        let started = ContinuousClock.now
        var job = Job(job: prepared.jobID, instance: instance, file_name: prepared.fileName, destination_id: prepared.destinationID,
                      status: "running", phase: prepared.request.skipMalformed ? "replaying" : "validating",
                      lines_read: 0, bytes_read: 0, bytes_total: 0, percent: 0, events_per_sec: 0,
                      replayed: 0, skipped_malformed: 0, failed_again: 0, error: nil, started_at: RFC3339.now(), duration_ms: 0)
        // Recorded before the first wait: `start` answers with it at once.
        record(job)
        let path = prepared.path
        // A stat is file I/O, so it runs off the loop like the replay's reads. Request bodies have no file (0).
        job.bytes_total = await blockingRead { (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? UInt64 } ?? 0
        record(job)
        let passes = prepared.request.skipMalformed ? 1.0 : 2.0
        let writer = pipeline.batchWriter(for: prepared.destinationID)!
        // The runner's shaping, with the destination's encoding added: a replay shapes while it stores.
        var shaper = runner.shaper
        shaper.encoder = writer.destination.encoder
        shaper.encodesEventText = writer.destination.encodesEventText
        let replayer = Replayer(open: prepared.open, format: prepared.request.format, skipMalformed: prepared.request.skipMalformed,
                                resumeAfter: prepared.resumeAfter, shaper: shaper, writer: writer)
        func update(_ change: (inout Job) -> Void) {
            change(&job)
            let elapsed = Self.milliseconds(since: started)
            job.duration_ms = elapsed
            let events = job.replayed + job.failed_again + job.skipped_malformed
            job.events_per_sec = elapsed > 0 ? (Double(events) * 1000 / Double(elapsed)).rounded() : 0
            let fraction = job.bytes_total > 0 ? min(1, Double(job.bytes_read) / Double(job.bytes_total)) : 0
            let done = job.phase == "replaying" && passes == 2 ? 1.0 : 0.0
            job.percent = job.phase == "done" ? 100 : ((done + fraction) / passes * 1000).rounded() / 10
            record(job)
        }
        var counts = Replayer.Counts()
        do throws(ReplayError) {
            if !prepared.request.skipMalformed {
                try await replayer.validate { bytes in update { $0.bytes_read = bytes } }
                update { $0.phase = "replaying"; $0.bytes_read = 0 }
            }
            replayer.onProgress = { progress in
                counts = progress
                update { job in
                    job.lines_read = progress.linesRead
                    job.bytes_read = progress.bytesRead
                    job.replayed = progress.replayed
                    job.failed_again = progress.failedAgain
                    job.skipped_malformed = progress.skippedMalformed
                }
            }
            counts = try await replayer.run()
            update { $0.status = "ok"; $0.phase = "done"; $0.bytes_read = $0.bytes_total }
        } catch {
            prepared.failure = error
            update { $0.status = "failed"; $0.error = error.description }
        }
        await writer.close()
        if prepared.marks {
            let mark = ReplayMark(uploaded: job.status == "ok", error: job.error, at: RFC3339.now(), replayed: job.replayed,
                                  failed_again: job.failed_again, skipped_malformed: job.skipped_malformed,
                                  done_through_line: job.status == "ok" ? nil : max(prepared.resumeAfter, counts.doneThroughLine))
            let path = prepared.path
            do {
                try await work.run { try mark.write(for: path) }
            } catch {
                pipeline.context.logger.error("replay of \(prepared.fileName): recording its outcome failed: \(error)")
            }
        }
        if prepared.marks { active.remove(prepared.path) }  // Claimed by `prepare`.
        pipeline.context.logger.info("replay \(job.status)", metadata: [
            "file": "\(prepared.fileName)", "destination": "\(prepared.destinationID)", "replayed": "\(job.replayed)",
            "failed_again": "\(job.failed_again)", "skipped_malformed": "\(job.skipped_malformed)", "ms": "\(job.duration_ms)",
        ])
        return job
    }

    private func record(_ job: Job) {
        if jobs.updateValue(job, forKey: job.job) == nil {
            jobOrder.append(job.job)
            // Forget the oldest finished jobs beyond the limit; running ones stay.
            while jobOrder.count > Self.jobsKept, let index = jobOrder.firstIndex(where: { jobs[$0]?.status != "running" }) {
                jobs[jobOrder.remove(at: index)] = nil
            }
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Runs a blocking read that cannot fail off the loop (nil when the loop is stopping).
    private func blockingRead<T: Sendable>(_ body: @escaping @Sendable () -> T?) async -> T? {
        (try? await work.run(body)) ?? nil
    }

    /// Runs blocking file work off the loop, keeping its typed error.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(ReplayError) -> T) async throws(ReplayError) -> T {
        do {
            return try await work.run { try body() }
        } catch let error as ReplayError {
            throw error
        } catch {
            throw .unreadable("\(error)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
