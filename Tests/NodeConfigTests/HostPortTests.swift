import Testing
import NodeConfig

struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:7001", "127.0.0.1", 7001),
        ("node2:0", "node2", 0),
        ("0.0.0.0:65535", "0.0.0.0", 65535),
        ("[::1]:7001", "::1", 7001),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
    ] as [(String, String, UInt16)])
    func parsesAndPrintsBack(_ text: String, _ host: String, _ port: UInt16) {
        let address = HostPort(text)
        #expect(address == HostPort(host: host, port: port))
        #expect(address?.description == text)
    }

    @Test(arguments: [
        "127.0.0.1", ":7001", "node:", "node:65536", "node:-1", "node:+80", "node:http", "::1:7001", "[::1]7001",
        "[::1:7001", "a b:1", "a/b:1", "node:٣",
    ])
    func rejectsOtherText(_ text: String) {
        #expect(HostPort(text) == nil)
    }
}
