import Foundation

/// What a collection's syncs remember (Jitsu's source "cache"), kept as the replicated record
/// `source/<source>/<collection>` so a new owner continues where the old one stopped and any node can show it.
///
/// `generation` grows with every `clear_cache`: a run remembers the generation it started with and never writes
/// its cursor once the generation moved, so a run that was still going cannot bring the cleared state back.
public struct SyncState: Codable, Sendable, Equatable {
    public var generation: Int = 0
    /// Incremental collections: the cursor value reached, as PostgreSQL prints it.
    public var cursor: String?
    /// Full refreshes: a digest of the rows last written, so an unchanged table is not written again.
    public var signature: String?
    public var last_run: Run?

    public struct Run: Codable, Sendable, Equatable {
        /// The node that ran it.
        public var instance: String
        /// `running`, `ok`, `failed`, `cancelled`, or `unchanged` (a full refresh that found the same rows).
        public var status: String
        public var started_at: String
        public var ended_at: String?
        /// Unix seconds of `started_at`, for scheduling.
        public var started: Int64
        public var rows: Int
        public var error: String?
    }

    public init() {}

    public static func key(source: String, collection: String) -> String { "source/\(source)/\(collection)" }

    /// The ownership key of a source: every node computes its owner from it.
    public static func ownershipKey(source: String) -> String { "source/\(source)" }

    init(json: [UInt8]) {
        self = (try? JSONDecoder().decode(SyncState.self, from: Data(json))) ?? SyncState()
    }

    var json: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }
}
