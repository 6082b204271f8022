import Foundation
import Testing
@testable import Auth

@Suite struct PermissionTests {
    /// (granted pattern, required resource) pairs where the grant covers the resource.
    static let coveredResources: [(String, String)] = [
        ("ADMIN:ANALYTICS:CONNECTOR", "ADMIN:ANALYTICS:CONNECTOR"),
        ("ADMIN:NAMESPACE:*:ANALYTICS", "ADMIN:NAMESPACE:game1:ANALYTICS"),
        ("ADMIN:NAMESPACE:*:ANALYTICS", "ADMIN:NAMESPACE:*:ANALYTICS"),
        ("ADMIN:*:*:ANALYTICS", "ADMIN:NAMESPACE:game1:ANALYTICS"),
        ("*", "ADMIN"),
        ("ADMIN:*:CONNECTOR", "ADMIN::CONNECTOR"),
    ]

    /// (granted pattern, required resource) pairs where it does not.
    static let uncoveredResources: [(String, String)] = [
        ("ADMIN:NAMESPACE:game1:ANALYTICS", "ADMIN:NAMESPACE:game2:ANALYTICS"),
        // A wildcard in the requirement is a literal `*`, not a free pass for a narrow grant.
        ("ADMIN:NAMESPACE:game1:ANALYTICS", "ADMIN:NAMESPACE:*:ANALYTICS"),
        // `*` stands for exactly one segment: never for none, never for several.
        ("ADMIN:NAMESPACE:*", "ADMIN:NAMESPACE:game1:ANALYTICS"),
        ("ADMIN:NAMESPACE:*:ANALYTICS", "ADMIN:NAMESPACE:ANALYTICS"),
        ("ADMIN:*", "ADMIN"),
        ("*", "ADMIN:ROLE"),
        ("ADMIN:ANALYTICS", "ADMIN:ANALYTICS:CONNECTOR"),
        ("ADMIN:ANALYTICS:CONNECTOR", "ADMIN:ANALYTICS"),
        // Segments compare exactly: case, prefixes, partial wildcards and empty segments all count.
        ("admin:analytics:connector", "ADMIN:ANALYTICS:CONNECTOR"),
        ("ADMIN:ANALYTICS:CONN", "ADMIN:ANALYTICS:CONNECTOR"),
        ("ADMIN::CONNECTOR", "ADMIN:ANALYTICS:CONNECTOR"),
        ("ADMIN:AN*:CONNECTOR", "ADMIN:ANALYTICS:CONNECTOR"),
    ]

    @Test(arguments: coveredResources)
    func grantCoversMatchingResource(_ granted: String, _ required: String) {
        #expect(Permission.resource(granted, covers: required))
    }

    @Test(arguments: uncoveredResources)
    func grantDoesNotCoverOtherResource(_ granted: String, _ required: String) {
        #expect(!Permission.resource(granted, covers: required))
    }

    /// (granted action bits, required action bits) where every required bit is granted.
    static let coveredActions: [(Int, Int)] = [(15, 1), (15, 2), (15, 8), (15, 15), (2, 2), (3, 1), (3, 3), (6, 4), (10, 10)]
    /// (granted, required) where some required bit is missing.
    static let uncoveredActions: [(Int, Int)] = [(2, 1), (2, 3), (1, 2), (7, 8), (7, 15), (14, 1), (5, 6)]

    @Test(arguments: coveredActions)
    func grantedActionBitsCoverTheRequiredOnes(_ granted: Int, _ required: Int) {
        #expect(Self.grant(granted).covers(Self.grant(required)))
    }

    @Test(arguments: uncoveredActions)
    func aMissingActionBitRefuses(_ granted: Int, _ required: Int) {
        #expect(!Self.grant(granted).covers(Self.grant(required)))
    }

    private static func grant(_ action: Int) -> Permission {
        Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .init(rawValue: action))
    }

    @Test func actionsHaveAccelBytesValues() {
        #expect(Permission.Action.create.rawValue == 1)
        #expect(Permission.Action.read.rawValue == 2)
        #expect(Permission.Action.update.rawValue == 4)
        #expect(Permission.Action.delete.rawValue == 8)
        #expect(Permission.Action.all.rawValue == 15)
    }

    @Test func aGrantNeedsBothTheResourceAndTheAction() {
        let grants = [
            Permission(resource: "ADMIN:ROLE", action: .read),
            Permission(resource: "ADMIN:NAMESPACE:*:CLIENT", action: .read),
            Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: [.create, .read]),
        ]
        #expect(grants.allow(Permission(resource: "ADMIN:ROLE", action: .read)))
        #expect(grants.allow(Permission(resource: "ADMIN:NAMESPACE:game1:CLIENT", action: .read)))
        #expect(grants.allow(Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .create)))
        #expect(!grants.allow(Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .delete)))
        #expect(!grants.allow(Permission(resource: "ADMIN:ROLE", action: .update)))
        #expect(!grants.allow(Permission(resource: "ADMIN:NAMESPACE:game1:CLIENT", action: [.read, .update])))
        #expect(![Permission]().allow(Permission(resource: "ADMIN:ROLE", action: .read)))
    }

    @Test func jsonUsesAccelBytesKeys() throws {
        let permission = Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .all)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(permission), as: UTF8.self)
        #expect(json == #"{"Action":15,"Resource":"ADMIN:ANALYTICS:CONNECTOR"}"#)
        #expect(try JSONDecoder().decode(Permission.self, from: Data(json.utf8)) == permission)
    }
}
