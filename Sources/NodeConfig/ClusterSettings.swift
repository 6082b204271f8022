/// The `cluster:` section: how this node finds and talks to the other nodes over gossip.
public struct ClusterSettings: Sendable, Equatable {
    /// `cluster.name`, default `"rivulet"`. A label carried and checked in every gossip packet, so two clusters
    /// that can reach each other (staging and production on one network) never merge. Every node of a cluster
    /// must use the same name.
    public var name = "rivulet"

    /// `cluster.bind`, default `127.0.0.1:7001`. The address of the UDP gossip socket and of the TCP push-pull
    /// listener, which share the port. The default keeps a single node private; a cluster across hosts binds
    /// `0.0.0.0`. Port 0 binds an ephemeral port (tests).
    public var bind = HostPort(host: "127.0.0.1", port: 7001)

    /// `cluster.advertise`, default none, meaning the bind address. The address other nodes dial to reach this
    /// one; set it when binding `0.0.0.0` or behind NAT, where the bind address is not reachable as written.
    public var advertise: HostPort?

    /// `cluster.seeds`, default empty (a cluster of one). Gossip addresses of other nodes to join at start-up; any
    /// one live seed is enough, since membership then spreads by gossip. Listing this node's own address is harmless.
    public var seeds: [HostPort] = []

    /// `cluster.secret`, default none. Base64 of 32 random bytes (`openssl rand -base64 32`). When set, gossip is
    /// encrypted and authenticated with AES-256-GCM and calls forwarded between nodes are signed with HMAC; every
    /// node must use the same secret. Without it, anyone who can reach the gossip port can join the cluster.
    public var secret: String?

    /// `cluster.gossip`, default none. Overrides of the gossip protocol's timing; keys left out keep the protocol's
    /// defaults, which suit a LAN.
    public var gossip: GossipTuning?

    /// Settings with every default.
    public init() {}
}
