import Replication
import Testing

/// The stable hash is pinned to known values: every node of every build must compute the same buckets and owners.
@Suite struct StableHashTests {
    @Test func valuesArePinnedToFNV1aThenSplitmix() {
        // FNV-1a 64 of "a" is 0xAF63DC4C8601EC8C (the FNV reference vectors); the rest is the splitmix64 finalizer.
        #expect(StableHash.of("a") == StableHash.mix(0xAF63_DC4C_8601_EC8C))
        #expect(StableHash.of("a") == 0x02C0_BDBF_4814_20F8)
        #expect(StableHash.of("") == 0xF52A_15E9_A9B5_E89B)
        #expect(StableHash.of("connector/17") == 0x8810_F9D7_DBEA_36F4)
        #expect(StableHash.mix(1) == 0x5692_161D_100B_05E5)
    }

    @Test func stringsHashAsTheirUTF8Bytes() {
        for text in ["", "connector/17", "nœud-été", "🚀"] {
            #expect(StableHash.of(text) == StableHash.of(Array(text.utf8)))
        }
    }
}
