import Foundation
import HTTP
import Logging
import Loop

/// Sends admin calls to the node that owns their subject and brings the owner's answer back (design.md,
/// "Ownership and forwarding"). Route handlers call it when this node is not the owner; they never open a client of
/// their own.
///
/// Loop-bound: call it from a task running on the client's loop, as the router's handlers do.
public final class Forwarder: @unchecked Sendable {
    public let client: HTTPClient
    /// This node's name, sent in the hop header and signed as the sender.
    public let localName: String
    /// Nil when the cluster has no secret: calls then go unsigned.
    public let signature: ForwardSignature?
    /// Milliseconds a forwarded call may take, connecting and reading together.
    public let timeout: UInt64
    private let clock: @Sendable () -> UInt64
    private let logger: Logger

    /// Request headers that concern one connection only and are never passed on (RFC 9110 §7.6.1), besides those
    /// a `Connection` header names and any `Proxy-*`. `Host` and `Content-Length` are written anew by the client;
    /// the forwarding headers are set fresh for every hop.
    static let requestHeadersNotForwarded = [
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Host", "Content-Length",
        ForwardHeaders.forwardedBy, ForwardHeaders.signature, ForwardHeaders.servedBy,
    ]

    /// Answer headers the local server writes itself: passing the owner's on would repeat them (`Date`,
    /// `X-Request-Id`, which the router adds) or break the framing of the local answer (`Transfer-Encoding`, since
    /// the client already de-chunked the body).
    static let answerHeadersNotForwarded = [
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Content-Length", "Date", "X-Request-Id",
    ]

    /// `timeout` is in milliseconds (default 10 s): long enough for an owner doing real work, short enough that a
    /// caller hears of a dead owner before its own timeout. `clock` gives the wall clock in unix milliseconds for
    /// signatures, used as it reads: each signature carries its own random nonce, so two equal calls in one
    /// millisecond (a listing polled twice, a fan-out) differ without the timestamp moving off the clock. Tests
    /// replace it.
    public init(client: HTTPClient, localName: String, signature: ForwardSignature?, timeout: UInt64 = 10_000,
                logger: Logger = Logger(label: "rivulet.forward"),
                clock: @escaping @Sendable () -> UInt64 = ForwardSignature.unixMilliseconds) {
        self.client = client
        self.localName = localName
        self.signature = signature
        self.timeout = timeout
        self.logger = logger
        self.clock = clock
    }

    /// Sends `request` to `member` at `address` (its HTTP `host:port` from gossip metadata) with the original method,
    /// target, body and end-to-end headers, adding the hop header and, with a secret, the signature. Returns the
    /// owner's answer (status, headers, body) with `X-Rivulet-Served-By: <member>` unless the owner set one; the
    /// headers the local server writes itself (`Date`, `X-Request-Id`, framing) are left out, see
    /// `answerHeadersNotForwarded`.
    ///
    /// `requestID`, when given, travels as `X-Request-Id` so both nodes log the call under one id.
    ///
    /// Throws `ForwardError.ownerUnreachable` (503 naming the owner) when the owner cannot be reached or does not
    /// answer within `timeout`, and `ForwardError.notOwner` (409) for a request that was already forwarded to this
    /// node: it must not hop again, and the caller learns who owns `what` now.
    ///
    /// `timeout` replaces the forwarder's for calls that run long by design (a synchronous replay).
    public func forward(_ request: HTTPRequest, to member: String, at address: String, what: String, requestID: String? = nil,
                        timeout: UInt64? = nil) async throws(ForwardError) -> HTTPResponse {
        client.loop.assertInLoop()
        guard !ForwardGuard.isForwarded(request) else { throw .notOwner(owner: member, what: what) }
        var outgoing = request
        if let requestID { outgoing.headers.set("X-Request-Id", requestID) }
        switch await send(outgoing, to: member, at: address, timeout: timeout ?? self.timeout) {
        case .success(let answer):
            return answer.servedBy(member)
        case .failure(let reason):
            logger.warning("forwarding failed", metadata: ["owner": "\(member)", "address": "\(address)", "what": "\(what)", "reason": "\(reason)"])
            throw .ownerUnreachable(owner: member, what: what, reason: reason.description)
        }
    }

