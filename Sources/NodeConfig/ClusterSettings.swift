import Gossip

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

    /// `cluster.roles`, default `[admin, pipeline]`. What work this node takes, gossiped in its metadata so other
    /// nodes pick owners only among members with the needed role (for example a node without `pipeline` never owns
    /// a source). Each role is `[a-z0-9_-]+`.
    public var roles: [String] = ["admin", "pipeline"]

    /// `cluster.secret`, default none. Base64 of 32 random bytes (`openssl rand -base64 32`), or a list of them for
    /// key rotation: packets are encrypted with the first key and accepted under any, so a new key is rolled out by
    /// listing it second everywhere, then first, then dropping the old one. When set, every gossip packet and
    /// stream is encrypted and authenticated (AES-256-GCM), packets under other keys are dropped, and calls forwarded
    /// between nodes carry an HMAC under a key derived from it; every node must share a key. Without it, anyone who
    /// can reach the gossip port can join the cluster.
    public var secrets: [String] = []

    /// `cluster.gossip`, default memberlist's LAN settings. `profile: loopback` starts from memberlist's local
    /// settings instead (one host: faster probes and shorter suspicion); the other keys override single values.
    public var gossip = GossipSettings.lan

    /// `cluster.id_lane`, default derived from `server.name`. Integer ids this node hands out (connector ids) carry
    /// its lane, 0 to 1023, so two nodes on different lanes never issue the same id. A node refuses to issue ids
    /// while another live member uses its lane; set distinct lanes by hand when two names hash to one.
    public var idLane: UInt16?

    /// `cluster.tombstone_ttl`, default 24 h. How long a deleted admin record is remembered so a late, older write
    /// cannot bring it back. A node that was down for longer should start with an empty data directory.
    public var tombstoneTTL: Duration = .seconds(86_400)

    /// `cluster.forward_timeout`, default 10 s. How long a call forwarded to the node that owns its work may take,
    /// connecting included, before the caller gets a 503 naming that node.
    public var forwardTimeout: Duration = .seconds(10)

    /// `cluster.testing.partitions`, default false. Enables `PUT /api/v1/cluster/partition`, which makes this node
    /// stop talking gossip to the addresses given: how the tests cut a cluster in two and heal it. Never in
    /// production.
    public var partitionAPI = false

    public init() {}
}
