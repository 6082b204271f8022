import Foundation
import GRDB
import Replication

/// The blocking half of `StateStore`: the SQLite file of the replicated admin map, opened with GRDB. Every method
/// does file I/O and may wait on an fsync, so only work-queue threads call them, never the loop.
///
/// On-disk format (`<data_dir>/state.sqlite`). A node reads the file an older build wrote, so never change a table
/// or column here: add a migration instead.
/// - `record(key, value, wall, counter, node, tombstone)`: one row per key, the newest version this node has seen.
///   `value` is the JSON bytes (empty for a tombstone); `wall` and `counter` are the version's hybrid timestamp.
/// - `metadata(name, value)`: small counters the node must not lose. `value` holds the UInt64's bit pattern, so
///   values above `Int64.max` read back as negative integers in the sqlite3 shell.
struct StateDatabase: Sendable {
    /// One change queued for the next transaction.
    enum Operation: Sendable {
        case upsert([Replication.Record])
        case delete([Replication.Record])
        case metadata(name: String, value: UInt64)
    }

    let path: String
    /// Safe from any thread; it serialises its own accesses. Internal so tests can inspect the file.
    let queue: DatabaseQueue

    /// Opens or creates the file, its parent directory and the schema.
    init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "rivulet.state"
        // Not `configuration.journalMode = .wal`: GRDB then sets synchronous to NORMAL after prepareDatabase runs.
        configuration.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else { throw StateStoreError.walUnavailable(path: path, mode: mode ?? "none") }
            // A write returns only once it is durable. In WAL mode NORMAL syncs the log at checkpoints, not at each
            // commit, so a power loss can undo commits that were already reported; FULL syncs the log on every
            // commit (https://www.sqlite.org/pragma.html#pragma_synchronous). Group commit keeps that affordable.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(queue)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                    key TEXT PRIMARY KEY,
                    value BLOB NOT NULL,
                    wall INTEGER NOT NULL,
                    counter INTEGER NOT NULL,
                    node TEXT NOT NULL,
                    tombstone INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE metadata (
                    name TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }

    // The version comparison is `Version`'s: wall, then counter, then node. GRDB registers its `swiftCompare`
    // collation on every connection, which orders node names by Swift's String `<`, so SQLite picks the same winner
    // as the in-memory map even for names that are not in Unicode normal form. It is only consulted on a tie of
    // wall and counter. `value` goes through ifnull because SQLite binds an empty blob from a nil pointer as NULL.
    private static let upsertSQL = """
        INSERT INTO record (key, value, wall, counter, node, tombstone) VALUES (?, ifnull(?, x''), ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            value = excluded.value, wall = excluded.wall, counter = excluded.counter, node = excluded.node,
            tombstone = excluded.tombstone
        WHERE (excluded.wall, excluded.counter, excluded.node COLLATE swiftCompare)
            > (record.wall, record.counter, record.node)
        """
    private static let deleteSQL = """
        DELETE FROM record WHERE key = ? AND wall = ? AND counter = ? AND node = ? COLLATE swiftCompare
        """
    private static let metadataSQL = """
        INSERT INTO metadata (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """

    /// Whether `record` can be stored: its wall time must fit SQLite's signed 64-bit INTEGER, as any real time does.
    static func canStore(_ record: Replication.Record) -> Bool {
        record.version.timestamp.wallMilliseconds <= UInt64(Int64.max)
    }

    /// Applies `operations` in order in one transaction, and returns once it is durable. Throws, having changed
    /// nothing, when any of them fails. The records must pass `canStore`.
    func commit(_ operations: [Operation]) throws {
        try queue.write { db in
            for operation in operations {
                switch operation {
                case .upsert(let records):
                    try Self.execute(Self.upsertSQL, for: records, in: db) { record, version in
                        [record.key, Data(record.value)] + version + [record.isTombstone]
                    }
                case .delete(let records):
                    try Self.execute(Self.deleteSQL, for: records, in: db) { record, version in [record.key] + version }
                case .metadata(let name, let value):
                    try db.cachedStatement(sql: Self.metadataSQL).execute(arguments: [name, Int64(bitPattern: value)])
                }
            }
        }
    }

    /// Runs the cached statement `sql` once per record, bound to `arguments` of the record and its version's
    /// columns (wall, counter, node).
    private static func execute(_ sql: String, for records: [Replication.Record], in db: Database,
                                arguments: (Replication.Record, [(any DatabaseValueConvertible)?]) -> [(any DatabaseValueConvertible)?]) throws {
        let statement = try db.cachedStatement(sql: sql)
        for record in records {
            let timestamp = record.version.timestamp
            statement.setUncheckedArguments(StatementArguments(arguments(record, [
                Int64(timestamp.wallMilliseconds), Int64(timestamp.counter), record.version.node,
            ])))
            try statement.execute()
        }
    }

    /// Every stored record and metadata value.
    func load() throws -> (records: [Replication.Record], metadata: [String: UInt64]) {
        try queue.read { db in
            var records: [Replication.Record] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT key, value, wall, counter, node, tombstone FROM record")
            while let row = try rows.next() {
                let key: String = row[0]
                guard let wall = UInt64(exactly: row[2] as Int64), let counter = UInt32(exactly: row[3] as Int64) else {
                    throw StateStoreError.corruptRecord(key: key)
                }
                let timestamp = HybridTimestamp(wallMilliseconds: wall, counter: counter)
                let value: Data = row[1]
                records.append(Replication.Record(
                    key: key, value: Array(value), version: Version(timestamp: timestamp, node: row[4]),
                    isTombstone: row[5]))
            }
            var metadata: [String: UInt64] = [:]
            let pairs = try Row.fetchCursor(db, sql: "SELECT name, value FROM metadata")
            while let row = try pairs.next() {
                let value: Int64 = row[1]
                metadata[row[0]] = UInt64(bitPattern: value)
            }
            return (records, metadata)
        }
    }

    /// Bytes of the database file and its write-ahead log; a missing file counts as zero.
    func fileBytes() -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
            return total + (size ?? 0)
        }
    }

    /// Closes the connection; SQLite checkpoints the log into the database file first.
    func close() throws {
        try queue.close()
    }
}
