import Cluster
import Foundation
import Logging
import Loop
import Metrics
import Pipeline
import Templates

/// Runs the syncs of the sources this node owns (design.md, "Ownership and forwarding"): every second it checks
/// ownership by rendezvous hashing over the live members, starts the collections whose schedule came due (or that
/// were missed while no node owned them), and stops the runs of sources it no longer owns. One run per collection
/// at a time; a failed run is retried after 1 and 2 minutes, then waits for its schedule. Loop-bound.
public final class SourceScheduler: @unchecked Sendable {
    public let sources: [String: SourceConfig]
    private let nodeName: String
    private let pipeline: EventPipeline
    private let state: ReplicatedState
    private let owner: @Sendable (String) -> String?
    private let makeDriver: (SourceConfig) -> any SourceDriver
    private let logger: Logger
    private let timer: LoopTimer
    private var drivers: [String: any SourceDriver] = [:]
    /// By state key.
    private var running: [String: Task<Void, Never>] = [:]
    private var nextRun: [String: Int64] = [:]
    private var retries: [String: (attempt: Int, at: Int64)] = [:]
    private var stopped = false
    /// The role a node needs to own sources (`cluster.roles`).
    public static let role = "pipeline"
    static let retryDelays: [Int64] = [60, 120]

    /// `owner` gives the owning node of an ownership key (nil when no live node may own it).
    public init(sources: [SourceConfig], nodeName: String, pipeline: EventPipeline, state: ReplicatedState,
                owner: @escaping @Sendable (String) -> String?, makeDriver: @escaping (SourceConfig) -> any SourceDriver,
                logger: Logger) throws {
        self.sources = Dictionary(uniqueKeysWithValues: sources.map { ($0.id, $0) })
        self.nodeName = nodeName
        self.pipeline = pipeline
        self.state = state
        self.owner = owner
        self.makeDriver = makeDriver
        self.logger = logger
        timer = try LoopTimer(loop: pipeline.context.loop)
    }

    public func start() {
        timer.start(after: 0, repeatEvery: 1000) { [weak self] in self?.tick() }
    }

    /// Cancels the runs, waits for them, and closes the drivers.
    public func stop() async {
        stopped = true
        timer.close()
        let tasks = Array(running.values)
        tasks.forEach { $0.cancel() }
        for task in tasks { await task.value }
        for driver in drivers.values { await driver.close() }
        drivers.removeAll()
    }

    public func ownerOf(source id: String) -> String? { owner(SyncState.ownershipKey(source: id)) }

