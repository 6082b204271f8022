import Foundation
import Testing
import NodeConfig

/// The configuration files shipped in the repository must keep loading as the format evolves.
struct ShippedConfigurationTests {
    /// Tests/NodeConfigTests/<this file> lies three levels below the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func yamlFiles(in folder: String) -> [String] {
        let directory = repositoryRoot.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    static let shippedFiles = yamlFiles(in: "cluster-configs") + yamlFiles(in: "docker/configs")

    @Test func shippedFilesAreFound() {
        #expect(Self.yamlFiles(in: "cluster-configs").count == 4)
        #expect(Self.yamlFiles(in: "docker/configs").count == 3)
    }

    @Test(arguments: shippedFiles)
    func shippedFileLoads(_ path: String) throws {
        _ = try NodeConfiguration.load(path: path, environment: [:])
    }

    @Test func loopbackClusterNodesSeedEachOther() throws {
        let nodes = try (1...3).map { number in
            try NodeConfiguration.load(
                path: Self.repositoryRoot.appendingPathComponent("cluster-configs/node\(number).yaml").path,
                environment: [:])
        }
        #expect(nodes.map(\.server.name) == ["node1", "node2", "node3"])
        #expect(nodes.map(\.server.port) == [8001, 8002, 8003])
        #expect(nodes.map(\.server.dataDirectory) == ["./data/node1", "./data/node2", "./data/node3"])
        #expect(Set(nodes.map(\.cluster.name)) == ["rivulet"])
        #expect(Set(nodes.map(\.server.adminToken)) == ["dev-admin-token"])
        let binds = nodes.map(\.cluster.bind)
        #expect(binds.map(\.description) == ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"])
        for (index, node) in nodes.enumerated() {
            #expect(Set(node.cluster.seeds) == Set(binds).subtracting([binds[index]]))
        }
    }

    @Test func singleNodeMatchesItsDocumentation() throws {
        let single = try NodeConfiguration.load(
            path: Self.repositoryRoot.appendingPathComponent("cluster-configs/single.yaml").path, environment: [:])
        #expect(single.server.port == 8001)
        #expect(single.cluster.bind == HostPort(host: "127.0.0.1", port: 7001))
        #expect(single.server.adminToken == "dev-admin-token")
        #expect(single.server.dataDirectory == "./data/single")
        #expect(single.cluster.seeds.isEmpty)
    }

    @Test func dockerNodesAdvertiseTheirServiceNames() throws {
        for number in 1...3 {
            let node = try NodeConfiguration.load(
                path: Self.repositoryRoot.appendingPathComponent("docker/configs/node\(number).yaml").path,
                environment: [:])
            #expect(node.server.name == "node\(number)")
            #expect(node.cluster.bind == HostPort(host: "0.0.0.0", port: 7001))
            #expect(node.cluster.advertise == HostPort(host: "node\(number)", port: 7001))
            let others = (1...3).filter { $0 != number }.map { HostPort(host: "node\($0)", port: 7001) }
            #expect(Set(node.cluster.seeds) == Set(others))
        }
    }
}
