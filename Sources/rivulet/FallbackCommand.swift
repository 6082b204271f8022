import ArgumentParser
import Foundation
import HTTP
import Pipeline

/// `rivulet fallback`: the cluster's fallback files as a table (`GET /api/v1/fallback` on any node).
struct FallbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fallback", abstract: "List the fallback files of every node of the cluster.")

    @OptionGroup var target: NodeOptions

    @Option(name: .long, help: "Only these destinations (comma-separated ids).")
    var destinations: String?

    @Flag(name: .long, help: "Also list the active files, still being written.")
    var includeActive = false

    struct Listing: Decodable {
        let files: [FallbackCatalog.File]
        let partial: [String]?
    }

    func run() throws {
        let node = try target.node
        var query: [String] = []
        if let destinations { query.append("destination_ids=\(destinations.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? destinations)") }
        if includeActive { query.append("include_active=true") }
        let path = "/api/v1/fallback" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let response = try AdminCall.get(host: node.host, port: node.port, target: path, headers: AdminCall.headers(token: self.target.adminToken))
        guard response.status == .ok else { throw CommandFailure("\(node.description) answered \(response.status): \(response.bodyText)") }
        let listing = try response.decode(Listing.self)
        print(Self.table(listing.files), terminator: "")
        if let partial = listing.partial, !partial.isEmpty {
            print("partial: no answer from \(partial.joined(separator: ", ")); their files are missing above")
        }
    }

    static func table(_ files: [FallbackCatalog.File]) -> String {
        TextTable.render([["INSTANCE", "FILE", "DESTINATION", "EVENTS", "SIZE", "MODIFIED", "UPLOADED", "ERROR"]] + files.map {
            [$0.instance, $0.file_name, $0.destination_id, String($0.events), ByteCountFormatter.string(fromByteCount: Int64($0.size), countStyle: .binary),
             String($0.modified.prefix(19)) + "Z", $0.uploaded ? "yes" : "no", $0.error ?? ""]
        })
    }
}
