import Foundation
import Gossip
import Logging
import Loop
import Metrics
import Replication

/// The replicated admin map as the node's modules use it: reads from memory, writes that return once they are
/// durable on this node's disk and then spread to every node (gossip carries them at once, the periodic sync
/// repairs what gossip missed). Loop-bound: call it from tasks on the loop.
public final class ReplicatedState: @unchecked Sendable {
    /// What the node's configuration sets.
    public struct Settings: Sendable {
        /// How long a delete is remembered, so an older write arriving late cannot bring the record back.
        public var tombstoneTTL: Duration
        /// How often the node syncs the map with a random other member (the gossip push-pull interval).
        public var syncInterval: Duration
        /// This node's id lane (`IdAllocator`).
        public var lane: UInt16

        public init(tombstoneTTL: Duration = .seconds(86_400), syncInterval: Duration = .seconds(30), lane: UInt16) {
            self.tombstoneTTL = tombstoneTTL
            self.syncInterval = syncInterval
            self.lane = lane
        }
    }

    /// Counts that `/api/v1/nodes` reports.
    public struct Stats: Codable, Sendable {
        public var records: Int
        public var tombstones: Int
        public var fileBytes: Int
        public var syncs: Int
        public var syncFailures: Int

        enum CodingKeys: String, CodingKey {
            case records, tombstones
            case fileBytes = "file_bytes"
            case syncs
            case syncFailures = "sync_failures"
        }
    }

    public let loop: EventLoop
    public let name: String
    let settings: Settings
    let shell: GossipShell
    let store: StateStore
    let logger: Logger
    /// Unix milliseconds; tests replace it.
    let wallClock: () -> UInt64
    var map: ReplicatedMap
    private var clock: HybridClock
    private var ids: IdAllocator
    private var watchers: [UInt64: (prefix: String, handler: (Record) -> Void)] = [:]
    private var nextWatcher: UInt64 = 0
    let syncTimer: LoopTimer
    let purgeTimer: LoopTimer
    let catchUpTimer: LoopTimer
    /// Local writes on their way to disk by key (the latest), so a delete right behind a put sees it.
    private var inFlight: [String: Record] = [:]
    /// Open sync sessions by member, so a burst of triggers does not stack sessions.
    var sessions: [String: SyncSessionSlot] = [:]
    var nextSessionID: UInt64 = 0
    var catchUpPending = false
    var syncCount = 0
    var syncFailures = 0
    var closed = false
    private let recordsGauge = Gauge(label: "rivulet_state_records")
    let updatesReceived = Counter(label: "rivulet_state_updates_received_total")
    let syncedRecords = Counter(label: "rivulet_state_sync_records_total")
    /// Bytes this node sent in sync sessions (gossip packets count in `rivulet_gossip_bytes_out_total`).
    let syncBytes = Counter(label: "rivulet_state_sync_bytes_total")

    static let idSequenceKey = "id_sequence"

    /// Loads the map from `store` and starts spreading and syncing it through `shell`.
    public static func start(shell: GossipShell, store: StateStore, name: String, settings: Settings, logger: Logger,
                             wallClock: @escaping () -> UInt64 = ReplicatedState.unixMilliseconds) async throws -> ReplicatedState {
        let (records, metadata) = try await store.load()
        let state = try ReplicatedState(shell: shell, store: store, name: name, settings: settings, logger: logger, wallClock: wallClock,
                                        map: ReplicatedMap(records: records), idSequence: metadata[idSequenceKey] ?? 0)
        state.startReplication()
        return state
    }

    private init(shell: GossipShell, store: StateStore, name: String, settings: Settings, logger: Logger, wallClock: @escaping () -> UInt64,
                 map: ReplicatedMap, idSequence: UInt64) throws {
        loop = shell.loop
        self.shell = shell
        self.store = store
        self.name = name
        self.settings = settings
        self.logger = logger
        self.wallClock = wallClock
        self.map = map
        // A restarted node's clock starts past everything it stored, so its next write wins over its last one
        // even if the wall clock stepped back while it was down.
        clock = HybridClock(last: map.allRecords.map(\.version.timestamp).max() ?? .zero)
        ids = IdAllocator(lane: settings.lane, lastSequence: idSequence)
        var timers: [LoopTimer] = []
        do {
            for _ in 0..<3 { timers.append(try LoopTimer(loop: loop)) }
        } catch {
            timers.forEach { $0.close() }
            throw error
        }
        (syncTimer, purgeTimer, catchUpTimer) = (timers[0], timers[1], timers[2])
        recordsGauge.record(map.count)
    }

    public static func unixMilliseconds() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Reads

    /// The live record under `key`; nil when absent or deleted.
    public func get(_ key: String) -> Record? {
        guard let record = map[key], !record.isTombstone else { return nil }
        return record
    }

    /// Live records whose keys start with `prefix`, sorted by key.
    public func list(prefix: String) -> [Record] { map.records(withPrefix: prefix) }

    /// Calls `handler` with every record (tombstones too) under `prefix` that this node applies from now on,
    /// whether written here or by another node. Returns a token for `unwatch`.
    @discardableResult
    public func watch(prefix: String, _ handler: @escaping (Record) -> Void) -> UInt64 {
        nextWatcher += 1
        watchers[nextWatcher] = (prefix, handler)
        return nextWatcher
    }

    public func unwatch(_ token: UInt64) { watchers[token] = nil }

    public var stats: Stats {
        Stats(records: map.count - map.tombstoneCount, tombstones: map.tombstoneCount, fileBytes: store.fileBytes,
              syncs: syncCount, syncFailures: syncFailures)
    }

