import Foundation
import HTTP

/// Queries over ClickHouse's HTTP interface with the node's HTTP client: statements in the body, inserts as
/// `INSERT ... FORMAT JSONEachRow` in the URL with the rows in the body. Loop-bound.
///
/// With several DSNs, a server that cannot be reached hands the call to the next one and the client stays there,
/// like Jitsu's failover across `dsns`.
final class ClickHouseClient: @unchecked Sendable {
    private let http: HTTPClient
    private let endpoints: [ClickHouseEndpoint]
    private var current = 0

    init(http: HTTPClient, endpoints: [ClickHouseEndpoint]) {
        precondition(!endpoints.isEmpty, "ClickHouse settings always hold a DSN")
        self.http = http
        self.endpoints = endpoints
    }

    /// Runs one statement and returns ClickHouse's answer as text.
    @discardableResult
    func execute(_ sql: String) async throws(ClickHouseError) -> String {
        try await send(query: nil, body: Array(sql.utf8))
    }

    /// Inserts JSON lines (one object per line, keys among `columns`) into `table` (already quoted).
    func insert(into table: String, columns: [String], lines: [[UInt8]]) async throws(ClickHouseError) {
        let list = columns.map(ClickHouseSQL.quote).joined(separator: ", ")
        var body: [UInt8] = []
        body.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            body.append(contentsOf: line)
            body.append(10)
        }
        try await send(query: "INSERT INTO \(table) (\(list)) FORMAT JSONEachRow", body: body)
    }

    @discardableResult
    private func send(query: String?, body: [UInt8]) async throws(ClickHouseError) -> String {
        var failure = ClickHouseError.unreachable("no ClickHouse server configured")
        for attempt in 0..<endpoints.count {
            let endpoint = endpoints[(current + attempt) % endpoints.count]
            do {
                let text = try await send(query: query, body: body, to: endpoint)
                current = (current + attempt) % endpoints.count
                return text
            } catch .unreachable(let reason) {
                failure = .unreachable(reason)
            }
        }
        throw failure
    }

    private func send(query: String?, body: [UInt8], to endpoint: ClickHouseEndpoint) async throws(ClickHouseError) -> String {
        let items = endpoint.parameters + (query.map { [URLQueryItem(name: "query", value: $0)] } ?? [])
        let target = "/?" + items.map { "\(Self.encode($0.name))=\(Self.encode($0.value ?? ""))" }.joined(separator: "&")
        let headers: HTTPHeaders = [
            "X-ClickHouse-User": endpoint.user, "X-ClickHouse-Key": endpoint.password,
            "Content-Type": "text/plain; charset=utf-8",
        ]
        let request = HTTPRequest(method: .post, target: target, headers: headers, body: body)
        let response: HTTPResponse
        do {
            response = try await http.execute(request, host: endpoint.host, port: endpoint.port)
        } catch {
            throw .unreachable("\(error)")
        }
        guard response.status.code == 200 else {
            throw ClickHouseError(status: response.status.code, body: response.bodyText, address: endpoint.address)
        }
        return response.bodyText
    }

    /// RFC 3986 unreserved characters pass; everything else is percent-encoded, so `+` and `&` inside a query
    /// keep their meaning.
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
