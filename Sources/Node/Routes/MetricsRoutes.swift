import HTTP
import Prometheus

/// `GET /metrics` (path from `metrics.path`): every metric of the process in Prometheus text format. No token,
/// as Prometheus scrapers expect; it exposes counts and timings, never event data.
struct MetricsRoutes: Sendable {
    let path: String
    let registry: PrometheusCollectorRegistry

    func register(on router: inout Router) throws(RouterError) {
        try router.get(path, handler: exportMetrics)
    }

    @Sendable func exportMetrics(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var body: [UInt8] = []
        registry.emit(into: &body)
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: body)
    }
}
