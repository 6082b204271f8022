import HTTP
import Testing
@testable import Cluster

@Suite struct ForwardSignatureTests {
    static let secret = [UInt8](0..<32)
    static let newSecret = [UInt8](repeating: 7, count: 32)
    static let now: UInt64 = 1_700_000_000_000
    static let body = Array(#"{"enabled": true}"#.utf8)

    /// A forwarded call from `node` to `recipient` as it arrives: the hop header and the signature `signature` made
    /// for it.
    static func request(method: HTTPMethod = .post, target: String = "/api/v1/sources/orders?force=true", body: [UInt8] = ForwardSignatureTests.body,
                        from node: String = "node1", to recipient: String = "node2",
                        signedBy signature: ForwardSignature = ForwardSignature(secrets: [ForwardSignatureTests.secret]),
                        at time: UInt64 = ForwardSignatureTests.now) -> HTTPRequest {
        let value = signature.sign(method: method.rawValue, target: target, body: body, from: node, to: recipient, at: time)
        return HTTPRequest(method: method, target: target,
                           headers: [ForwardHeaders.forwardedBy: node, ForwardHeaders.signature: value], body: body)
    }

    /// The verifier of `node` (by default the receiver `request` signs for).
    static func verifier(of node: String = "node2") -> ForwardVerifier {
        ForwardVerifier(signature: ForwardSignature(secrets: [secret]), localName: node)
    }

    /// `request` with one field of its signature header set to `value`.
    static func replacing(_ field: String, with value: String, in request: HTTPRequest) -> HTTPRequest {
        var request = request
        let fields = request.headers[ForwardHeaders.signature]!.split(separator: ",").map { part in
            part.hasPrefix("\(field)=") ? "\(field)=\(value)" : String(part)
        }
        request.headers.set(ForwardHeaders.signature, fields.joined(separator: ","))
        return request
    }

    @Test func signedCallVerifiesAndNamesItsForwarder() throws {
        let request = Self.request()
        let value = try #require(request.headers[ForwardHeaders.signature])
        #expect(value.wholeMatch(of: /t=1700000000000,n=node1,r=node2,x=[0-9a-f]{32},v2=[0-9a-f]{64}/) != nil, "\(value)")
        #expect(Self.verifier().verify(request, now: Self.now + 1_000) == .success("node1"))
    }

    @Test func changedMethodTargetBodyNodesOrNonceIsABadSignature() {
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
        // Signed for node3, then readdressed to node2.
        let recipient = Self.replacing("r", with: "node2", in: Self.request(to: "node3"))
        let nonce = Self.replacing("x", with: String(repeating: "ab", count: 16), in: Self.request())
        for tampered in [method, target, body, node, hop, recipient, nonce] {
            #expect(Self.verifier().verify(tampered, now: Self.now) == .failure(.badSignature))
        }
    }

    @Test func anotherClusterSecretIsABadSignature() {
        let foreign = ForwardSignature(secrets: [Self.newSecret])
        #expect(Self.verifier().verify(Self.request(signedBy: foreign), now: Self.now) == .failure(.badSignature))
    }

    @Test func timestampOutsideTheWindowIsStaleEitherWay() {
        let verifier = ForwardVerifier(signature: ForwardSignature(secrets: [Self.secret]), localName: "node2", window: 30_000)
        #expect(verifier.verify(Self.request(at: Self.now - 30_001), now: Self.now) == .failure(.stale))
        #expect(verifier.verify(Self.request(at: Self.now + 30_001), now: Self.now) == .failure(.stale))
        #expect(verifier.verify(Self.request(at: Self.now - 30_000), now: Self.now) == .success("node1"))
    }

    @Test func sameSignatureTwiceIsAReplay() {
        let verifier = Self.verifier()
        let request = Self.request()
        #expect(verifier.verify(request, now: Self.now) == .success("node1"))
        #expect(verifier.verify(request, now: Self.now + 5) == .failure(.replayed))
        // The same call signed again is a new call.
        #expect(verifier.verify(Self.request(), now: Self.now + 5) == .success("node1"))
    }

    @Test func sameCallTwiceInOneMillisecondGetsTwoSignaturesEachAcceptedOnce() {
        let first = Self.request()
        let second = Self.request()
        #expect(first.headers[ForwardHeaders.signature] != second.headers[ForwardHeaders.signature])
        let verifier = Self.verifier()
        #expect(verifier.verify(first, now: Self.now) == .success("node1"))
        #expect(verifier.verify(second, now: Self.now) == .success("node1"))
        #expect(verifier.verify(first, now: Self.now) == .failure(.replayed))
        #expect(verifier.verify(second, now: Self.now) == .failure(.replayed))
    }

    @Test func callSignedForAnotherNodeIsRefused() {
        // Captured on its way from node1 to node3 and sent to node2 instead.
        let toNode3 = Self.request(to: "node3")
        #expect(Self.verifier(of: "node2").verify(toNode3, now: Self.now) == .failure(.wrongRecipient))
        #expect(ForwardError.refused(.wrongRecipient).message == "forwarded call refused: signature is addressed to another node")
        // Its own receiver still takes it: the refusal elsewhere did not use it up.
        #expect(Self.verifier(of: "node3").verify(toNode3, now: Self.now) == .success("node1"))
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
        #expect(ForwardVerifier(signature: rotating, localName: "node2").verify(Self.request(signedBy: old), now: Self.now) == .success("node1"))
        let onlyNew = ForwardVerifier(signature: ForwardSignature(secrets: [Self.newSecret]), localName: "node2")
        #expect(onlyNew.verify(Self.request(signedBy: rotating), now: Self.now) == .success("node1"))
        #expect(Self.verifier().verify(Self.request(signedBy: rotating), now: Self.now) == .failure(.badSignature))
    }

    @Test func missingOrMalformedHeader() {
        var missing = Self.request()
        missing.headers.remove(ForwardHeaders.signature)
        #expect(Self.verifier().verify(missing, now: Self.now) == .failure(.missing))
        let nonce = String(repeating: "0", count: 32)
        let code = String(repeating: "0", count: 64)
        for value in [
            "", "garbage", "t=1,n=node1", "t=x,n=node1,r=node2,x=\(nonce),v2=\(code)", "t=1,n=node1,r=node2,x=\(nonce),v2=abc",
            "t=1,t=2,n=a,r=node2,x=\(nonce),v2=\(code)", "t=1,n=node1,r=,x=\(nonce),v2=\(code)", "t=1,n=node1,x=\(nonce),v2=\(code)",
            "t=1,n=node1,r=node2,v2=\(code)", "t=1,n=node1,r=node2,x=00,v2=\(code)", "t=1,n=node1,r=node2,x=\(nonce),x=\(nonce),v2=\(code)",
            // The first format, without receiver or nonce.
            "t=1,n=node1,v1=\(code)",
        ] {
            var malformed = Self.request()
            malformed.headers.set(ForwardHeaders.signature, value)
            #expect(Self.verifier().verify(malformed, now: Self.now) == .failure(.malformed), "\(value)")
        }
    }

    @Test func signingIsDeterministicForAGivenNonceAndKeyedApartFromGossip() throws {
        let signature = ForwardSignature(secrets: [Self.secret])
        let nonce = [UInt8](100..<116)
        let once = signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "m", at: 5, nonce: nonce)
        #expect(once.hasPrefix("t=5,n=n,r=m,x=6465666768696a6b6c6d6e6f70717273,v2="))
        #expect(once == signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "m", at: 5, nonce: nonce))
        #expect(once != signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "m", at: 6, nonce: nonce))
        #expect(once != signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "o", at: 5, nonce: nonce))
        #expect(once != signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "m", at: 5, nonce: [UInt8](0..<16)))
        #expect(once != signature.sign(method: "GET", target: "/a", body: [], from: "n", to: "m", at: 5))
        let fromBase64 = try #require(ForwardSignature(base64Secrets: [KeyringTests.key1]))
        let raw = ForwardSignature(secrets: [[UInt8](0..<32)])
        #expect(fromBase64.sign(method: "GET", target: "/", body: [], from: "n", to: "m", at: 1, nonce: nonce)
                == raw.sign(method: "GET", target: "/", body: [], from: "n", to: "m", at: 1, nonce: nonce))
        #expect(ForwardSignature(base64Secrets: []) == nil)
    }

    @Test func acceptedSignaturesAreForgottenOnceOutsideTheWindow() {
        let verifier = ForwardVerifier(signature: ForwardSignature(secrets: [Self.secret]), localName: "node2", window: 1_000)
        for offset in UInt64(0)..<50 {
            #expect(verifier.verify(Self.request(at: Self.now + offset), now: Self.now + offset) == .success("node1"))
        }
        #expect(verifier.remembered == 50)
        // Past the window every one of them is stale anyway, so none needs remembering.
        #expect(verifier.verify(Self.request(at: Self.now + 5_000), now: Self.now + 5_000) == .success("node1"))
        #expect(verifier.remembered == 1)
    }
}
