/// Where a member can be reached: the host and port other nodes dial for gossip (UDP) and push-pull (TCP).
///
/// The machine never resolves or parses addresses; it copies them between members and directives.
public struct Address: Hashable, Sendable, CustomStringConvertible {
    /// A host name or IP literal, exactly as the member advertised it.
    public var host: String
    /// The UDP port for gossip, which is also the TCP port for push-pull and fallback pings.
    public var port: UInt16

    /// Creates an address from a host and port.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The address as `host:port`, the form `cluster.advertise` uses.
    public var description: String { "\(host):\(port)" }
}
