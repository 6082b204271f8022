import HTTP
import Testing
@testable import Cluster

@Suite struct ForwardSignatureTests {
    static let secret = [UInt8](0..<32)
    static let newSecret = [UInt8](repeating: 7, count: 32)
    static let now: UInt64 = 1_700_000_000_000
    static let body = Array(#"{"enabled": true}"#.utf8)

    /// A forwarded call as it arrives: the hop header and the signature `signature` made for it.
    static func request(method: HTTPMethod = .post, target: String = "/api/v1/sources/orders?force=true", body: [UInt8] = ForwardSignatureTests.body,
                        from node: String = "node1", signedBy signature: ForwardSignature = ForwardSignature(secrets: [ForwardSignatureTests.secret]),
                        at time: UInt64 = ForwardSignatureTests.now) -> HTTPRequest {
        let value = signature.sign(method: method.rawValue, target: target, body: body, from: node, at: time)
        return HTTPRequest(method: method, target: target,
                           headers: [ForwardHeaders.forwardedBy: node, ForwardHeaders.signature: value], body: body)
    }

    static func verifier() -> ForwardVerifier {
        ForwardVerifier(signature: ForwardSignature(secrets: [secret]))
    }

    @Test func signedCallVerifiesAndNamesItsForwarder() {
        let request = Self.request()
        #expect(request.headers[ForwardHeaders.signature]?.hasPrefix("t=\(Self.now),n=node1,v1=") == true)
        #expect(Self.verifier().verify(request, now: Self.now + 1_000) == .success("node1"))
    }

    @Test func changedMethodTargetBodyOrNodeIsABadSignature() {
        var method = Self.request()
        method.method = .put
        var target = Self.request()
        target.target = "/api/v1/sources/orders?force=false"
        var body = Self.request()
        body.body = Array(#"{"enabled": false}"#.utf8)
        var node = Self.request()
        node.headers.set(ForwardHeaders.signature, node.headers[ForwardHeaders.signature]!.replacingOccurrences(of: "n=node1", with: "n=node2"))
        node.headers.set(ForwardHeaders.forwardedBy, "node2")
        var hop = Self.request()
        hop.headers.set(ForwardHeaders.forwardedBy, "node2")
        for tampered in [method, target, body, node, hop] {
            #expect(Self.verifier().verify(tampered, now: Self.now) == .failure(.badSignature))
        }
    }

    @Test func anotherClusterSecretIsABadSignature() {
        let foreign = ForwardSignature(secrets: [Self.newSecret])
        #expect(Self.verifier().verify(Self.request(signedBy: foreign), now: Self.now) == .failure(.badSignature))
    }

    @Test func timestampOutsideTheWindowIsStaleEitherWay() {
        let verifier = ForwardVerifier(signature: ForwardSignature(secrets: [Self.secret]), window: 30_000)
        #expect(verifier.verify(Self.request(at: Self.now - 30_001), now: Self.now) == .failure(.stale))
        #expect(verifier.verify(Self.request(at: Self.now + 30_001), now: Self.now) == .failure(.stale))
        #expect(verifier.verify(Self.request(at: Self.now - 30_000), now: Self.now) == .success("node1"))
    }

    @Test func sameSignatureTwiceIsAReplay() {
        let verifier = Self.verifier()
        let request = Self.request()
        #expect(verifier.verify(request, now: Self.now) == .success("node1"))
        #expect(verifier.verify(request, now: Self.now + 5) == .failure(.replayed))
        // The same call signed a millisecond later is a new call.
        #expect(verifier.verify(Self.request(at: Self.now + 1), now: Self.now + 5) == .success("node1"))
    }

    @Test func forgedSignatureDoesNotBlockTheRealOne() {
        let verifier = Self.verifier()
        var forged = Self.request()
        forged.body = [1]
        #expect(verifier.verify(forged, now: Self.now) == .failure(.badSignature))
        #expect(verifier.verify(Self.request(), now: Self.now) == .success("node1"))
    }

    @Test func rotationAcceptsTheOldSecretAndSignsWithTheFirst() {
        let old = ForwardSignature(secrets: [Self.secret])
        let rotating = ForwardSignature(secrets: [Self.newSecret, Self.secret])
        #expect(ForwardVerifier(signature: rotating).verify(Self.request(signedBy: old), now: Self.now) == .success("node1"))
        let onlyNew = ForwardVerifier(signature: ForwardSignature(secrets: [Self.newSecret]))
        #expect(onlyNew.verify(Self.request(signedBy: rotating), now: Self.now) == .success("node1"))
        #expect(Self.verifier().verify(Self.request(signedBy: rotating), now: Self.now) == .failure(.badSignature))
    }

    @Test func missingOrMalformedHeader() {
        var missing = Self.request()
        missing.headers.remove(ForwardHeaders.signature)
        #expect(Self.verifier().verify(missing, now: Self.now) == .failure(.missing))
        for value in ["", "garbage", "t=1,n=node1", "t=x,n=node1,v1=00", "t=1,n=node1,v1=abc", "t=1,t=2,n=a,v1=" + String(repeating: "0", count: 64)] {
            var malformed = Self.request()
            malformed.headers.set(ForwardHeaders.signature, value)
            #expect(Self.verifier().verify(malformed, now: Self.now) == .failure(.malformed), "\(value)")
        }
    }

    @Test func signingIsDeterministicAndKeyedApartFromGossip() throws {
        let signature = ForwardSignature(secrets: [Self.secret])
        let once = signature.sign(method: "GET", target: "/a", body: [], from: "n", at: 5)
        #expect(once == signature.sign(method: "GET", target: "/a", body: [], from: "n", at: 5))
        #expect(once != signature.sign(method: "GET", target: "/a", body: [], from: "n", at: 6))
        let fromBase64 = try #require(ForwardSignature(base64Secrets: [KeyringTests.key1]))
        let raw = ForwardSignature(secrets: [[UInt8](0..<32)])
        #expect(fromBase64.sign(method: "GET", target: "/", body: [], from: "n", at: 1) == raw.sign(method: "GET", target: "/", body: [], from: "n", at: 1))
        #expect(ForwardSignature(base64Secrets: []) == nil)
    }

    @Test func acceptedSignaturesAreForgottenOnceOutsideTheWindow() {
        let verifier = ForwardVerifier(signature: ForwardSignature(secrets: [Self.secret]), window: 1_000)
        for offset in UInt64(0)..<50 {
            #expect(verifier.verify(Self.request(at: Self.now + offset), now: Self.now + offset) == .success("node1"))
        }
        #expect(verifier.remembered == 50)
        // Past the window every one of them is stale anyway, so none needs remembering.
        #expect(verifier.verify(Self.request(at: Self.now + 5_000), now: Self.now + 5_000) == .success("node1"))
        #expect(verifier.remembered == 1)
    }
}
