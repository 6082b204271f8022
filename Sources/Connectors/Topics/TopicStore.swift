import Foundation
import Logging
import Loop
import NodeConfig
import Pipeline

/// This node's topic logs (`<data_dir>/topics/<eventType>/<namespace>/<topic>/`): one `EventLog` per topic, the
/// node's partition of it. Logs are created by the first event of their topic and kept by retention (age and
/// size, checked every minute). Loop-bound.
public final class TopicStore: @unchecked Sendable {
    public let loop: EventLoop
    public let directory: String
    let settings: TopicSettings
    private let logger: Logger
    private var logs: [TopicName: EventLog]
    /// Opens in progress, so two appends to a new topic create one log.
    private var opening: [TopicName: Task<EventLog, any Error>] = [:]
    private var appendWatchers: [UInt64: () -> Void] = [:]
    private var nextWatcher: UInt64 = 0
    private var retention: LoopTimer?
    private var isClosed = false

    /// A segment closes after an hour, so retention by age removes a slow topic's records within an hour of their
    /// time; and at 16 MiB, so retention by size has pieces to remove.
    private static let segmentAge = 3_600
    private static let segmentBytes = 16 << 20

    private init(loop: EventLoop, directory: String, settings: TopicSettings, logger: Logger, logs: [TopicName: EventLog]) {
        self.loop = loop
        self.directory = directory
        self.settings = settings
        self.logger = logger
        self.logs = logs
    }

    /// Opens every topic log under `directory` (recovering torn tails) and starts retention. Call on the loop.
    public static func open(directory: String, settings: TopicSettings, loop: EventLoop, logger: Logger) async throws -> TopicStore {
        let names = try await WorkQueue(loop: loop).run { try existingTopics(in: directory) }
        var logs: [TopicName: EventLog] = [:]
        for name in names {
            logs[name] = try await openLog(name, in: directory, loop: loop)
        }
        let store = TopicStore(loop: loop, directory: directory, settings: settings, logger: logger, logs: logs)
        store.retention = try LoopTimer(loop: loop)
        store.retention?.start(after: 60_000, repeatEvery: 60_000) { [weak store] in store?.applyRetention() }
        return store
    }

    private static func existingTopics(in directory: String) throws -> [TopicName] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = FileManager.default
        var names: [TopicName] = []
        for type in (try? files.contentsOfDirectory(atPath: directory)) ?? [] {
            for namespace in (try? files.contentsOfDirectory(atPath: "\(directory)/\(type)")) ?? [] {
                for topic in (try? files.contentsOfDirectory(atPath: "\(directory)/\(type)/\(namespace)")) ?? [] {
                    if let name = TopicDirectory.name(of: "\(type)/\(namespace)/\(topic)") { names.append(name) }
                }
            }
        }
        return names
    }

    private static func openLog(_ name: TopicName, in directory: String, loop: EventLoop) async throws -> EventLog {
        try await EventLog.open(directory: "\(directory)/\(TopicDirectory.path(of: name))", loop: loop,
                                maxSegmentBytes: segmentBytes, maxSegmentAge: segmentAge)
    }

    /// Every topic this node holds.
    public var topics: [TopicName] { logs.keys.sorted() }

    /// The log of `name`, if this node has received an event of it.
    public func log(of name: TopicName) -> EventLog? { logs[name] }

    /// The log of `name`, created if new.
    func logForAppending(_ name: TopicName) async throws -> EventLog {
        loop.assertInLoop()
        if let log = logs[name] { return log }
        if let pending = opening[name] { return try await pending.value }
        let directory = directory
        let task = Task(executorPreference: loop) { [loop] in try await Self.openLog(name, in: directory, loop: loop) }
        opening[name] = task
        defer { opening[name] = nil }
        let log = try await task.value
        logs[name] = log
        return log
    }

    /// Calls `handler` on the loop after each batch the router appended (to any topic), so readers wake at once
    /// rather than polling; `unwatch` with the token ends it.
    func watchAppends(_ handler: @escaping () -> Void) -> UInt64 {
        nextWatcher += 1
        appendWatchers[nextWatcher] = handler
        return nextWatcher
    }

    func unwatch(_ token: UInt64) {
        appendWatchers[token] = nil
    }

    /// The router's word that new records are durable in some topic logs.
    func didAppend() {
        for watcher in appendWatchers.values { watcher() }
    }

    private func applyRetention() {
        Task.immediate(executorPreference: loop) { [self] in
            for (name, log) in logs.sorted(by: { $0.key < $1.key }) where !isClosed {
                let removed = await log.retain(maxAge: .seconds(settings.retentionHours * 3_600), maxBytes: settings.retentionBytes)
                if removed > 0 { logger.info("topic \(name): retention removed \(removed) records") }
            }
        }
    }

    /// Stops retention and closes every log (waiting for their last flushes).
    public func close() async {
        loop.assertInLoop()
        isClosed = true
        retention?.close()
        for log in logs.values { await log.close() }
    }
}
