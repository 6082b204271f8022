/// A permission in AccelByte IAM's shape: a resource such as `ADMIN:NAMESPACE:game1:ANALYTICS` and a bitmask of
/// actions. A client's grants are permissions; a route's requirement is one too.
///
/// The JSON keys `Resource` and `Action` are AccelByte's, in token claims and token responses alike; clients of the
/// analytics-connector API read them, so they must not change.
public struct Permission: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What may be done with a resource: AccelByte's bits, which configuration files and tokens carry as integers
    /// (15 is everything), so the values must never change.
    public struct Action: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: Int

        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let create = Action(rawValue: 1)
        public static let read = Action(rawValue: 2)
        public static let update = Action(rawValue: 4)
        public static let delete = Action(rawValue: 8)
        /// Every action (15).
        public static let all: Action = [.create, .read, .update, .delete]
    }

    public let resource: String
    public let action: Action

    public init(resource: String, action: Action) {
        self.resource = resource
        self.action = action
    }

    private enum CodingKeys: String, CodingKey {
        case resource = "Resource"
        case action = "Action"
    }

    /// Whether this grant allows `required`: every required action bit is granted (AccelByte's
    /// `granted & required == required`) and the resources match as `resource(_:covers:)` says.
    public func covers(_ required: Permission) -> Bool {
        action.isSuperset(of: required.action) && Self.resource(resource, covers: required.resource)
    }

    /// Whether the granted resource pattern covers the required resource. Both are split on `:` and compared segment
    /// by segment; a granted `*` stands for exactly one segment of any value, so `ADMIN:NAMESPACE:*:ANALYTICS`
    /// covers `ADMIN:NAMESPACE:game1:ANALYTICS`. A different number of segments never matches: unlike AccelByte's
    /// SDK, a trailing `*` does not reach deeper resources, so a grant never covers more than it spells out.
    public static func resource(_ granted: String, covers required: String) -> Bool {
        let grantedSegments = granted.split(separator: ":", omittingEmptySubsequences: false)
        let requiredSegments = required.split(separator: ":", omittingEmptySubsequences: false)
        guard grantedSegments.count == requiredSegments.count else { return false }
        return zip(grantedSegments, requiredSegments).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// `RESOURCE (action N)`, for logs and refusal messages.
    public var description: String { "\(resource) (action \(action.rawValue))" }
}

extension Sequence<Permission> {
    /// Whether any of these grants covers `required`.
    public func allow(_ required: Permission) -> Bool {
        contains { $0.covers(required) }
    }
}