    public func state(of source: String, collection: String) -> SyncState {
        state.get(SyncState.key(source: source, collection: collection)).map { SyncState(json: $0.value) } ?? SyncState()
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    private func tick() {
        guard !stopped else { return }
        let now = Self.now()
        for source in sources.values.sorted(by: { $0.id < $1.id }) {
            guard ownerOf(source: source.id) == nodeName else {
                relinquish(source)
                continue
            }
            for collection in source.collections {
                let key = SyncState.key(source: source.id, collection: collection.name)
                guard running[key] == nil else { continue }
                if let retry = retries[key], retry.at <= now {
                    begin(source, collection)
                    continue
                }
                if nextRun[key] == nil {
                    // Taken over (or just started): a run missed while nobody owned the source is due at once.
                    let base = state(of: source.id, collection: collection.name).last_run?.started ?? now
                    nextRun[key] = collection.schedule.next(after: base) ?? .max
                }
                if let due = nextRun[key], due <= now {
                    nextRun[key] = collection.schedule.next(after: now) ?? .max
                    begin(source, collection)
                }
            }
        }
    }

    /// Another node owns `source` now: its runs here stop, and its schedule is computed again on takeover.
    private func relinquish(_ source: SourceConfig) {
        for collection in source.collections {
            let key = SyncState.key(source: source.id, collection: collection.name)
            running[key]?.cancel()
            nextRun[key] = nil
            retries[key] = nil
        }
        if let driver = drivers.removeValue(forKey: source.id) {
            Task.immediate(executorPreference: pipeline.context.loop) { await driver.close() }
        }
    }

    /// Starts runs now (`POST /api/v1/sources/{id}/sync`); returns the collections started, leaving out running ones.
    public func syncNow(source id: String, collections names: [String]) -> [String] {
        guard let source = sources[id] else { return [] }
        var started: [String] = []
        for collection in source.collections where names.contains(collection.name) {
            guard running[SyncState.key(source: id, collection: collection.name)] == nil else { continue }
            begin(source, collection)
            started.append(collection.name)
        }
        return started
    }

    /// `clear_cache` on the owner: stops the collections' runs, then bumps the generation and forgets cursor and
    /// signature, so the next run syncs from scratch and a stopped run cannot write its old cursor back.
    public func clearCache(source id: String, collections names: [String]) async throws {
        for name in names {
            let key = SyncState.key(source: id, collection: name)
            if let task = running[key] {
                task.cancel()
                await task.value
            }
            var cleared = SyncState()
            let previous = state(of: id, collection: name)
            cleared.generation = previous.generation + 1
            cleared.last_run = previous.last_run
            try await state.put(key, value: cleared.json)
            retries[key] = nil
        }
    }

    private func begin(_ source: SourceConfig, _ collection: CollectionConfig) {
        let key = SyncState.key(source: source.id, collection: collection.name)
        running[key] = Task(executorPreference: pipeline.context.loop) { [self] in
            await run(source, collection, key: key)
            running[key] = nil
        }
    }

    private func driver(for source: SourceConfig) -> any SourceDriver {
        if let driver = drivers[source.id] { return driver }
        let driver = makeDriver(source)
        drivers[source.id] = driver
        return driver
    }

    /// One run: pages from the source into every destination; an incremental collection records its cursor after
    /// each page, so a run cut short (crash, takeover) continues from there.
    private func run(_ source: SourceConfig, _ collection: CollectionConfig, key: String) async {
        let startState = state(of: source.id, collection: collection.name)
        let generation = startState.generation
        let started = Self.now()
        var run = SyncState.Run(instance: nodeName, status: "running", started_at: RFC3339.now(), ended_at: nil, started: started, rows: 0, error: nil)
        var current = startState
        current.last_run = run
        _ = try? await state.put(key, value: current.json)
        logger.info("source sync started", metadata: ["source": "\(source.id)", "collection": "\(collection.name)",
                                                      "cursor": "\(startState.cursor ?? "-")", "generation": "\(generation)"])
        let writers = source.destinations.compactMap { pipeline.batchWriter(for: $0) }
        do {
            if collection.isIncremental {
                try await readIncremental(source, collection, from: startState.cursor, generation: generation, key: key, writers: writers, run: &run)
                run.status = "ok"
            } else {
                run.status = try await refresh(source, collection, previous: startState.signature, generation: generation, key: key, writers: writers, run: &run)
            }
        } catch is CancellationError {
            run.status = "cancelled"
        } catch {
            run.status = "failed"
            run.error = "\(error)"
        }
        for writer in writers { await writer.close() }
        run.ended_at = RFC3339.now()
        // Read again: only the run's own record changes, never a cursor a clear_cache removed meanwhile.
        var latest = state(of: source.id, collection: collection.name)
        latest.last_run = run
        _ = try? await state.put(key, value: latest.json)
        Counter(label: "rivulet_source_runs_total", dimensions: [("source", source.id), ("collection", collection.name), ("outcome", run.status)]).increment()
        logger.info("source sync \(run.status)", metadata: ["source": "\(source.id)", "collection": "\(collection.name)", "rows": "\(run.rows)",
                                                           "error": "\(run.error ?? "-")"])
        if run.status == "failed" {
            let attempt = retries[key]?.attempt ?? 0
            retries[key] = attempt < Self.retryDelays.count ? (attempt + 1, Self.now() + Self.retryDelays[attempt]) : nil
        } else {
            retries[key] = nil
        }
    }

    /// Pages after `cursor` into the destinations, the cursor recorded after each page while the generation holds.
    private func readIncremental(_ source: SourceConfig, _ collection: CollectionConfig, from cursor: String?, generation: Int,
                                 key: String, writers: [BatchWriter], run: inout SyncState.Run) async throws {
        let driver = driver(for: source)
        let pages = PageWriter(loop: pipeline.context.loop)
        var progress = run
        try await pages.run {
            try await driver.read(collection, after: cursor, pageSize: driver.rowsPerPage) { page, cursor in
                try Task.checkCancellation()
                progress.rows += page.count
                let reached = progress
                try await pages.submit {
                    try await Self.write(page, of: collection, to: writers)
                    guard let cursor else { return }
                    var latest = self.state(of: source.id, collection: collection.name)
                    guard latest.generation == generation else { throw CancellationError() }
                    latest.cursor = cursor
                    latest.last_run = reached
                    try await self.state.put(key, value: latest.json)
                }
            }
        }
        run = progress
    }

    /// A full refresh: when the previous run left a signature, the rows are read once to compare and written only
    /// when they changed; the new signature is recorded with the run.
    private func refresh(_ source: SourceConfig, _ collection: CollectionConfig, previous: String?, generation: Int,
                         key: String, writers: [BatchWriter], run: inout SyncState.Run) async throws -> String {
        let driver = driver(for: source)
        var digest = RowDigest()
        if let previous {
            try await driver.read(collection, after: nil, pageSize: driver.rowsPerPage) { page, _ in
                try Task.checkCancellation()
                digest.add(page)
            }
            if try await digest.signature() == previous {
                run.rows = digest.rows
                return "unchanged"
            }
            digest = RowDigest()
        }
        let pages = PageWriter(loop: pipeline.context.loop)
        var progress = run
        try await pages.run {
            try await driver.read(collection, after: nil, pageSize: driver.rowsPerPage) { page, _ in
                try Task.checkCancellation()
                digest.add(page)
                progress.rows += page.count
                try await pages.submit { try await Self.write(page, of: collection, to: writers) }
            }
        }
        run = progress
        let signature = try await digest.signature()
        var latest = state(of: source.id, collection: collection.name)
        guard latest.generation == generation else { throw CancellationError() }
        latest.signature = signature
        try await state.put(key, value: latest.json)
        return "ok"
    }

    /// One page into every destination, keyed by the collection's primary key so destinations that can update
    /// rows in place do: as they are where the destination takes them so, else as a batch of flattened rows, made
    /// once (on a background thread) for all the destinations that need it.
    private static func write(_ page: SourcePage, of collection: CollectionConfig, to writers: [BatchWriter]) async throws {
        var batch: TableBatch?
        for writer in writers {
            do {
                if case .copyRows(let rows) = page,
                   try await writer.write(rows, table: collection.tableName, upsertKey: collection.primaryKey) { continue }
                if batch == nil { batch = try await Self.batch(page, table: collection.tableName, upsertKey: collection.primaryKey) }
                _ = try await writer.write(batch!)
            } catch let error as BatchWriter.Failure {
                throw SyncFailure(description: error.description)
            }
        }
    }

    /// Rows as the destination path takes them: flattened (on a background thread), in the collection's table.
    private static func batch(_ page: SourcePage, table: String, upsertKey: [String]) async throws -> TableBatch {
        try await BackgroundWork.shared.run {
            var shapes = ColumnShapes()
            var batch = TableBatch(table: table, rows: page.objects().map { Row(eventID: "", event: $0, columns: Flattener.flatten($0, shapes: &shapes)) },
                                   upsertKey: upsertKey)
            batch.declaredKinds = page.declaredKinds
            return batch
        }
    }
}

struct SyncFailure: Error, CustomStringConvertible {
    let description: String
}
