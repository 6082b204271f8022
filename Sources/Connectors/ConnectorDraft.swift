import Templates

/// A create or edit body, checked field by field with the product's documented limits before anything is stored.
/// Pure: the routes turn a `Refusal` into `{"errorCode": 400, "errorMessage": ...}` (or 501 for a storage type
/// without a sink yet).
public struct ConnectorDraft: Sendable, Equatable {
    public var connectorName: String
    public var storageType: Connector.StorageType
    public var config: [String: String]
    public var filter: [String: [String]]

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        /// 501 rather than 400: a valid storage type whose sink does not exist yet.
        public let notImplemented: Bool

        init(_ description: String, notImplemented: Bool = false) {
            self.description = description
            self.notImplemented = notImplemented
        }
    }

    /// Event types of the ingestion routes, in the spellings clients use.
    public static let eventTypes = ["justice_event": "justice_event", "justice-event": "justice_event",
                                    "game_telemetry": "game_telemetry", "game-telemetry": "game_telemetry"]
    /// Minimum S3 multipart part size (S3's own limit).
    public static let minimumPartSize = 5_242_880

    /// Reads a JSON body: `{connectorName, connectorType: "SINK", storageType, config: {... strings}, filter: {ns: [topics]}}`.
    public init(json: JSONValue) throws(Refusal) {
        guard case .object(let body) = json else { throw Refusal("the body must be a JSON object") }
        let known: Set<String> = ["connectorName", "connectorType", "storageType", "config", "filter", "id", "active", "createdAt", "updatedAt"]
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) { throw Refusal("unknown field '\(unknown)'") }
        guard case .string(let name)? = body["connectorName"], !name.isEmpty else { throw Refusal("connectorName is required") }
        guard name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw Refusal("connectorName must be 1 to 64 letters, digits, '-' or '_'")
        }
        if let type = body["connectorType"], type != .string("SINK") { throw Refusal("connectorType must be SINK") }
        guard case .string(let storage)? = body["storageType"], let storageType = Connector.StorageType(rawValue: storage) else {
            throw Refusal("storageType must be one of \(Connector.StorageType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard storageType.isImplemented else {
            throw Refusal("storageType \(storage) is not available yet: no sink for it has been tested", notImplemented: true)
        }
        guard case .object(let rawConfig)? = body["config"] else { throw Refusal("config is required: an object of strings") }
        var config: [String: String] = [:]
        for (key, value) in rawConfig {
            guard case .string(let text) = value else { throw Refusal("config.\(key) must be a string") }
            config[key] = text
        }
        guard case .object(let rawFilter)? = body["filter"], !rawFilter.isEmpty else {
            throw Refusal("filter is required: {\"<namespace>\": [\"<topic>\", ...]}")
        }
        var filter: [String: [String]] = [:]
        for (namespace, value) in rawFilter {
            guard case .array(let items) = value, !items.isEmpty else { throw Refusal("filter.\(namespace) must be a non-empty list of topics") }
            filter[namespace] = try items.map { item throws(Refusal) in
                guard case .string(let topic) = item, !topic.isEmpty else { throw Refusal("filter.\(namespace) must list topic names") }
                return topic
            }
        }
        self.connectorName = name
        self.storageType = storageType
        self.filter = filter
        self.config = try Self.checked(config, for: storageType)
    }

    /// The config with defaults filled in, or the first field outside its limits.
    static func checked(_ config: [String: String], for storage: Connector.StorageType) throws(Refusal) -> [String: String] {
        var config = config
        guard let eventType = config["eventType"], let canonical = eventTypes[eventType] else {
            throw Refusal("config.eventType must be justice_event or game_telemetry")
        }
        config["eventType"] = canonical
        try integer(&config, "flushInterval", in: 1...15, unit: "minutes", default: nil)
        try integer(&config, "flushSize", in: 100...10_000, unit: "events", default: nil)
        switch storage {
        case .s3:
            for required in ["bucketName", "region"] where (config[required] ?? "").isEmpty {
                throw Refusal("config.\(required) is required for KAFKA_S3")
            }
            try integer(&config, "customPartitionDuration", in: 1...1440, unit: "minutes", default: 15)
            try integer(&config, "partSize", in: minimumPartSize...Int.max, unit: "bytes", default: minimumPartSize)
            try checkS3Options(config)
        case .redshift:
            for required in ["host", "dbName", "username", "password"] where (config[required] ?? "").isEmpty {
                throw Refusal("config.\(required) is required for KAFKA_REDSHIFT")
            }
            try integer(&config, "port", in: 1...65_535, unit: "", default: 5439)
        case .snowflake, .gamesight:
            break
        }
        return config
    }

    private static func integer(_ config: inout [String: String], _ key: String, in range: ClosedRange<Int>, unit: String, default fallback: Int?) throws(Refusal) {
        guard let text = config[key] else {
            guard let fallback else { throw Refusal("config.\(key) is required") }
            config[key] = String(fallback)
            return
        }
        let limits = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
        guard let value = Int(text), range.contains(value) else {
            throw Refusal("config.\(key) must be \(limits)\(unit.isEmpty ? "" : " \(unit)"), given as a string; got '\(text)'")
        }
    }

    /// Refuses an edit that changes what a connector is (its name, storage type or event type).
    public func checkEdit(of existing: Connector) throws(Refusal) {
        if connectorName != existing.connectorName { throw Refusal("connectorName cannot be changed") }
        if storageType != existing.storageType { throw Refusal("storageType cannot be changed") }
        if config["eventType"] != existing.config["eventType"] { throw Refusal("config.eventType cannot be changed") }
    }
}
