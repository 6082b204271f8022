/// An analytics connector as the admin API shows and stores it (AccelByte's Analytics Connector shape): a sink
/// that streams the topics its filter names into a storage. Kept as the replicated record `connector/<id>`, so
/// every node serves it and will run its task.
public struct Connector: Codable, Sendable, Equatable {
    public var id: UInt64
    public var connectorName: String
    /// Always `SINK`.
    public var connectorType: String
    public var storageType: StorageType
    /// Every value a string, as the API takes them (`"flushSize": "1000"`).
    public var config: [String: String]
    /// Namespace to topic names.
    public var filter: [String: [String]]
    /// False after `deactivate`: its tasks stop and keep their offsets.
    public var active: Bool
    public var createdAt: String
    public var updatedAt: String

    public enum StorageType: String, Codable, Sendable, CaseIterable {
        case s3 = "KAFKA_S3"
        case redshift = "KAFKA_REDSHIFT"
        case snowflake = "KAFKA_SNOWFLAKE"
        case gamesight = "KAFKA_GAMESIGHT"

        /// Types validation accepts but no sink exists for yet (no server to test them against).
        public var isImplemented: Bool { self == .s3 || self == .redshift }
    }

    public init(id: UInt64, connectorName: String, connectorType: String, storageType: StorageType, config: [String: String],
                filter: [String: [String]], active: Bool, createdAt: String, updatedAt: String) {
        self.id = id
        self.connectorName = connectorName
        self.connectorType = connectorType
        self.storageType = storageType
        self.config = config
        self.filter = filter
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Config keys whose values the API never shows: answers carry `mask` instead, and an edit that sends `mask`
    /// back keeps the stored value.
    public static let secretKeys: Set<String> = ["password", "secretAccessKey"]
    public static let mask = "******"

    /// This connector as the API shows it: secrets masked.
    public var redacted: Connector {
        var copy = self
        for key in Self.secretKeys where copy.config[key] != nil { copy.config[key] = Self.mask }
        return copy
    }

    public static let keyPrefix = "connector/"

    public static func key(of id: UInt64) -> String { "\(keyPrefix)\(id)" }
}
