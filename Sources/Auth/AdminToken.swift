/// Jitsu's admin token rule for `/api/v1/*`: the `token` query parameter, else the `X-Admin-Token` header, must
/// equal `server.admin_token`; the comparison takes the same time wherever the strings differ.
public struct AdminToken: Sendable {
    /// The configured token; nil means no admin call is allowed at all (Jitsu's behaviour).
    public let expected: String?

    public init(_ expected: String?) {
        self.expected = expected.flatMap { $0.isEmpty ? nil : $0 }
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
        guard let presented, Self.constantTimeEquals(Array(presented.utf8), Array(expected.utf8)) else {
            throw .mismatch
        }
    }

    /// Compares every byte of the longer input whatever differs, so timing does not reveal a matching prefix.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
