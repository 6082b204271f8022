import Replication

/// Why `StateStore` refused or failed a call. SQLite's own failures come through as GRDB's `DatabaseError`.
public enum StateStoreError: Error, CustomStringConvertible, Sendable {
    /// The call came after `close()`.
    case closed
    /// A record's wall time does not fit SQLite's signed 64-bit INTEGER; no real clock reads that.
    case wallTimeOutOfRange(key: String, version: Version)
    /// SQLite would not switch the file to write-ahead logging (a read-only or network file system).
    case walUnavailable(path: String, mode: String)
    /// A stored row holds a version no build of rivulet writes: the file was damaged or edited by hand.
    case corruptRecord(key: String)

    public var description: String {
        switch self {
        case .closed:
            "the state store is closed"
        case .wallTimeOutOfRange(let key, let version):
            "record \(key) has version \(version), whose wall time is beyond what the state store can hold"
        case .walUnavailable(let path, let mode):
            "\(path): SQLite kept journal mode \(mode) instead of WAL"
        case .corruptRecord(let key):
            "record \(key) in the state database has a version out of range"
        }
    }
}
