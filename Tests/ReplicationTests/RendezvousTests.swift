import Replication
import Testing

/// Rendezvous hashing: every node computes the same owner, membership changes move only the keys they must, and
/// keys spread evenly.
@Suite struct RendezvousTests {
    private let keys = (0..<10_000).map { "connector/\($0)" }

    private func members(_ count: Int) -> [String] {
        (1...count).map { "node\($0)" }
    }

    private func owners(among members: [String]) -> [String] {
        keys.map { Rendezvous.owner(of: $0, among: members)! }
    }

    @Test func theOwnerDependsOnlyOnTheKeyAndTheSetOfMembers() {
        let nodes = members(5)
        var random = SeededGenerator(seed: 50)
        for key in keys.prefix(500) {
            let owner = Rendezvous.owner(of: key, among: nodes)
            #expect(Rendezvous.owner(of: key, among: nodes.shuffled(using: &random)) == owner)
            #expect(Rendezvous.owner(of: key, among: nodes + nodes) == owner)
        }
        #expect(Rendezvous.owner(of: "connector/1", among: [String]()) == nil)
        #expect(Rendezvous.owner(of: "connector/1", among: ["solo"]) == "solo")
    }

    @Test(arguments: [1, 2, 3, 5, 8])
    func aJoiningMemberTakesAboutItsShareAndOnlyKeysMoveToIt(count: Int) {
        let before = owners(among: members(count))
        let newcomer = "node\(count + 1)"
        let after = owners(among: members(count) + [newcomer])
        let moved = zip(before, after).filter { $0 != $1 }
        #expect(moved.allSatisfy { $0.1 == newcomer })
        let expected = Double(keys.count) / Double(count + 1)
        #expect(abs(Double(moved.count) - expected) < expected * 0.1)
    }

    @Test(arguments: [2, 3, 5, 8])
    func aLeavingMemberHandsOnOnlyItsOwnKeys(count: Int) {
        let nodes = members(count)
        let before = owners(among: nodes)
        let leaver = nodes[count / 2]
        let after = owners(among: nodes.filter { $0 != leaver })
        for (old, new) in zip(before, after) {
            if old == leaver { #expect(new != leaver) } else { #expect(new == old) }
        }
    }

    @Test func keysSpreadEvenlyOverMembers() {
        for count in [3, 7, 16] {
            let tally = Dictionary(grouping: owners(among: members(count)), by: { $0 }).mapValues(\.count)
            #expect(tally.count == count)
            let share = Double(keys.count) / Double(count)
            for (_, owned) in tally {
                #expect(abs(Double(owned) - share) < share * 0.15)
            }
        }
    }
}
