/// Jitsu's admin token rule for `/api/v1/*`: the `token` query parameter, else the `X-Admin-Token` header, must
/// equal `server.admin_token`; the comparison takes the same time wherever the strings differ.
public struct AdminToken: Sendable {
    /// The configured token's bytes; nil means no admin call is allowed at all (Jitsu's behaviour).
    private let expected: [UInt8]?

    public init(_ expected: String?) {
        self.expected = expected.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    }

    /// Why a presented token was refused.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notConfigured
        case mismatch

        /// Jitsu's texts, which its clients and docs show.
        public var description: String {
            switch self {
            case .notConfigured: "admin_token must be configured"
            case .mismatch: "Admin token does not match"
            }
        }
    }

    /// Accepts `presented` or says why not.
    public func verify(_ presented: String?) throws(Refusal) {
        guard let expected else { throw .notConfigured }
        guard let presented, Self.constantTimeEquals(presented.utf8, expected) else {
            throw .mismatch
        }
    }

    /// Compares every byte of the longer input whatever differs, so timing does not reveal a matching prefix.
    static func constantTimeEquals<Presented: Collection<UInt8>>(_ lhs: Presented, _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        var left = lhs.makeIterator()
        for index in 0..<max(lhs.count, rhs.count) {
            let right = index < rhs.count ? rhs[index] : 0
            difference |= (left.next() ?? 0) ^ right
        }
        return difference == 0
    }
}
