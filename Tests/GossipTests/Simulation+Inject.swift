import GossipSimulation

@testable import Gossip

extension Simulation {
    /// Feeds a member one decoded message, as if it had arrived from `from`. Messages are internal to Gossip, so
    /// only its own tests can build one; the simulation itself takes frames.
    mutating func inject(_ message: Message, into name: String, from: Address) {
        deliver(WireCodec(label: settings.clusterName).frame([WireCodec.encode(message)]), to: name, from: from)
    }
}
