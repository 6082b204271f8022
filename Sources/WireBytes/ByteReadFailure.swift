/// The errors a `ByteReader` throws, supplied by the module that owns the protocol so its decoder throws one error
/// type of its own. An enum conforms by declaring cases with exactly these names and labels.
public protocol ByteReadFailure: Error {
    /// The input ended inside `field`.
    static func truncated(field: String) -> Self
    /// `field` decoded but holds a value the encoding does not allow.
    static func malformed(field: String, reason: String) -> Self
    /// `field` declares more bytes than its limit allows.
    static func tooLarge(field: String, size: Int, limit: Int) -> Self
}
