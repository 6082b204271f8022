import Cluster
import Foundation
import HTTP

/// The node's cluster parts that routes use: gossip, the replicated map, ownership and forwarding. They start
/// after the HTTP listener (gossip metadata carries its port), so routes reach them through this holder and answer
/// 503 until they are up. Loop-bound.
final class ClusterServices: @unchecked Sendable {
    let name: String
    var shell: GossipShell?
    var state: ReplicatedState?
    var ownership: Ownership?
    var forwarder: Forwarder?
    /// Signs forwarded calls; nil without `cluster.secret`.
    let signature: ForwardSignature?
    /// Checks forwarded calls' signatures from the first request on, before the other parts have started.
    let forwardGuard: ForwardGuard
    /// When the node started, for the uptime `/api/v1/nodes` shows.
    let startedAt = Date()

    init(name: String, secrets: [String]) {
        self.name = name
        signature = ForwardSignature(base64Secrets: secrets)
        forwardGuard = ForwardGuard(signature: signature, localName: name)
    }

    func requireState() throws(HTTPError) -> ReplicatedState {
        guard let state else { throw HTTPError(.serviceUnavailable, "node \(name) is still starting: its state is not loaded yet") }
        return state
    }

    func requireForwarder() throws(HTTPError) -> Forwarder {
        guard let forwarder else { throw HTTPError(.serviceUnavailable, "node \(name) is still starting: it cannot forward calls yet") }
        return forwarder
    }

    func requireOwnership() throws(HTTPError) -> Ownership {
        guard let ownership else { throw HTTPError(.serviceUnavailable, "node \(name) is still starting: it has no ownership view yet") }
        return ownership
    }

    func requireShell() throws(HTTPError) -> GossipShell {
        guard let shell else { throw HTTPError(.serviceUnavailable, "node \(name) is still starting: it has not joined the cluster yet") }
        return shell
    }

    /// Whether `request` was forwarded by another node, to be answered here and never forwarded again; with a
    /// cluster secret its signature must hold, else the call is refused with 401.
    func isForwarded(_ request: HTTPRequest) throws(ForwardError) -> Bool {
        try forwardGuard.check(request) != nil
    }

    /// The live members other than this node, with their HTTP addresses, for a fan-out.
    func otherLiveMembers() throws(HTTPError) -> [(name: String, address: String)] {
        let shell = try requireShell()
        return shell.members.filter { $0.name != name && !$0.status.isGone }.map { member in
            (name: member.name, address: shell.metadata[member.name]?.http ?? "")
        }
    }

    /// This node's share of a listing gathered from every node: `request` sent to each other live member, which
    /// answers its own part (it sees the call as forwarded). Returns the parts that came back within `deadline`
    /// and, sorted, the members that did not answer or answered something unreadable.
    func gather<Part: Decodable>(_ request: HTTPRequest, as: Part.Type, deadline: UInt64) async throws -> (parts: [Part], partial: [String]) {
        let (answers, missing) = try await requireForwarder().fanOut(request, to: otherLiveMembers(), deadline: deadline)
        var parts: [Part] = []
        var partial = missing
        for (name, answer) in answers.sorted(by: { $0.key < $1.key }) {
            guard answer.status == .ok, let part = try? answer.decode(Part.self) else {
                partial.append(name)
                continue
            }
            parts.append(part)
        }
        return (parts, partial.sorted())
    }

    /// Sends `request` to the member `owner`, which must be live and publish an HTTP address (503 naming it
    /// otherwise), and returns its answer. `what` names the subject for error messages.
    func forward(_ request: HTTPRequest, to owner: String, what: String, requestID: String, timeout: UInt64? = nil) async throws -> HTTPResponse {
        let shell = try requireShell()
        guard let member = shell.members.first(where: { $0.name == owner }) else {
            throw ForwardError.ownerUnreachable(owner: owner, what: what, reason: "no such member in the cluster")
        }
        guard !member.status.isGone else {
            throw ForwardError.ownerUnreachable(owner: owner, what: what, reason: "it is \(member.status)")
        }
        guard let address = shell.metadata[owner]?.http else {
            throw ForwardError.ownerUnreachable(owner: owner, what: what, reason: "it publishes no HTTP address")
        }
        return try await requireForwarder().forward(request, to: owner, at: address, what: what, requestID: requestID, timeout: timeout)
    }
}
