import Gossip
import Loop

/// Turns gossip addresses (numeric or host names, as members advertise them) into socket addresses. Numeric
/// ones convert at once; names resolve on the thread pool and are cached for `lifetime`, because a container's
/// address changes when it restarts. Frames for a name being resolved wait for the answer.
struct AddressCache {
    private let loop: EventLoop
    private let state = State()
    /// Milliseconds a resolved name is trusted.
    static let lifetime: UInt64 = 30_000

    /// Loop-bound: only touched on the loop thread, including by the resolving task (the loop is its executor).
    private final class State: @unchecked Sendable {
        var entries: [Address: (address: SocketAddress, expires: UInt64)] = [:]
        var waiting: [Address: [(SocketAddress) -> Void]] = [:]
    }

    init(loop: EventLoop) { self.loop = loop }

    /// Calls `body` with the socket address of `address`, now or once resolved; never when resolution fails
    /// (gossip treats that like a lost packet).
    func withAddress(_ address: Address, _ body: @escaping (SocketAddress) -> Void) {
        if let numeric = try? SocketAddress(ip: address.host, port: Int(address.port)) { return body(numeric) }
        if let entry = state.entries[address], entry.expires > loop.now { return body(entry.address) }
        if state.waiting[address] != nil {
            state.waiting[address]!.append(body)
            return
        }
        state.waiting[address] = [body]
        let loop = self.loop
        let state = self.state
        Task(executorPreference: loop) {
            let resolved = try? await loop.resolve(host: address.host, port: Int(address.port)).first
            let bodies = state.waiting.removeValue(forKey: address) ?? []
            guard let resolved else { return }
            state.entries[address] = (resolved, loop.now + Self.lifetime)
            bodies.forEach { $0(resolved) }
        }
    }
}
