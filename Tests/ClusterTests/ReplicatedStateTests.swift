import Foundation
import Gossip
import Logging
import Loop
import Replication
import Testing
import TestSupport
@testable import Cluster

/// Two nodes' replicated maps in one process, over real gossip sockets and SQLite files on loopback: the module API
/// (watch, put, delete, ids) that the HTTP routes do not show.
@Suite(.serialized) struct ReplicatedStateTests {
    /// One node: its gossip shell, store and map.
    struct Node {
        let shell: GossipShell
        let store: StateStore
        let state: ReplicatedState

        func close() async throws {
            state.close()
            shell.close()
            try await store.closeAndWait()
        }
    }

    static func start(_ name: String, in directory: URL, seeds: [Node] = [], lane: UInt16, loop: EventLoop,
                      wallClock: @escaping () -> UInt64 = ReplicatedState.unixMilliseconds) async throws -> Node {
        let shell = try GossipShell.start(loop: loop, configuration: GossipShell.Configuration(
            name: name, bind: try SocketAddress(ip: "127.0.0.1", port: 0), advertise: nil,
            seeds: seeds.map { Address(host: "127.0.0.1", port: UInt16($0.shell.localAddress!.port)) },
            settings: .loopback, keyring: nil,
            metadata: NodeMetadata(http: "127.0.0.1:1", version: "test", roles: ["admin"], lane: lane)),
            logger: Logger(label: "test.gossip"))
        let store = try await StateStore.open(path: directory.appendingPathComponent("\(name).sqlite").path, loop: loop)
        let state = try await ReplicatedState.start(
            shell: shell, store: store, name: name,
            settings: ReplicatedState.Settings(syncInterval: .seconds(1), lane: lane), logger: Logger(label: "test.state"),
            wallClock: wallClock)
        return Node(shell: shell, store: store, state: state)
    }

    /// Polls `condition` on the loop every 10 ms for up to `seconds`.
    static func eventually(_ loop: EventLoop, within seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
        let timer = try LoopTimer(loop: loop)
        defer { timer.close() }
        for _ in 0..<Int(seconds * 100) {
            if condition() { return true }
            await withCheckedContinuation { continuation in timer.start(after: 10) { continuation.resume() } }
        }
        return condition()
    }

    static func withTwoNodes(lanes: (UInt16, UInt16) = (1, 2), _ body: @escaping @Sendable (Node, Node, EventLoop) async throws -> Void) async throws {
        let harness = try LoopHarness()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-replicated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await harness.onLoop {
            let loop = harness.loop
            let a = try await start("a", in: directory, lane: lanes.0, loop: loop)
            let b = try await start("b", in: directory, seeds: [a], lane: lanes.1, loop: loop)
            do {
                #expect(try await eventually(loop) { a.shell.members.count == 2 && b.shell.members.count == 2 })
                try await body(a, b, loop)
            } catch {
                Issue.record(error)
            }
            try await a.close()
            try await b.close()
        }
        #expect(await harness.finish() == 0)
    }