    /// Sends `request` (typically a GET for a listing) to every member in parallel, with the hop header so each
    /// answers for itself, and waits at most `deadline` milliseconds. Returns the 2xx answers by member, and in
    /// `missing`, in the order given, the members that could not be reached, answered with another status, or
    /// missed the deadline; the caller merges the answers and reports `"partial": missing`. A member named like
    /// this node is skipped: the caller answers for itself.
    public func fanOut(_ request: HTTPRequest, to members: [(name: String, address: String)], deadline: UInt64) async -> (answers: [String: HTTPResponse], missing: [String]) {
        client.loop.assertInLoop()
        let targets = members.filter { $0.name != localName }
        let loop = client.loop
        let results = await withTaskGroup(of: (String, Result<HTTPResponse, ForwardFailure>).self) { group in
            for target in targets {
                group.addTask(executorPreference: loop) {
                    (target.name, await self.send(request, to: target.name, at: target.address, timeout: deadline))
                }
            }
            var results: [String: Result<HTTPResponse, ForwardFailure>] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        var answers: [String: HTTPResponse] = [:]
        var missing: [String] = []
        for target in targets {
            switch results[target.name] {
            case .success(let answer)? where (200..<300).contains(answer.status.code):
                answers[target.name] = answer.servedBy(target.name)
            case .success(let answer)?:
                logger.warning("fan-out answer left out", metadata: ["member": "\(target.name)", "status": "\(answer.status.code)", "body": "\(answer.bodyText.prefix(200))"])
                missing.append(target.name)
            case .failure(let reason)?:
                logger.warning("fan-out member missing", metadata: ["member": "\(target.name)", "address": "\(target.address)", "reason": "\(reason)"])
                missing.append(target.name)
            case nil:
                missing.append(target.name)
            }
        }
        return (answers, missing)
    }

    /// One hop to `member` at `address`: rewrites the headers, signs, and runs the exchange with a deadline covering
    /// connect and read.
    private func send(_ request: HTTPRequest, to member: String, at address: String, timeout: UInt64) async -> Result<HTTPResponse, ForwardFailure> {
        guard let (host, port) = Self.split(address) else { return .failure(.badAddress(address)) }
        var headers = HTTPHeaders()
        let connectionOptions = (request.headers.fields.filter { $0.name.lowercased() == "connection" })
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
        for (name, value) in request.headers {
            let lower = name.lowercased()
            if lower.hasPrefix("proxy-") || connectionOptions.contains(lower)
                || Self.requestHeadersNotForwarded.contains(where: { $0.lowercased() == lower }) {
                continue
            }
            headers.add(name, value)
        }
        headers.set("Host", address)
        headers.set(ForwardHeaders.forwardedBy, localName)
        if let value = signatureHeader(for: request, to: member) { headers.set(ForwardHeaders.signature, value) }
        let outgoing = HTTPRequest(method: request.method, target: request.target, headers: headers, body: request.body, keepAlive: true)
        let client = self.client
        let result = await LoopDeadline.run(on: client.loop, milliseconds: timeout) {
            // The client's read timeout matches, so an exchange abandoned by the deadline ends soon after it.
            try await client.execute(outgoing, host: host, port: port, readTimeout: timeout)
        }
        switch result {
        case .success(let response): return .success(response)
        case .failure(.timedOut): return .failure(.noAnswer(milliseconds: timeout))
        case .failure(.failed(let error as HTTPClientError)): return .failure(.client(error))
        case .failure(.failed(let error)): return .failure(.other("\(error)"))
        }
    }

    /// The signature header value for sending `request` to `member` now, by the clock; nil without a secret.
    func signatureHeader(for request: HTTPRequest, to member: String) -> String? {
        signature?.sign(method: request.method.rawValue, target: request.target, body: request.body, from: localName, to: member, at: clock())
    }

    /// `host:port`, with the host in brackets for IPv6 (`[::1]:8001`); nil when the port is missing or invalid.
    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}

extension HTTPResponse {
    /// The owner's answer as this node passes it on: without the headers the local server writes itself, and with
    /// `X-Rivulet-Served-By` naming `member` unless the owner named itself already.
    fileprivate func servedBy(_ member: String) -> HTTPResponse {
        var answer = self
        for name in Forwarder.answerHeadersNotForwarded { answer.headers.remove(name) }
        if !answer.headers.contains(ForwardHeaders.servedBy) { answer.headers.set(ForwardHeaders.servedBy, member) }
        return answer
    }
}
