import Foundation

/// One server of `clickhouse.dsns`, read from Jitsu's DSN form `http://user:password@host:8123/db?setting=value`.
///
/// The node's HTTP client speaks plain HTTP, so `https` DSNs are refused when the configuration is read rather than
/// failing at the first delivery. Query parameters are ClickHouse settings sent with every query, except the
/// clickhouse-go client options Jitsu users copy along (`read_timeout`, `timeout`, ...), which ClickHouse would
/// refuse as unknown settings.
public struct ClickHouseEndpoint: Sendable, Equatable {
    public let host: String
    public let port: Int
    public let user: String
    public let password: String
    /// The database in the DSN's path, if any (`clickhouse.database` wins over it).
    public let database: String?
    /// ClickHouse settings for the HTTP interface, in DSN order.
    public let parameters: [URLQueryItem]

    /// clickhouse-go's own DSN options: they configure Jitsu's client, not the server.
    static let clientOptions: Set<String> = [
        "read_timeout", "write_timeout", "timeout", "dial_timeout", "debug", "compress", "secure", "skip_verify",
        "block_size", "pool_size", "connection_open_strategy", "username", "password",
    ]

    /// Parses `dsn`; the error is the reason, for a `ConfigError` naming the key.
    init(dsn: String) throws(EndpointError) {
        guard let url = URLComponents(string: dsn), let scheme = url.scheme?.lowercased() else {
            throw EndpointError("is not a URL like http://user:password@host:8123/db")
        }
        guard scheme == "http" else {
            throw EndpointError("scheme \(scheme) is not supported: use http:// (put a TLS proxy in front for https)")
        }
        guard let host = url.host, !host.isEmpty else { throw EndpointError("has no host") }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = url.port ?? 8123
        user = url.user.map { $0.removingPercentEncoding ?? $0 } ?? "default"
        password = url.password.map { $0.removingPercentEncoding ?? $0 } ?? ""
        let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? nil : path
        parameters = (url.queryItems ?? []).filter { !Self.clientOptions.contains($0.name.lowercased()) }
    }

    /// `host:port` as errors name it.
    var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    struct EndpointError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
