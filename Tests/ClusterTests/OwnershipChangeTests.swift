import Cluster
import Testing

@Suite struct OwnershipChangeTests {
    @Test func aJoiningMemberTakesOnlyTheKeysItWins() {
        let change = OwnershipChange(role: "pipeline", before: ["node1", "node2", "node3"], after: ["node1", "node2", "node3", "node4"])
        let keys = (0..<4000).map { "source/\($0)" }
        let moved = change.moved(keys)
        #expect(moved.allSatisfy { $0.to == "node4" && $0.from != nil })
        // About a quarter of the keys move to the fourth member; none move between the three that stayed.
        #expect((800...1200).contains(moved.count), "\(moved.count) of 4000 keys moved")
    }

    @Test func aLeavingMemberHandsOverOnlyItsOwnKeys() {
        let change = OwnershipChange(role: "pipeline", before: ["node1", "node2", "node3"], after: ["node1", "node3"])
        let moved = change.moved((0..<3000).map { "source/\($0)" })
        #expect(moved.allSatisfy { $0.from == "node2" && $0.to != nil })
        #expect((800...1200).contains(moved.count))
    }

    @Test func withNoCandidatesLeftNothingHasAnOwner() {
        let change = OwnershipChange(role: "pipeline", before: ["node1"], after: [])
        let moved = change.moved(["a", "b"])
        #expect(moved.map(\.key) == ["a", "b"])
        #expect(moved.allSatisfy { $0.from == "node1" && $0.to == nil })
    }
}
