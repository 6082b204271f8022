import Foundation
import Node
import NodeConfig
import Testing

/// Every route the node serves is in the README's endpoint table with a curl example and in docs/openapi.yaml, and
/// neither documents a route that does not exist.
@Suite struct RouteDocumentationTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every route a node can serve: the configuration switches on the optional ones too.
    private func routes() throws -> [(method: String, path: String)] {
        var configuration = NodeConfiguration()
        configuration.cluster.partitionAPI = true
        return try NodeApplication(configuration: configuration).makeRouter().routes.map { ($0.method.rawValue, $0.path) }
    }

    @Test func readmeTableListsEveryRouteWithACurlExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for route in try routes() {
            let row = rows.first { $0.hasPrefix("| `\(route.method) \(route.path)`") }
            #expect(row != nil, "README endpoint table lacks \(route.method) \(route.path)")
            #expect(row?.contains("curl ") == true, "README row of \(route.method) \(route.path) has no curl example")
        }
        let documented = rows.compactMap { row -> String? in
            let cell = row.dropFirst(3).prefix { $0 != "`" }
            return cell.split(separator: " ").count == 2 && cell.first!.isUppercase ? String(cell) : nil
        }
        let served = Set(try routes().map { "\($0.method) \($0.path)" })
        for entry in documented { #expect(served.contains(entry), "README documents \(entry), which no route serves") }
    }

    @Test func openAPIDocumentsEveryRoute() throws {
        let spec = try String(contentsOf: Self.root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let lines = spec.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for route in try routes() {
            guard let start = lines.firstIndex(of: "  \(route.path):") else {
                Issue.record("docs/openapi.yaml lacks the path \(route.path)")
                continue
            }
            let block = lines[(start + 1)...].prefix { $0.hasPrefix("    ") || $0.isEmpty }
            #expect(block.contains("    \(route.method.lowercased()):"), "docs/openapi.yaml lacks \(route.method) \(route.path)")
        }
    }
}
