import Templates
import Testing
import TestSupport
@testable import SourceSync

/// Against real redis-server processes (Debian's package): the shared open one and the one with `requirepass`.
/// Each test writes keys under a prefix of its own.
@Suite struct RedisSourceDriverTests {
    let harness: LoopHarness
    let prefix = "source\(UInt32.random(in: 0...UInt32.max))"

    init() throws { harness = try LoopHarness() }

    private func collection(_ pattern: String) throws -> CollectionConfig {
        CollectionConfig(name: "c", tableName: "c", schedule: try CronSchedule(parsing: "@hourly"), read: .redis(keyPattern: pattern))
    }

    /// Reads `pattern` with a new driver, closed afterwards, and returns the pages delivered.
    private func read(_ pattern: String, server: RedisServer, password: String? = nil, pageSize: Int = 100,
                      port: Int? = nil) async throws -> [[[String: JSONValue]]] {
        let settings = RedisSourceSettings(host: "127.0.0.1", port: port ?? server.port, password: password)
        let collection = try collection(pattern)
        return try await harness.onLoop { [harness] in
            let driver = RedisSourceDriver(loop: harness.loop, settings: settings)
            var pages: [[[String: JSONValue]]] = []
            do {
                try await driver.read(collection, after: nil, pageSize: pageSize) { rows, cursor in
                    #expect(cursor == nil)
                    pages.append(rows.objects())
                }
            } catch {
                await driver.close()
                throw error
            }
            await driver.close()
            return pages
        }
    }

    @Test func hashesMatchingThePatternBecomeRowsAndOtherKeysAreSkipped() async throws {
        let server = try RedisServer.shared.get()
        _ = try server.command("HSET", "\(prefix):user:1", "name", "ann", "age", "30")
        _ = try server.command("HSET", "\(prefix):user:2", "name", "bob", "redis_key", "mine")
        _ = try server.command("SET", "\(prefix):user:3", "a string")
        _ = try server.command("RPUSH", "\(prefix):user:4", "a list")
        _ = try server.command("HSET", "\(prefix):order:1", "total", "5")
        let pages = try await read("\(prefix):user:*", server: server)
        #expect(pages.count == 1)
        let rows = pages.flatMap { $0 }.sorted { $0["redis_key"]!.stringValue! < $1["redis_key"]!.stringValue! }
        #expect(rows == [
            ["redis_key": .string("\(prefix):user:1"), "name": .string("ann"), "age": .string("30")],
            ["redis_key": .string("\(prefix):user:2"), "name": .string("bob")],
        ])
        #expect(try await read("\(prefix):nothing:*", server: server) == [])
        #expect(await harness.finish() == 0)
    }

    @Test func rowsComeInPagesOfPageSizeEachHashOnce() async throws {
        let server = try RedisServer.shared.get()
        _ = try server.command("EVAL", "for i = 1, tonumber(ARGV[2]) do redis.call('HSET', ARGV[1] .. i, 'n', i) end", "0", "\(prefix):", "2500")
        let pages = try await read("\(prefix):*", server: server, pageSize: 300)
        #expect(pages.map(\.count) == Array(repeating: 300, count: 8) + [100])
        let numbers = Set(pages.flatMap { $0 }.compactMap { $0["n"]?.stringValue })
        #expect(numbers == Set((1...2500).map(String.init)))
        #expect(await harness.finish() == 0)
    }

    @Test func deliverThrowingStopsTheReadAndTheNextReadWorks() async throws {
        struct Refused: Error {}
        let server = try RedisServer.shared.get()
        for index in 1...3 { _ = try server.command("HSET", "\(prefix):\(index)", "n", String(index)) }
        let settings = RedisSourceSettings(host: "127.0.0.1", port: server.port, password: nil)
        let collection = try collection("\(prefix):*")
        let (stopped, calls, rows) = try await harness.onLoop { [harness] in
            let driver = RedisSourceDriver(loop: harness.loop, settings: settings)
            var calls = 0
            var stopped = false
            do {
                try await driver.read(collection, after: nil, pageSize: 1) { _, _ in
                    calls += 1
                    throw Refused()
                }
            } catch is Refused {
                stopped = true
            }
            var rows = 0
            try await driver.read(collection, after: nil, pageSize: 1) { page, _ in rows += page.count }
            await driver.close()
            return (stopped, calls, rows)
        }
        #expect(stopped && calls == 1)
        #expect(rows == 3)
        #expect(await harness.finish() == 0)
    }

    @Test func passwordIsSentWithAuthAndRefusalsKeepRedisWords() async throws {
        let server = try RedisServer.protected.get()
        _ = try server.command("HSET", "\(prefix):1", "n", "1")
        #expect(try await read("\(prefix):*", server: server, password: "secret") == [[["redis_key": .string("\(prefix):1"), "n": .string("1")]]])
        for (password, words) in [(nil, "NOAUTH"), ("wrong", "WRONGPASS")] {
            let error = await #expect(throws: SourceError.self) { try await read("\(prefix):*", server: server, password: password) }
            guard case .refused(let message) = error else { Issue.record("expected refused, got \(String(describing: error))"); continue }
            #expect(message.hasPrefix(words), "\(message)")
        }
        #expect(await harness.finish() == 0)
    }

    @Test func unreachableServerGivesTheConnectionError() async throws {
        let server = try RedisServer.shared.get()
        let error = await #expect(throws: SourceError.self) {
            try await read("*", server: server, port: try ServiceProcess.freePort())
        }
        guard case .unreachable(let reason) = error else { Issue.record("expected unreachable, got \(String(describing: error))"); return }
        #expect(reason.contains("Connection refused"), "\(reason)")
        #expect(await harness.finish() == 0)
    }
}
