import NodeConfig
import Templates

/// One entry of `sources:` (Jitsu's shape): a system rivulet pulls rows from on a schedule, its collections, and the
/// destinations the rows go to. Read by `SourceConfig.all(in:destinationIDs:)` when the node starts.
public struct SourceConfig: Sendable, Equatable {
    public let id: String
    public let kind: Kind
    /// Destination ids; each exists in `destinations:`.
    public let destinations: [String]
    /// `schedule`: when collections without their own run.
    public let schedule: CronSchedule
    public let collections: [CollectionConfig]

    public enum Kind: Sendable, Equatable {
        case postgres(PostgresSourceSettings)
        case redis(RedisSourceSettings)
    }

    public init(id: String, kind: Kind, destinations: [String], schedule: CronSchedule, collections: [CollectionConfig]) {
        self.id = id
        self.kind = kind
        self.destinations = destinations
        self.schedule = schedule
        self.collections = collections
    }
}

/// One collection of a source: what to read, where it lands, how often.
public struct CollectionConfig: Sendable, Equatable {
    public let name: String
    /// `table_name`, default `<source>_<collection>`.
    public let tableName: String
    /// The collection's own `schedule`, else the source's.
    public let schedule: CronSchedule
    public let read: Read

    public enum Read: Sendable, Equatable {
        /// PostgreSQL: `table` (optionally in `schema.table` form) or `query`; incremental when `cursorField` is set
        /// (rows whose cursor is greater than the one reached, in cursor order), else a full refresh every run.
        case postgres(table: String?, query: String?, cursorField: String?, primaryKey: [String])
        /// Redis: every hash whose key matches `keyPattern`, one row each (full refresh every run).
        case redis(keyPattern: String)
    }

    public init(name: String, tableName: String, schedule: CronSchedule, read: Read) {
        self.name = name
        self.tableName = tableName
        self.schedule = schedule
        self.read = read
    }

    /// Whether runs continue from a cursor rather than reading everything.
    public var isIncremental: Bool {
        if case .postgres(_, _, let cursor?, _) = read { return !cursor.isEmpty }
        return false
    }

    /// The upsert key for destinations that support one: the primary key of an incremental collection.
    public var primaryKey: [String] {
        if case .postgres(_, _, _, let key) = read { return key }
        return []
    }
}

/// `config:` of a `postgres` source.
public struct PostgresSourceSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: String
    public var schema: String
    public var username: String
    public var password: String

    public init(host: String, port: Int, database: String, schema: String, username: String, password: String) {
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.username = username
        self.password = password
    }
}

/// `config:` of a `redis` source.
public struct RedisSourceSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?

    public init(host: String, port: Int, password: String?) {
        self.host = host
        self.port = port
        self.password = password
    }
}

/// Reads a collection's rows from its system. One driver per source, loop-bound; the sync runner calls one `read`
/// at a time.
public protocol SourceDriver: AnyObject, Sendable {
    /// Reads the rows of `collection`: for an incremental collection those whose cursor field is greater than
    /// `cursor` (all rows when nil), in cursor order; for a full refresh every row. Rows come in pages of at most
    /// `pageSize` (a driver may make them smaller to bound their bytes), each passed to `deliver` with a cursor
    /// that is safe to resume from: the text PostgreSQL gives for the page's last cursor value, pages ending
    /// before a group of equal cursor values rather than inside it (a group larger than a page is split, and its
    /// pages pass the cursor before the group, so a resumed run reads the group again rather than losing part of
    /// it); nil for full refreshes. A page is delivered only after the previous `deliver` returned; when `deliver`
    /// throws, reading stops and the error is thrown. Cancelling the calling task stops the read at the next page.
    func read(_ collection: CollectionConfig, after cursor: String?, pageSize: Int,
              deliver: (SourcePage, String?) async throws -> Void) async throws
    /// The `pageSize` runs read with: a run holds two pages, and each destination writes a page in one transaction,
    /// so a driver whose pages are compact takes more rows at once.
    var rowsPerPage: Int { get }
    /// Releases connections.
    func close() async
}
