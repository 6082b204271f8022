import Gossip
import HTTP
// Decoding of each typed section from YAML. Each initializer starts from the section's defaults, overwrites the keys
// that are present, and rejects the rest, so the defaults live only on the settings types.

extension NodeConfiguration {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("server", into: &server) { node throws(ConfigError) in try ServerSettings(node) }
        try fields.read("cluster", into: &cluster) { node throws(ConfigError) in try ClusterSettings(node) }
        try fields.read("logging", into: &logging) { node throws(ConfigError) in try LoggingSettings(node) }
        try fields.read("metrics", into: &metrics) { node throws(ConfigError) in try MetricsSettings(node) }
        try fields.read("fallback", into: &fallback) { node throws(ConfigError) in try FallbackSettings(node) }
        try fields.read("topics", into: &topics) { node throws(ConfigError) in try TopicSettings(node) }
        try fields.read("api_keys", into: &apiKeys) { node throws(ConfigError) in try node.value() }
        try fields.read("destinations", into: &destinations) { node throws(ConfigError) in try node.value() }
        try fields.read("sources", into: &sources) { node throws(ConfigError) in try node.value() }
        try fields.read("iam", into: &iam) { node throws(ConfigError) in try node.value() }
        try fields.finish()
    }
}

extension ServerSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("name", into: &name) { node throws(ConfigError) in try node.string() }
        try fields.read("port", into: &port) { node throws(ConfigError) in try node.int() }
        try fields.read("host", into: &host) { node throws(ConfigError) in try node.string() }
        try fields.read("admin_token", into: &adminToken) { node throws(ConfigError) in try node.string() }
        try fields.read("data_dir", into: &dataDir) { node throws(ConfigError) in try node.string() }
        try fields.read("max_event_size", into: &maxEventSize) { node throws(ConfigError) in try node.int() }
        try fields.read("trust_proxy", into: &trustProxy) { node throws(ConfigError) in try node.bool() }
        try fields.read("replay_allowed_dirs", into: &replayAllowedDirs) { node throws(ConfigError) in
            try node.stringList()
        }
        try fields.read("http", into: &http) { node throws(ConfigError) in try HTTPLimits(node) }
        try fields.finish()
    }
}

extension HTTPLimits {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("max_header_bytes", into: &maxHeaderBytes) { node throws(ConfigError) in try node.int() }
        try fields.read("max_body_bytes", into: &maxBodyBytes) { node throws(ConfigError) in try node.int() }
        try fields.read("header_timeout", into: &headerTimeout) { node throws(ConfigError) in try node.duration() }
        try fields.read("idle_timeout", into: &idleTimeout) { node throws(ConfigError) in try node.duration() }
        try fields.read("drain_timeout", into: &drainTimeout) { node throws(ConfigError) in try node.duration() }
        try fields.finish()
    }
}

extension ClusterSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("name", into: &name) { node throws(ConfigError) in try node.string() }
        try fields.read("bind", into: &bind) { node throws(ConfigError) in try node.hostPort() }
        try fields.read("advertise", into: &advertise) { node throws(ConfigError) in try node.hostPort() }
        try fields.read("seeds", into: &seeds) { node throws(ConfigError) in try node.hostPortList() }
        try fields.read("roles", into: &roles) { node throws(ConfigError) in try node.stringList() }
        try fields.read("secret", into: &secrets) { node throws(ConfigError) in
            node.isList ? try node.stringList() : [try node.string()]
        }
        try fields.read("gossip", into: &gossip) { node throws(ConfigError) in try GossipSettings(node) }
        try fields.read("id_lane", into: &idLane) { node throws(ConfigError) in
            let lane = try node.int()
            guard (0..<1024).contains(lane) else { throw ConfigError.invalidValue(path: node.path, reason: "\(lane) is not a lane from 0 to 1023") }
            return UInt16(lane)
        }
        try fields.read("tombstone_ttl", into: &tombstoneTTL) { node throws(ConfigError) in try node.duration() }
        try fields.read("forward_timeout", into: &forwardTimeout) { node throws(ConfigError) in try node.duration() }
        try fields.read("testing", into: &partitionAPI) { node throws(ConfigError) in
            var testing = try node.fields()
            var partitions = false
            try testing.read("partitions", into: &partitions) { node throws(ConfigError) in try node.bool() }
            try testing.finish()
            return partitions
        }
        try fields.finish()
        gossip.clusterName = name
    }
}

