import HTTP
import Testing
@testable import Cluster

@Suite struct ForwardGuardTests {
    @Test func directCallPassesAndForwardedCallNamesItsForwarder() throws {
        let guarded = ForwardGuard(signature: ForwardSignature(secrets: [ForwardSignatureTests.secret]), localName: "node2")
        #expect(try guarded.check(HTTPRequest(method: .get, target: "/api/v1/cluster"), now: ForwardSignatureTests.now) == nil)
        #expect(try guarded.check(ForwardSignatureTests.request(), now: ForwardSignatureTests.now) == "node1")
    }

    @Test func withoutASecretForwardedCallsAreAccepted() throws {
        let open = ForwardGuard(signature: nil, localName: "node2")
        let request = HTTPRequest(method: .post, target: "/x", headers: [ForwardHeaders.forwardedBy: "node3"])
        #expect(try open.check(request, now: 0) == "node3")
    }

    @Test func refusedCallIsA401NamingTheReason() async throws {
        let guarded = ForwardGuard(signature: ForwardSignature(secrets: [ForwardSignatureTests.secret]), localName: "node2")
        var request = ForwardSignatureTests.request()
        request.headers.remove(ForwardHeaders.signature)
        #expect(throws: ForwardError.refused(.missing)) { try guarded.check(request, now: ForwardSignatureTests.now) }

        var router = Router()
        try router.post("/api/v1/sources/orders") { request, _ in
            _ = try guarded.check(request)
            return .text("ran")
        }
        let refused = await router.respond(to: request)
        #expect(refused.status == .unauthorized)
        #expect(try refused.decode([String: String].self) == ["message": "forwarded call refused: no signature"])
        let replayed = ForwardSignatureTests.request(at: ForwardSignature.unixMilliseconds())
        #expect(await router.respond(to: replayed).bodyText == "ran")
        #expect(try await router.respond(to: replayed).decode([String: String].self) == ["message": "forwarded call refused: signature already used"])
        let elsewhere = ForwardSignatureTests.request(to: "node3", at: ForwardSignature.unixMilliseconds())
        #expect(try await router.respond(to: elsewhere).decode([String: String].self) == ["message": "forwarded call refused: signature is addressed to another node"])
    }

    @Test func notOwnerIsA409NamingTheCurrentOwner() async throws {
        var router = Router()
        try router.post("/api/v1/sources/{id}/sync") { _, context in throw ForwardGuard.notOwner("node2", of: "source \(try context.parameter("id"))") }
        let response = await router.respond(to: HTTPRequest(method: .post, target: "/api/v1/sources/orders/sync"))
        #expect(response.status == .conflict)
        #expect(try response.decode([String: String].self) == [
            "message": "this node is not the owner of source orders any more; its owner is node2",
            "owner": "node2",
        ])
    }
}