    @Test func watchersOnAnotherNodeSeeWritesAndDeletes() async throws {
        try await Self.withTwoNodes { a, b, loop in
            var seen: [Record] = []
            b.state.watch(prefix: "connector/") { seen.append($0) }
            try await a.state.put("connector/1", value: Array(#"{"name":"orders"}"#.utf8))
            try await a.state.put("source/1", value: Array("{}".utf8))
            #expect(try await Self.eventually(loop) { b.state.get("connector/1") != nil })
            try await a.state.delete("connector/1")
            #expect(try await Self.eventually(loop) { b.state.get("connector/1") == nil })
            #expect(seen.map(\.key) == ["connector/1", "connector/1"])
            #expect(seen.map(\.isTombstone) == [false, true])
            #expect(b.state.list(prefix: "source/").map(\.key) == ["source/1"])
            #expect(try await a.state.delete("connector/1") == nil, "deleting what is gone writes nothing")

            var afterUnwatch: [Record] = []
            let token = b.state.watch(prefix: "connector/") { afterUnwatch.append($0) }
            b.state.unwatch(token)
            try await a.state.put("connector/2", value: Array("{}".utf8))
            #expect(try await Self.eventually(loop) { b.state.get("connector/2") != nil })
            #expect(afterUnwatch.isEmpty)
        }
    }

    @Test func ownershipTellsObserversWhenAMemberWithTheRoleJoins() async throws {
        let harness = try LoopHarness()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-owners-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await harness.onLoop {
            let loop = harness.loop
            let a = try await Self.start("a", in: directory, lane: 1, loop: loop)
            let ownership = Ownership(shell: a.shell)
            var changes: [OwnershipChange] = []
            ownership.observe { changes.append($0) }
            #expect(ownership.owner(of: "source/orders", role: "admin") == "a")
            let b = try await Self.start("b", in: directory, seeds: [a], lane: 2, loop: loop)
            #expect(try await Self.eventually(loop) { changes.contains { $0.after == ["a", "b"] } })
            #expect(changes.last == OwnershipChange(role: "admin", before: ["a"], after: ["a", "b"]))
            #expect(ownership.candidates(role: "admin") == ["a", "b"])
            #expect(ownership.owner(of: "source/orders", role: "pipeline") == nil, "no member carries the role")
            try await a.close()
            try await b.close()
        }
        #expect(await harness.finish() == 0)
    }

    @Test func aDeleteRightBehindAPutStillOnItsWayToDiskDeletesIt() async throws {
        try await Self.withTwoNodes { a, _, loop in
            // The put runs up to its disk write and waits there; the delete comes in meanwhile.
            let put = Task.immediate(executorPreference: loop) { try await a.state.put("k", value: Array("1".utf8)) }
            let tombstone = try await a.state.delete("k")
            _ = try await put.value
            #expect(tombstone?.isTombstone == true)
            #expect(a.state.get("k") == nil)
        }
    }

    @Test func aValueTooLargeForAGossipPacketTravelsAsANoticeAndIsFetched() async throws {
        try await Self.withTwoNodes { a, b, loop in
            let large = Array("\"\(String(repeating: "x", count: 20_000))\"".utf8)
            try await a.state.put("template/big", value: large)
            // Well under the 1 s sync interval's first round: the notice makes b fetch it from a at once.
            #expect(try await Self.eventually(loop, within: 0.5) { b.state.get("template/big")?.value == large })
        }
    }

    @Test func refusesKeysAndValuesOutsideTheLimits() async throws {
        try await Self.withTwoNodes { a, _, _ in
            await #expect(throws: ReplicatedStateError.self) { try await a.state.put("", value: []) }
            await #expect(throws: ReplicatedStateError.self) { try await a.state.put("bad\nkey", value: Array("1".utf8)) }
            await #expect(throws: ReplicatedStateError.self) {
                try await a.state.put("k", value: [UInt8](repeating: 0x31, count: Record.maxValueSize + 1))
            }
        }
    }

    @Test func idsCarryTheLaneAndAreRefusedWhileAnotherLiveNodeHoldsIt() async throws {
        try await Self.withTwoNodes { a, _, _ in
            let first = try await a.state.allocateID()
            let second = try await a.state.allocateID()
            #expect(second > first)
            #expect(IdAllocator.lane(of: first) == 1)
            #expect(first < 1 << 53)
        }
        try await Self.withTwoNodes(lanes: (5, 5)) { a, _, _ in
            await #expect(throws: ReplicatedStateError.laneConflict(lane: 5, other: "b")) { try await a.state.allocateID() }
        }
    }

    @Test func aRestartedNodeNeverReissuesAnIdEvenWithTheClockSetBack() async throws {
        let harness = try LoopHarness()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-ids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await harness.onLoop {
            let loop = harness.loop
            let now = ReplicatedState.unixMilliseconds()
            let before = try await Self.start("solo", in: directory, lane: 3, loop: loop, wallClock: { now })
            let issued = try await before.state.allocateID()
            try await before.state.put("k", value: Array("1".utf8))
            try await before.close()
            let after = try await Self.start("solo", in: directory, lane: 3, loop: loop, wallClock: { now - 60_000 })
            #expect(try await after.state.allocateID() > issued)
            // Its clock also starts past what it stored, so its next write wins over its last one.
            let rewritten = try await after.state.put("k", value: Array("2".utf8))
            #expect(after.state.get("k") == rewritten)
            try await after.close()
        }
        #expect(await harness.finish() == 0)
    }
}
