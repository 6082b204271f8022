/// The `metrics:` section: the Prometheus endpoint.
public struct MetricsSettings: Sendable, Equatable {
    /// `metrics.enabled`, default true. Whether the HTTP listener serves metrics; they are cheap, and a scraper that
    /// finds nothing is harder to debug than one that finds counters.
    public var enabled = true

    /// `metrics.path`, default `/metrics` (Prometheus' convention). The URL path of the metrics endpoint on the
    /// `server.port` listener; it must start with `/`.
    public var path = "/metrics"

    /// Settings with every default.
    public init() {}
}
