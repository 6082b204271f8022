import Testing

@testable import Gossip

/// memberlist's formulas, checked against values computed from memberlist's own definitions (`suspicion_test.go`,
/// `util_test.go`).
struct FormulaTests {
    @Test(arguments: [
        (members: 1, expected: Int64(4000)), (5, 4000), (10, 4000), (50, 6795), (100, 8000), (1000, 12000),
    ])
    func minimumSuspicionTimeoutGrowsWithLog10OfMembers(members: Int, expected: Int64) {
        #expect(Suspicion.minimumTimeout(multiplier: 4, memberCount: members, probeInterval: 1000) == expected)
    }

    @Test(arguments: [
        // memberlist TestSuspicion_remainingSuspicionTime's table (min 2 s, max 30 s, k = 3) plus the elapsed time
        // it subtracts: 14 s after 2 s elapsed, 4.81 s after 3 s elapsed.
        (confirmations: 0, expected: Int64(30_000)), (1, 16_000), (2, 7_810), (3, 2_000), (4, 2_000),
    ])
    func suspicionTimeoutShrinksWithConfirmations(confirmations: Int, expected: Int64) {
        #expect(Suspicion.timeout(confirmations: confirmations, expected: 3, minimum: 2000, maximum: 30_000) == expected)
    }

    @Test func suspicionWithoutExpectedConfirmationsUsesMinimum() {
        let suspicion = Suspicion(accuser: "a", expectedConfirmations: 0, minimum: 4000, maximum: 24_000, now: .init(milliseconds: 100))
        #expect(suspicion.deadline == Instant(milliseconds: 4100))
    }

    @Test func suspicionCountsEachConfirmerOnceAndNotTheAccuser() {
        var suspicion = Suspicion(accuser: "a", expectedConfirmations: 2, minimum: 4000, maximum: 24_000, now: .init(milliseconds: 0))
        #expect(suspicion.deadline == Instant(milliseconds: 24_000))
        let results = ["a", "b", "b"].map { suspicion.confirm(by: $0) }
        #expect(results == [false, true, false])
        #expect(suspicion.deadline == Instant(milliseconds: 11_381))
        let third = suspicion.confirm(by: "c")
        #expect(third)
        #expect(suspicion.deadline == Instant(milliseconds: 4000))
        let beyondExpected = suspicion.confirm(by: "d")
        #expect(!beyondExpected)
    }

    @Test(arguments: [
        (members: 0, expected: 0), (1, 4), (9, 4), (10, 8), (99, 8), (100, 12), (999, 12), (1000, 16),
    ])
    func retransmitLimitIsMultiplierTimesCeilLog10(members: Int, expected: Int) {
        #expect(BroadcastQueue.retransmitLimit(multiplier: 4, memberCount: members) == expected)
    }

    @Test(arguments: [
        (members: 1, expected: Int64(30_000)), (32, 30_000), (33, 60_000), (64, 60_000), (65, 90_000),
        (1000, 180_000),
    ])
    func pushPullIntervalScalesAboveThirtyTwoMembers(members: Int, expected: Int64) {
        #expect(GossipSettings.pushPullScale(interval: 30_000, memberCount: members) == expected)
    }

    @Test(arguments: [(score: 0, expected: Int64(1000)), (1, 2000), (7, 8000)])
    func awarenessStretchesByScorePlusOne(score: Int, expected: Int64) {
        var awareness = Awareness(maxMultiplier: 8)
        awareness.apply(delta: score)
        #expect(awareness.scale(1000) == expected)
    }

    @Test func awarenessScoreStaysBelowMaximumMultiplier() {
        var awareness = Awareness(maxMultiplier: 8)
        awareness.apply(delta: 100)
        #expect(awareness.score == 7)
        awareness.apply(delta: -100)
        #expect(awareness.score == 0)
    }

    @Test func publicFormulaHelpersMatchMemberlistLANBounds() {
        let settings = GossipSettings.lan
        #expect(settings.minimumSuspicionTimeout(memberCount: 100) == .seconds(8))
        #expect(settings.retransmitLimit(memberCount: 1000) == 16)
        #expect(settings.scaledPushPullInterval(memberCount: 10) == .seconds(30))
    }
}
