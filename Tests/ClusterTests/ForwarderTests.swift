import Foundation
import HTTP
import Loop
import Testing
import TestSupport
@testable import Cluster

@Suite(.serialized) struct ForwarderTests {
    static let secret = [UInt8](repeating: 42, count: 32)

    @Test func forwardedCallReachesTheOwnerAndItsAnswerComesBackUnchanged() async throws {
        let harness = try LoopHarness()
        let signature = ForwardSignature(secrets: [Self.secret])
        let received = Recorder()
        let guarded = ForwardGuard(signature: signature, localName: "owner")

        var ownerRoutes = Router()
        try ownerRoutes.post("/api/v1/things/{id}") { request, _ in
            _ = try guarded.check(request)
            received.record(request)
            return HTTPResponse(status: .created, headers: ["Content-Type": "application/json", "X-Owner-Note": "made"],
                                body: Array(#"{"created":true}"#.utf8))
        }
        let owner = try await LiveServer.start(on: harness, router: ownerRoutes)

        let forwarder = try await harness.onLoop {
            Forwarder(client: HTTPClient(loop: harness.loop), localName: "front", signature: signature)
        }
        var frontRoutes = Router()
        try frontRoutes.post("/api/v1/things/{id}") { request, context in
            try await forwarder.forward(request, to: "owner", at: owner.address, what: "thing \(try context.parameter("id"))", requestID: context.requestID)
        }
        let front = try await LiveServer.start(on: harness, router: frontRoutes)

        let target = "/api/v1/things/42?mode=fast&note=a%20b"
        let body = Array(#"{"name": "forty-two"}"#.utf8)
        let answer = try await harness.onLoop {
            let client = HTTPClient(loop: harness.loop)
            defer { client.shutdown() }
            let request = HTTPRequest(method: .post, target: target, headers: [
                "Content-Type": "application/json", "X-Admin-Token": "admin", "X-Custom": "kept",
                "Keep-Alive": "timeout=5", "Proxy-Authorization": "Basic eA==",
            ], body: body)
            return try await client.execute(request, host: "127.0.0.1", port: front.port)
        }

        #expect(answer.status == .created)
        #expect(answer.bodyText == #"{"created":true}"#)
        #expect(answer.headers["Content-Type"] == "application/json")
        #expect(answer.headers["X-Owner-Note"] == "made")
        #expect(answer.headers[ForwardHeaders.servedBy] == "owner")
        // The front node's router and server add these; the owner's copies are not passed on twice.
        #expect(answer.headers.fields.filter { $0.name == "X-Request-Id" }.count == 1)
        #expect(answer.headers.fields.filter { $0.name == "Date" }.count == 1)

        let calls = received.all
        try #require(calls.count == 1)
        let call = calls[0]
        #expect(call.method == .post)
        #expect(call.target == target)
        #expect(call.body == body)
        #expect(call.headers["X-Admin-Token"] == "admin")
        #expect(call.headers["X-Custom"] == "kept")
        #expect(call.headers["Content-Type"] == "application/json")
        #expect(call.headers["Keep-Alive"] == nil)
        #expect(call.headers["Proxy-Authorization"] == nil)
        #expect(call.headers["Host"] == owner.address)
        #expect(call.headers[ForwardHeaders.forwardedBy] == "front")
        #expect(call.headers["X-Request-Id"] == answer.headers["X-Request-Id"])
        // A fresh verifier has not seen this signature yet, so it checks it on its own.
        let check = ForwardVerifier(signature: signature, localName: "owner").verify(call, now: ForwardSignature.unixMilliseconds())
        #expect(check == .success("front"))
        #expect(ForwardSignature.parse(try #require(call.headers[ForwardHeaders.signature]))?.recipient == "owner")

        try await harness.onLoop { forwarder.client.shutdown() }
        try await front.stop(on: harness)
        try await owner.stop(on: harness)
        #expect(await harness.finish() == 0)
    }

    @Test func ownerAnswersPassBackAsTheyAreEvenErrorsAndItsOwnServedBy() async throws {
        let harness = try LoopHarness()
        var ownerRoutes = Router()
        let guarded = ForwardGuard(signature: ForwardSignature(secrets: [Self.secret]), localName: "owner")
        try ownerRoutes.get("/api/v1/named") { request, _ in
            _ = try guarded.check(request)
            return HTTPResponse(status: .ok, headers: [ForwardHeaders.servedBy: "owner-instance-7"], body: Array("hi".utf8))
        }
        let owner = try await LiveServer.start(on: harness, router: ownerRoutes)
        let (named, refused) = try await harness.onLoop {
            let client = HTTPClient(loop: harness.loop)
            defer { client.shutdown() }
            // A clock that stands still: the same call twice in one millisecond must not look like a replay.
            let frozen = ForwardSignature.unixMilliseconds()
            let good = Forwarder(client: client, localName: "front", signature: ForwardSignature(secrets: [Self.secret]), clock: { frozen })
            let first = try await good.forward(HTTPRequest(method: .get, target: "/api/v1/named"), to: "owner", at: owner.address, what: "x")
            let named = try await good.forward(HTTPRequest(method: .get, target: "/api/v1/named"), to: "owner", at: owner.address, what: "x")
            #expect(first.status == .ok && named.status == .ok)
            let foreign = Forwarder(client: client, localName: "front", signature: ForwardSignature(secrets: [[UInt8](repeating: 1, count: 32)]))
            let refused = try await foreign.forward(HTTPRequest(method: .get, target: "/api/v1/named"), to: "owner", at: owner.address, what: "x")
            return (named, refused)
        }
        #expect(named.headers[ForwardHeaders.servedBy] == "owner-instance-7")
        #expect(named.bodyText == "hi")
        // The owner's refusal is its answer, not an unreachable owner.
        #expect(refused.status == .unauthorized)
        #expect(try refused.decode([String: String].self) == ["message": "forwarded call refused: signature does not match"])
        #expect(refused.headers[ForwardHeaders.servedBy] == "owner")
        try await owner.stop(on: harness)
        #expect(await harness.finish() == 0)
    }

    /// Forwards `request` from a node named "front" to `member` at `address` on `harness`'s loop; the error it
    /// throws, or nil when it answered.
    private static func forwardingError(_ request: HTTPRequest, to member: String, at address: String, what: String,
                                        timeout: UInt64 = 10_000, on harness: LoopHarness) async throws -> ForwardError? {
        try await harness.onLoop { () -> ForwardError? in
            let client = HTTPClient(loop: harness.loop)
            defer { client.shutdown() }
            let forwarder = Forwarder(client: client, localName: "front", signature: nil, timeout: timeout)
            do {
                _ = try await forwarder.forward(request, to: member, at: address, what: what)
                return nil
            } catch let error as ForwardError { return error }
        }
    }

    @Test func closedPortIsA503NamingTheOwner() async throws {
        let harness = try LoopHarness()
        let started = ContinuousClock.now
        let port = try await harness.onLoop { try DeadEnds.closedPort(on: harness.loop) }
        let error = try await Self.forwardingError(HTTPRequest(method: .post, target: "/api/v1/sources/orders/sync"), to: "node2",
                                                   at: "127.0.0.1:\(port)", what: "source orders", on: harness)
        let failure = try #require(error)
        guard case .ownerUnreachable(owner: "node2", what: "source orders", let reason) = failure else {
            Issue.record("expected ownerUnreachable, got \(failure)")
            return
        }
        #expect(reason.contains("ECONNREFUSED"))
        #expect(failure.status == .serviceUnavailable)
        #expect(failure.message.hasPrefix("owner node2 of source orders is unreachable: "))
        let rendered = Router.renderMessageError(failure, HTTPRequest(method: .post, target: "/"))
        #expect(rendered.status.code == 503)
        #expect(try rendered.decode([String: String].self)["owner"] == "node2")
        // Refused at once, inside the default 10 s timeout (generous: the whole suite shares two cores).
        #expect(ContinuousClock.now - started < .seconds(9))
        #expect(await harness.finish() == 0)
    }

    @Test func ownerThatNeverAnswersIsA503WithinTheTimeout() async throws {
        let harness = try LoopHarness()
        let silent = try await harness.onLoop { try DeadEnds.Silent(loop: harness.loop) }
        let error = try await Self.forwardingError(HTTPRequest(method: .get, target: "/api/v1/fallback"), to: "node3",
                                                   at: silent.address, what: "fallback file f", timeout: 300, on: harness)
        let failure = try #require(error)
        #expect(failure.status == .serviceUnavailable)
        #expect(failure.message.hasPrefix("owner node3 of fallback file f is unreachable: "))
        // The client's own timeouts are 5 s (connect) and 30 s (read); the reason shows the forwarder's bound applied.
        #expect(failure.message.hasSuffix("no answer within 300 ms"))
        try await harness.onLoop { silent.close() }
        #expect(await harness.finish() == 0)
    }

    @Test func ownerThatNeverAcceptsIsA503WithinTheTimeout() async throws {
        // A listener whose accept queue (backlog 0) is taken by one connection: Linux drops further SYNs, so
        // connecting hangs, and only the forwarder's own deadline (not the client's 5 s connect timeout) ends it.
        let listener = try IdleListener(backlog: 0)
        listener.fill()
        let harness = try LoopHarness()
        let port = listener.port
        let error = try await Self.forwardingError(HTTPRequest(method: .get, target: "/api/v1/fallback"), to: "node4",
                                                   at: "127.0.0.1:\(port)", what: "fallback file g", timeout: 300, on: harness)
        // The reason names the forwarder's deadline; the client's 5 s connect timeout would say "timed out connecting".
        // No wall-clock bound: with the whole suite and its database servers on two cores, scheduling alone can
        // take seconds.
        #expect(error == .ownerUnreachable(owner: "node4", what: "fallback file g", reason: "no answer within 300 ms"))
        #expect(await harness.finish() == 0)
        withExtendedLifetime(listener) {}
    }

    @Test func alreadyForwardedCallIsNotForwardedAgain() async throws {
        let harness = try LoopHarness()
        let error = try await harness.onLoop { () -> ForwardError? in
            let forwarder = Forwarder(client: HTTPClient(loop: harness.loop), localName: "node2", signature: nil)
            let request = HTTPRequest(method: .post, target: "/api/v1/sources/orders/sync", headers: [ForwardHeaders.forwardedBy: "node1"])
            do {
                _ = try await forwarder.forward(request, to: "node3", at: "127.0.0.1:1", what: "source orders")
                return nil
            } catch let error as ForwardError { return error }
        }
        #expect(error == .notOwner(owner: "node3", what: "source orders"))
        #expect(error?.status == .conflict)
        #expect(await harness.finish() == 0)
    }

    @Test func fanOutGathersAnswersAndNamesTheMembersThatMissedTheDeadline() async throws {
        let harness = try LoopHarness()
        let gate = Gate()
        let received = Recorder()
        var goodRoutes = Router()
        try goodRoutes.get("/api/v1/fallback") { request, _ in
            received.record(request)
            return .json(["files": ["good.log"]])
        }
        var slowRoutes = Router()
        try slowRoutes.get("/api/v1/fallback") { _, _ in
            await gate.wait()
            return .json(["files": ["slow.log"]])
        }
        let good = try await LiveServer.start(on: harness, router: goodRoutes)
        let slow = try await LiveServer.start(on: harness, router: slowRoutes)
        let deadPort = try await harness.onLoop { try DeadEnds.closedPort(on: harness.loop) }

        let (answers, missing) = try await harness.onLoop {
            let client = HTTPClient(loop: harness.loop)
            defer { client.shutdown() }
            let forwarder = Forwarder(client: client, localName: "front", signature: ForwardSignature(secrets: [Self.secret]))
            return await forwarder.fanOut(HTTPRequest(method: .get, target: "/api/v1/fallback"), to: [
                (name: "front", address: "127.0.0.1:1"),
                (name: "slow", address: slow.address),
                (name: "good", address: good.address),
                (name: "dead", address: "127.0.0.1:\(deadPort)"),
            ], deadline: 300)
        }
        #expect(Set(answers.keys) == ["good"])
        #expect(try answers["good"]?.decode([String: [String]].self) == ["files": ["good.log"]])
        #expect(answers["good"]?.headers[ForwardHeaders.servedBy] == "good")
        #expect(missing == ["slow", "dead"])
        #expect(received.all.first?.headers[ForwardHeaders.forwardedBy] == "front")
        // Each member gets a signature made for it.
        let signed = try #require(received.all.first?.headers[ForwardHeaders.signature])
        #expect(ForwardSignature.parse(signed)?.recipient == "good")

        try await harness.onLoop { gate.open() }
        try await slow.stop(on: harness)
        try await good.stop(on: harness)
        #expect(await harness.finish() == 0)
    }

    @Test func signaturesKeepTheClockTimeHoweverManyAreMadeInOneMillisecond() async throws {
        // The rate of a busy fan-out and more: 20,000 calls while the clock stands still. Each is signed at the
        // clock's time, not pushed ahead of it, and each is still unique.
        let harness = try LoopHarness()
        let frozen = ForwardSignatureTests.now
        let (onTime, unique, last) = try await harness.onLoop {
            let client = HTTPClient(loop: harness.loop)
            defer { client.shutdown() }
            let forwarder = Forwarder(client: client, localName: "front", signature: ForwardSignature(secrets: [Self.secret]), clock: { frozen })
            let request = HTTPRequest(method: .get, target: "/api/v1/fallback")
            let expected = "t=\(frozen),n=front,r=node2,"
            var onTime = 0
            var values: Set<String> = []
            var last: String?
            for _ in 0..<20_000 {
                guard let value = forwarder.signatureHeader(for: request, to: "node2") else { break }
                if value.hasPrefix(expected) { onTime += 1 }
                values.insert(value)
                last = value
            }
            return (onTime, values.count, last)
        }
        #expect(onTime == 20_000, "every signature carries the clock's time")
        #expect(unique == 20_000)
        let value = try #require(last)
        let request = HTTPRequest(method: .get, target: "/api/v1/fallback", headers: [ForwardHeaders.forwardedBy: "front", ForwardHeaders.signature: value])
        #expect(ForwardVerifier(signature: ForwardSignature(secrets: [Self.secret]), localName: "node2").verify(request, now: frozen) == .success("front"))
        #expect(await harness.finish() == 0)
    }

    @Test(arguments: [
        ("127.0.0.1:8001", "127.0.0.1", 8001),
        ("node-2.local:80", "node-2.local", 80),
        ("[::1]:9000", "::1", 9000),
    ])
    func addressesSplitIntoHostAndPort(address: String, host: String, port: Int) {
        let split = Forwarder.split(address)
        #expect(split?.host == host && split?.port == port)
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:", ":80", "host:0", "host:70000", "host:x"])
    func badAddressesAreRefused(address: String) {
        #expect(Forwarder.split(address) == nil)
    }
}
