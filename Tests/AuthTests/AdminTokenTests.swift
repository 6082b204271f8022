import Testing
@testable import Auth

@Suite struct AdminTokenTests {
    @Test func matchingTokenIsAccepted() throws {
        try AdminToken("secret").verify("secret")
    }

    @Test(arguments: [nil, "", "secre", "secret!", "SECRET"])
    func otherTokensAreRefusedWithJitsuMessage(_ presented: String?) {
        #expect(throws: AdminToken.Refusal.mismatch) { try AdminToken("secret").verify(presented) }
        #expect(AdminToken.Refusal.mismatch.description == "Admin token does not match")
    }

    @Test func missingConfigurationRefusesEverything() {
        #expect(throws: AdminToken.Refusal.notConfigured) { try AdminToken(nil).verify("anything") }
        #expect(throws: AdminToken.Refusal.notConfigured) { try AdminToken("").verify("") }
        #expect(AdminToken.Refusal.notConfigured.description == "admin_token must be configured")
    }

    @Test func constantTimeComparisonHandlesLengthDifferences() {
        #expect(AdminToken.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!AdminToken.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!AdminToken.constantTimeEquals([], [0]))
        #expect(AdminToken.constantTimeEquals([], []))
    }
}
