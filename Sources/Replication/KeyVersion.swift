/// A key and the version a node holds for it: what the sync exchange compares instead of whole records.
public struct KeyVersion: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var version: Version

    public init(key: String, version: Version) {
        self.key = key
        self.version = version
    }

    /// The key and version of `record`.
    public init(_ record: Record) {
        self.init(key: record.key, version: record.version)
    }

    /// `"<key>@<version>"`, for logs.
    public var description: String { "\(key)@\(version)" }
}