    // MARK: Writes

    /// Writes `value` (JSON text) under `key`; returns once the record is durable here. Other nodes see it within
    /// a gossip round or two.
    @discardableResult
    public func put(_ key: String, value: [UInt8]) async throws -> Record {
        try Self.validate(key: key)
        guard value.count <= Record.maxValueSize else { throw ReplicatedStateError.valueTooLarge(key: key, size: value.count) }
        return try await write(Record(key: key, value: value, version: nextVersion()))
    }

    /// Deletes `key` (a tombstone that wins over older writes for `tombstone_ttl`); returns the tombstone, or nil
    /// when there was no live record (and writes nothing).
    @discardableResult
    public func delete(_ key: String) async throws -> Record? {
        try Self.validate(key: key)
        // A put of this node still on its way to disk counts: it is about to land, and this delete must follow it.
        guard get(key) != nil || inFlight[key]?.isTombstone == false else { return nil }
        return try await write(.tombstone(key: key, version: nextVersion()))
    }

    /// A new integer id, unique in the cluster (`IdAllocator`); the sequence is durable before it is returned, so a
    /// restarted node never hands the same id out again.
    public func allocateID() async throws -> UInt64 {
        if let other = shell.metadata.first(where: { $0.key != name && $0.value.lane == settings.lane && isLive($0.key) }) {
            throw ReplicatedStateError.laneConflict(lane: settings.lane, other: other.key)
        }
        let id = ids.next(wall: wallClock())
        try await store.setMetadata(Self.idSequenceKey, ids.lastSequence)
        return id
    }

    private func isLive(_ member: String) -> Bool {
        shell.members.contains { $0.name == member && !$0.status.isGone }
    }

    static func validate(key: String) throws(ReplicatedStateError) {
        guard !key.isEmpty, key.utf8.count <= Record.maxKeySize, !key.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidKey(key)
        }
    }

    private func nextVersion() -> Version {
        Version(timestamp: clock.now(wall: wallClock()), node: name)
    }

    private func write(_ record: Record) async throws -> Record {
        inFlight[record.key] = record
        defer { if inFlight[record.key] == record { inFlight[record.key] = nil } }
        try await store.write([record])
        if map.merge(record) {
            applied(record)
            spread(record)
        }
        return record
    }

    // MARK: Applying

    /// Merges records from another node: applies the newer ones, tells watchers, and persists them in the
    /// background (a crash before that costs nothing: the next sync brings them again). Returns those applied.
    @discardableResult
    func merge(remote records: [Record]) -> [Record] {
        let wall = wallClock()
        let horizon = wall > settings.tombstoneTTL.milliseconds ? wall - settings.tombstoneTTL.milliseconds : 0
        var appliedRecords: [Record] = []
        for record in records {
            // A record from a clock far ahead would win over every write made here until this clock catches up,
            // so it is refused (as CockroachDB refuses such timestamps); so is one no local write could make.
            guard clock.observe(record.version.timestamp, wall: wall), record.version.timestamp.wallMilliseconds <= UInt64(Int64.max),
                  (try? Self.validate(key: record.key)) != nil, record.value.count <= Record.maxValueSize else {
                logger.warning("refusing replicated record \(record.key) from \(record.version.node): its version \(record.version) is more than \(clock.maxDrift) ms ahead of this node's clock, or it is malformed; check the clocks (NTP)")
                continue
            }
            if map.merge(record, tombstoneHorizon: horizon) {
                appliedRecords.append(record)
                applied(record)
            }
        }
        guard !appliedRecords.isEmpty else { return [] }
        let persisted = appliedRecords
        Task.immediate(executorPreference: loop) { [self] in
            do {
                try await store.write(persisted)
            } catch {
                logger.error("cannot persist \(persisted.count) replicated records: \(error)")
            }
        }
        return appliedRecords
    }

    private func applied(_ record: Record) {
        recordsGauge.record(map.count)
        for (prefix, handler) in watchers.values where record.key.hasPrefix(prefix) { handler(record) }
    }

    /// Stops syncing; the store stays open for its owner to close.
    public func close() {
        guard !closed else { return }
        closed = true
        shell.onApplicationUpdate = nil
        shell.onReplicaStream = nil
        syncTimer.close()
        purgeTimer.close()
        catchUpTimer.close()
    }
}

/// An open sync session with one member and what was asked of that member while it ran.
struct SyncSessionSlot {
    let id: UInt64
    /// `loop.now` when it began.
    let startedAt: UInt64
    /// A full sync was asked for meanwhile.
    var resync = false
    /// Keys noticed meanwhile, to fetch when it ends.
    var wanted: Set<String> = []
}

/// Why a state call was refused.
public enum ReplicatedStateError: Error, CustomStringConvertible, Equatable {
    case invalidKey(String)
    case valueTooLarge(key: String, size: Int)
    /// Another live member has this node's id lane: ids the two hand out could collide.
    case laneConflict(lane: UInt16, other: String)

    public var description: String {
        switch self {
        case .invalidKey(let key):
            "invalid key \"\(key)\": keys are 1 to \(Record.maxKeySize) bytes without line breaks"
        case .valueTooLarge(let key, let size):
            "value of \(key) is \(size) bytes; the limit is \(Record.maxValueSize)"
        case .laneConflict(let lane, let other):
            "id lane \(lane) is also used by live node \(other); set cluster.id_lane to a lane no other node uses"
        }
    }
}
