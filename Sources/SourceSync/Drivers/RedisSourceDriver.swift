import Loop
import Pipeline
import Templates

/// Reads the collections of a `redis` source: every hash whose key matches the collection's `key_pattern`, one row
/// each, through one hiredis connection on the loop (Pipeline's `RedisConnection`), opened on first use and again
/// after it broke. Loop-bound.
///
/// Keys come from `SCAN` (never `KEYS`, which blocks the server while it walks the whole keyspace), and each
/// batch's hashes from pipelined `HGETALL`s. SCAN gives no snapshot: a hash written during the read may or may
/// not be in it, as Redis' SCAN guarantees say.
final class RedisSourceDriver: SourceDriver, @unchecked Sendable {
    private let loop: EventLoop
    private let settings: RedisSourceSettings
    private var connection: RedisConnection?

    /// Milliseconds to connect (resolving included).
    private static let connectTimeout: UInt64 = 5_000
    /// Milliseconds the replies of one command batch may take.
    private static let replyTimeout: UInt64 = 30_000
    /// Pages of hashes as JSON objects, a few hundred bytes each.
    let rowsPerPage = 5_000

    /// SCAN's COUNT hint: keys the server looks at per call, so each batch of HGETALLs stays near this size.
    private static let scanCount = 1_000

    init(loop: EventLoop, settings: RedisSourceSettings) {
        self.loop = loop
        self.settings = settings
    }

    /// Reads as `SourceDriver` says (a full refresh: the cursor passed is always nil). Each row is
    /// `{"redis_key": key, field: value...}` with values as text; a field named `redis_key` gives way to the key.
    /// Keys that are not hashes, or vanish before their HGETALL, are skipped.
    ///
    /// Throws `SourceError` (`.refused` with Redis' words for an error reply such as `WRONGPASS`), `CancellationError`
    /// when the task is cancelled, and whatever `deliver` throws.
    func read(_ collection: CollectionConfig, after cursor: String?, pageSize: Int,
              deliver: (SourcePage, String?) async throws -> Void) async throws {
        loop.assertInLoop()
        guard case .redis(let pattern) = collection.read else {
            preconditionFailure("collection \(collection.name) of a redis source reads \(collection.read)")
        }
        precondition(pageSize >= 1, "pageSize \(pageSize) must be at least 1")
        do {
            let connection = try await connected()
            var scanCursor = "0"
            // SCAN may return a key more than once; a full refresh must give each hash once.
            var seen: Set<String> = []
            var rows: [[String: JSONValue]] = []
            repeat {
                try Task.checkCancellation()
                let (next, keys) = try await Self.scan(on: connection, from: scanCursor, matching: pattern)
                scanCursor = next
                let fresh = keys.filter { seen.insert($0).inserted }
                let replies = try await connection.send(fresh.map { ["HGETALL", $0] }, timeout: Self.replyTimeout)
                for (key, reply) in zip(fresh, replies) {
                    if let row = try Self.row(key: key, reply: reply) { rows.append(row) }
                }
                while rows.count >= pageSize || (scanCursor == "0" && !rows.isEmpty) {
                    try Task.checkCancellation()
                    let page = Array(rows.prefix(pageSize))
                    rows.removeFirst(page.count)
                    try await deliver(.objects(page), nil)
                }
            } while scanCursor != "0"
        } catch let error as RedisError {
            throw SourceError(error)
        }
    }

    /// One SCAN step: the cursor to continue from ("0" when the walk is over) and the keys it found.
    private static func scan(on connection: RedisConnection, from cursor: String, matching pattern: String) async throws -> (String, [String]) {
        let reply = try await connection.send([["SCAN", cursor, "MATCH", pattern, "COUNT", String(scanCount)]], timeout: replyTimeout)[0]
        switch reply {
        case .array(let parts) where parts.count == 2:
            guard case .string(let next) = parts[0], case .array(let found) = parts[1] else { break }
            return (next, found.compactMap { if case .string(let key) = $0 { key } else { nil } })
        case .error(let message):
            throw SourceError.refused(message)
        default:
            break
        }
        throw SourceError.refused("Redis answered SCAN with \(reply)")
    }

    /// The row of one HGETALL reply; nil when the key is not a hash (`WRONGTYPE`) or is gone (an empty reply).
    private static func row(key: String, reply: RedisReply) throws(SourceError) -> [String: JSONValue]? {
        switch reply {
        case .array(let items) where !items.isEmpty:
            var row: [String: JSONValue] = [:]
            for index in stride(from: 0, to: items.count - 1, by: 2) {
                guard case .string(let field) = items[index], case .string(let value) = items[index + 1] else { continue }
                row[field] = .string(value)
            }
            row["redis_key"] = .string(key)
            return row
        case .array, .null: return nil
        case .error(let message) where message.hasPrefix("WRONGTYPE"): return nil
        case .error(let message): throw .refused(message)
        default: throw .refused("Redis answered HGETALL \(key) with \(reply)")
        }
    }

    /// The open connection, or a new one past AUTH.
    private func connected() async throws(RedisError) -> RedisConnection {
        if let connection, connection.isOpen { return connection }
        connection = nil
        let fresh = try await RedisConnection.open(loop: loop, host: settings.host, port: settings.port, timeout: Self.connectTimeout)
        try await fresh.logIn(password: settings.password, database: 0, timeout: Self.replyTimeout)
        connection = fresh
        return fresh
    }

    func close() async {
        loop.assertInLoop()
        connection?.close()
        connection = nil
    }
}

extension SourceError {
    /// An error reply is `.refused`, anything else about the connection `.unreachable`.
    init(_ error: RedisError) {
        switch error {
        case .unreachable(let reason): self = .unreachable(reason)
        case .refused(let reason): self = .refused(reason)
        }
    }
}
