/// The parts of a fallback file's name: `<instance>-errors-<destination>[-<YYYY-MM-DDTHH-MM-SS.mmm>].log`, with
/// `.gz` after it when an operator compressed it. The instance in the name is the node whose disk holds the file,
/// which is how any node knows where to send a replay.
///
/// Node names are limited to `[A-Za-z0-9._-]` and never hold `-errors-` in practice; the first `-errors-` splits.
public struct FallbackFileName: Sendable, Equatable {
    public let instance: String
    public let destinationID: String
    /// The rotation time as written in the name; nil for a destination's active file.
    public let rotatedAt: String?
    public let gzipped: Bool

    private static let marker = "-errors-"
    /// `-YYYY-MM-DDTHH-MM-SS.mmm`
    private static let stampLength = 24

    public init?(_ name: String) {
        guard !name.contains("/"), let marker = name.range(of: Self.marker) else { return nil }
        var rest = Substring(name[marker.upperBound...])
        gzipped = rest.hasSuffix(".log.gz")
        guard gzipped || rest.hasSuffix(".log") else { return nil }
        rest = rest.dropLast(gzipped ? 7 : 4)
        if rest.count > Self.stampLength, Self.isStamp(rest.suffix(Self.stampLength)) {
            rotatedAt = String(rest.suffix(Self.stampLength - 1))
            rest = rest.dropLast(Self.stampLength)
        } else {
            rotatedAt = nil
        }
        instance = String(name[..<marker.lowerBound])
        destinationID = String(rest)
        guard !instance.isEmpty, !destinationID.isEmpty else { return nil }
    }

    /// `-2026-11-25T09-57-10.411`: digits where the pattern has `9`.
    private static func isStamp(_ text: Substring) -> Bool {
        let pattern = Array("-9999-99-99T99-99-99.999".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { byte, expected in
            expected == UInt8(ascii: "9") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == expected
        }
    }

    /// The active file's name for a node and destination.
    public static func active(instance: String, destinationID: String) -> String {
        "\(instance)\(marker)\(destinationID).log"
    }

    /// A rotated file's name; `stamp` is `YYYY-MM-DDTHH-MM-SS.mmm`.
    public static func rotated(instance: String, destinationID: String, stamp: String) -> String {
        "\(instance)\(marker)\(destinationID)-\(stamp).log"
    }
}