extension GossipSettings {
    /// The profile first, then single values over it; keys are memberlist's names as the issue tracker and
    /// memberlist users know them.
    init(_ node: ConfigNode) throws(ConfigError) {
        var fields = try node.fields()
        var profile = Profile.lan
        try fields.read("profile", into: &profile) { node throws(ConfigError) in try node.oneOf(Profile.self) }
        self = profile == .lan ? .lan : .loopback
        try fields.read("probe_interval", into: &probeInterval) { node throws(ConfigError) in try node.duration() }
        try fields.read("probe_timeout", into: &probeTimeout) { node throws(ConfigError) in try node.duration() }
        try fields.read("indirect_checks", into: &indirectChecks) { node throws(ConfigError) in try node.int() }
        try fields.read("tcp_fallback_ping", into: &tcpFallbackPing) { node throws(ConfigError) in try node.bool() }
        try fields.read("awareness_max_multiplier", into: &awarenessMaxMultiplier) { node throws(ConfigError) in try node.int() }
        try fields.read("suspicion_mult", into: &suspicionMultiplier) { node throws(ConfigError) in try node.int() }
        try fields.read("suspicion_max_mult", into: &suspicionMaxTimeoutMultiplier) { node throws(ConfigError) in try node.int() }
        try fields.read("retransmit_mult", into: &retransmitMultiplier) { node throws(ConfigError) in try node.int() }
        try fields.read("gossip_interval", into: &gossipInterval) { node throws(ConfigError) in try node.duration() }
        try fields.read("gossip_nodes", into: &gossipNodes) { node throws(ConfigError) in try node.int() }
        try fields.read("gossip_to_dead", into: &gossipToTheDead) { node throws(ConfigError) in try node.duration() }
        try fields.read("push_pull_interval", into: &pushPullInterval) { node throws(ConfigError) in try node.duration() }
        try fields.read("packet_size", into: &packetSize) { node throws(ConfigError) in try node.int() }
        try fields.read("application_share", into: &applicationShare) { node throws(ConfigError) in try node.double() }
        try fields.read("join_retry_interval", into: &joinRetryInterval) { node throws(ConfigError) in try node.duration() }
        try fields.finish()
    }

    /// `cluster.gossip.profile`.
    enum Profile: String, CaseIterable {
        case lan, loopback
    }
}

extension LoggingSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("level", into: &level) { node throws(ConfigError) in try node.oneOf(Level.self) }
        try fields.read("format", into: &format) { node throws(ConfigError) in try node.oneOf(Format.self) }
        try fields.finish()
    }
}

extension MetricsSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("enabled", into: &enabled) { node throws(ConfigError) in try node.bool() }
        try fields.read("path", into: &path) { node throws(ConfigError) in try node.string() }
        try fields.finish()
    }
}

extension FallbackSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("rotation_min", into: &rotationMinutes) { node throws(ConfigError) in
            let minutes = try node.double()
            guard minutes >= 1.0 / 60 else { throw ConfigError.invalidValue(path: node.path, reason: "must be at least 1 second (0.0167)") }
            return minutes
        }
        try fields.finish()
    }
}

extension TopicSettings {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        try fields.read("enabled", into: &enabled) { node throws(ConfigError) in try node.bool() }
        for (key, keyPath) in [("event_type_field", \TopicSettings.eventTypeField), ("namespace_field", \.namespaceField), ("topic_field", \.topicField)] {
            try fields.read(key, into: &self[keyPath: keyPath]) { node throws(ConfigError) in
                let path = try node.string()
                guard !path.isEmpty, !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    throw ConfigError.invalidValue(path: node.path, reason: "must be a field name, with dots between nested names")
                }
                // The telemetry routes write the event type as a top-level field.
                guard key != "event_type_field" || !path.contains(".") else {
                    throw ConfigError.invalidValue(path: node.path, reason: "must be a top-level field name (no dots)")
                }
                return path
            }
        }
        try fields.read("retention_hours", into: &retentionHours) { node throws(ConfigError) in try node.positiveInt() }
        try fields.read("retention_bytes", into: &retentionBytes) { node throws(ConfigError) in try node.positiveInt() }
        try fields.finish()
    }
}
