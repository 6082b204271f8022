import Testing
@testable import Cluster

@Suite struct KeyringTests {
    static let key1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let key2 = "HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo="

    @Test func sealedFrameOpensUnderTheSameKeyAndHidesThePlaintext() throws {
        let ring = try #require(Keyring(base64Keys: [Self.key1], clusterName: "c"))
        let sealed = ring.seal(Array("ping".utf8))
        #expect(sealed.count == 4 + 12 + 16)
        #expect(!sealed.windows(ofCount: 4).contains { Array($0) == Array("ping".utf8) })
        #expect(ring.open(sealed) == Array("ping".utf8))
    }

    @Test func rotationAcceptsEitherKeyAndSealsWithTheFirst() throws {
        let old = try #require(Keyring(base64Keys: [Self.key1], clusterName: "c"))
        let rotating = try #require(Keyring(base64Keys: [Self.key2, Self.key1], clusterName: "c"))
        #expect(rotating.open(old.seal([1, 2, 3])) == [1, 2, 3])
        #expect(old.open(rotating.seal([1, 2, 3])) == nil)
    }

    @Test func anotherClusterOrATamperedFrameDoesNotOpen() throws {
        let ring = try #require(Keyring(base64Keys: [Self.key1], clusterName: "c"))
        let other = try #require(Keyring(base64Keys: [Self.key1], clusterName: "d"))
        #expect(other.open(ring.seal([9])) == nil)
        var tampered = ring.seal([9, 9])
        tampered[13] ^= 1
        #expect(ring.open(tampered) == nil)
        #expect(ring.open([1, 2, 3]) == nil)
    }

    @Test func noKeysMeansNoKeyring() {
        #expect(Keyring(base64Keys: [], clusterName: "c") == nil)
    }
}

extension Array {
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<Element>] {
        count > self.count ? [] : (0...(self.count - count)).map { self[$0..<($0 + count)] }
    }
}
