/// One entry of the replicated map: a key, its JSON value and the version that wrote it. A delete is a record too
/// (a tombstone), so it can win against an older write arriving late, until its time to live runs out.
public struct Record: Hashable, Sendable {
    /// Namespaced, such as `connector/17`.
    public var key: String
    /// The value's JSON text; empty for a tombstone.
    public var value: [UInt8]
    public var version: Version
    public var isTombstone: Bool

    /// The largest value a record may hold: admin records are small, and a record must fit a sync message.
    public static let maxValueSize = 64 << 10
    /// The longest key, in UTF-8 bytes.
    public static let maxKeySize = 512

    public init(key: String, value: [UInt8], version: Version, isTombstone: Bool = false) {
        self.key = key
        self.value = value
        self.version = version
        self.isTombstone = isTombstone
    }

    /// A delete of `key` at `version`.
    public static func tombstone(key: String, version: Version) -> Record {
        Record(key: key, value: [], version: version, isTombstone: true)
    }
}
