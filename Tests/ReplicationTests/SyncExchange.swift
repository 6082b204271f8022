import Replication

/// Runs the four-step anti-entropy exchange between two in-memory maps the way the shell does over TCP, except
/// that the stream is a function call: every message is really encoded with `SyncCodec` and decoded on the other
/// side. Counts what crossed, so tests can check that only differences are sent.
struct SyncExchange {
    enum Failure: Error {
        case unexpected(SyncMessage, step: String)
    }

    var initiator: ReplicatedMap
    var responder: ReplicatedMap
    /// The cutoff both sides pass to `merge`, as the shell does from its tombstone time to live.
    var tombstoneHorizon: UInt64 = 0
    var chunkBytes = 16 << 10
    /// The responder's bound on one `.versions` answer.
    var versionsBytes = 4 << 20

    private(set) var messages = 0
    private(set) var bytes = 0
    private(set) var bucketsCompared = 0
    private(set) var versionsSent = 0
    private(set) var recordsPushed = 0
    private(set) var recordsPulled = 0
    /// Whether the last run's answer covered only part of the differing buckets (`.more`).
    private(set) var answeredInPart = false
    /// The largest `.versions` message of the runs, in bytes.
    private(set) var largestVersions = 0

    init(initiator: ReplicatedMap, responder: ReplicatedMap, tombstoneHorizon: UInt64 = 0) {
        self.initiator = initiator
        self.responder = responder
        self.tombstoneHorizon = tombstoneHorizon
    }

    mutating func run() throws {
        // 1. I→R: the initiator's digest.
        guard case .digest(let digest) = try transmit(.digest(initiator.digest)) else {
            throw Failure.unexpected(.digest(initiator.digest), step: "digest")
        }

        // 2. R→I: the differing buckets and R's versions in them, perhaps only some after `.more`.
        answeredInPart = false
        var answer: SyncMessage?
        for message in SyncPlan.versions(answering: digest, from: responder, maxBytes: versionsBytes) {
            switch try transmit(message) {
            case .more: answeredInPart = true
            case let other: answer = other
            }
        }
        guard case .versions(let buckets, let entries) = answer else {
            throw Failure.unexpected(answer ?? .more, step: "versions")
        }
        largestVersions = max(largestVersions, SyncCodec.encode(answer!).count)
        bucketsCompared += buckets.count
        versionsSent += entries.count

        // 3. I→R: records R lacks, then the keys I wants.
        let (push, wants) = SyncPlan.exchange(buckets: buckets, remote: entries, local: initiator)
        var toResponder = SyncPlan.chunks(push, maxBytes: chunkBytes).map(SyncMessage.records)
        toResponder.append(.wants(wants))
        var wanted: [String]?
        for message in toResponder {
            switch try transmit(message) {
            case .records(let records):
                recordsPushed += records.count
                for record in records {
                    responder.merge(record, tombstoneHorizon: tombstoneHorizon)
                }
            case .wants(let keys):
                wanted = keys
            case let other:
                throw Failure.unexpected(other, step: "push")
            }
        }

        // 4. R→I: the wanted records, then done.
        var toInitiator = SyncPlan.chunks(SyncPlan.records(wanted: wanted ?? [], from: responder), maxBytes: chunkBytes)
            .map(SyncMessage.records)
        toInitiator.append(.done)
        for message in toInitiator {
            switch try transmit(message) {
            case .records(let records):
                recordsPulled += records.count
                for record in records {
                    initiator.merge(record, tombstoneHorizon: tombstoneHorizon)
                }
            case .done:
                break
            case let other:
                throw Failure.unexpected(other, step: "pull")
            }
        }
    }

    /// Encodes `message`, checks the chunk limit, and returns what the other side decodes.
    private mutating func transmit(_ message: SyncMessage) throws -> SyncMessage {
        let encoded = SyncCodec.encode(message)
        messages += 1
        bytes += encoded.count
        return try SyncCodec.decode(encoded)
    }
}
