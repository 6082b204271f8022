import Loop
import Templates

/// Events as Redis hashes: each event's flattened fields (values as text) under the key its `key_template` gives,
/// optionally expiring after `ttl_sec`. One connection, opened on first use through hiredis on the node's loop;
/// each batch goes out pipelined (HSET, then EXPIRE, per event). Loop-bound.
///
/// HSET overwrites fields, so a batch stored again after `.unreachable` leaves the same hashes.
public final class RedisDestination: Destination, @unchecked Sendable {
    public let id: String
    private let settings: Settings
    private let context: DestinationContext
    private var connection: RedisConnection?

    /// Error replies about the server's state rather than the event (Redis' error prefixes): the batch is retried.
    static let transientErrors = ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "OOM"]

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        self.settings = settings
        self.context = context
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        var rejected: [Int: String] = [:]
        var commands: [[String]] = []
        var rowOfCommand: [Int] = []
        for (index, row) in batch.rows.enumerated() {
            switch hashCommands(for: row) {
            case .success(let rowCommands):
                commands += rowCommands
                rowOfCommand += Array(repeating: index, count: rowCommands.count)
            case .failure(let rejection):
                rejected[index] = rejection.reason
            }
        }
        guard !commands.isEmpty else { return .stored(rejected: rejected) }
        let replies: [RedisReply]
        do {
            replies = try await connected().send(commands, timeout: settings.replyTimeout)
        } catch .refused(let message) {
            return .stored(rejected: Dictionary(uniqueKeysWithValues: batch.rows.indices.map { ($0, message) }))
        } catch {
            return .unreachable(error.description)
        }
        for (command, reply) in replies.enumerated() {
            guard case .error(let message) = reply else { continue }
            if Self.transientErrors.contains(where: message.hasPrefix) { return .unreachable("Redis: \(message)") }
            rejected[rowOfCommand[command]] = rejected[rowOfCommand[command]] ?? message
        }
        return .stored(rejected: rejected)
    }

    /// HSET of the row's non-null fields under its key, and EXPIRE when a TTL is set.
    private func hashCommands(for row: Row) -> Result<[[String]], RowRejection> {
        let key: String
        do {
            switch try context.templates.evaluate(expression: settings.keyTemplate, object: .object(row.event)).result {
            case .text(let text), .json(.string(let text)): key = text
            case .json(.null): key = ""
            case .json(let value): key = value.jsonText()
            }
        } catch {
            return .failure(RowRejection("key_template failed: \(error)"))
        }
        guard !key.isEmpty else { return .failure(RowRejection("key_template gave an empty key")) }
        var hset = ["HSET", key]
        for (name, value) in row.columns.sorted(by: { $0.0 < $1.0 }) {
            switch value {
            case .null: continue
            case .string(let text): hset += [name, text]
            case let value: hset += [name, value.jsonText()]
            }
        }
        guard hset.count > 2 else { return .failure(RowRejection("the event has no non-null field to store")) }
        guard let ttl = settings.ttlSeconds else { return .success([hset]) }
        return .success([hset, ["EXPIRE", key, String(ttl)]])
    }

    /// The open connection, or a new one past AUTH and SELECT.
    private func connected() async throws(RedisError) -> RedisConnection {
        if let connection, connection.isOpen { return connection }
        connection = nil
        let fresh = try await Self.open(settings, loop: context.loop)
        connection = fresh
        return fresh
    }

    /// Connects, authenticates and selects the database; a refused AUTH or SELECT closes the connection again.
    private static func open(_ settings: Settings, loop: EventLoop) async throws(RedisError) -> RedisConnection {
        let connection = try await RedisConnection.open(loop: loop, host: settings.host, port: settings.port, timeout: settings.connectTimeout)
        try await connection.logIn(password: settings.password, database: settings.database, timeout: settings.replyTimeout)
        return connection
    }

    /// AUTH (with a password), SELECT, PING, then SET and DEL of a scratch key on a connection of its own.
    public func testConnection() async throws(DestinationFailure) {
        do {
            let connection = try await Self.open(settings, loop: context.loop)
            defer { connection.close() }
            let key = "rivulet_test_connection_\(UInt64.random(in: 0...UInt64.max))"
            try RedisReply.expectNoErrors(await connection.send([["PING"], ["SET", key, "1", "EX", "60"], ["DEL", key]], timeout: settings.replyTimeout))
        } catch {
            throw DestinationFailure(error.description)
        }
    }

    /// The key template is evaluated on each event.
    public var readsEvent: Bool { true }

    public func close() async {
        connection?.close()
        connection = nil
    }
}
