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
        try fields.read("secret", into: &secret) { node throws(ConfigError) in try node.string() }
        try fields.read("gossip", into: &gossip) { node throws(ConfigError) in try GossipTuning(node) }
        try fields.finish()
    }
}

extension GossipTuning {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        var fields = try node.fields()
        for key in Key.allCases {
            try fields.read(key.rawValue, into: &overrides[key]) { node throws(ConfigError) in
                key.isDuration ? try node.duration().totalSeconds : Double(try node.int())
            }
        }
        try fields.finish()
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

extension Duration {
    /// The duration as fractional seconds, the unit `GossipTuning` stores.
    var totalSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
