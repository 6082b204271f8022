import Foundation
import Synchronization
import Logging
import Loop
import Metrics

/// Answers one request; the router is one, and tests drive one directly without a socket.
public typealias Handler = @Sendable (HTTPRequest, RequestContext) async throws -> HTTPResponse

/// Builds the body of an error response; each route family has its own shape (Jitsu's `{"message"}`, the
/// connector API's `{"errorCode","errorMessage"}`), so the node supplies this.
public typealias ErrorRenderer = @Sendable (_ error: any HTTPResponseError, _ request: HTTPRequest) -> HTTPResponse

/// Registering a route failed: two routes would answer the same request.
public struct RouterError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Maps (method, path pattern) to handlers. Patterns are literal segments and `{name}` parameters; a path that
/// matches with another method is a 405 with `Allow`, no match at all a 404.
///
/// Every error thrown by a handler is caught here once: `HTTPResponseError`s render with their status, anything
/// else is a 500 whose real cause goes to the log only.
public struct Router: Sendable {
    private let root = RouteNode()
    /// The nodes of routes without parameters by their whole path: one hash for most requests instead of one
    /// per segment.
    private var literalPaths: [Substring: RouteNode] = [:]
    private var registered: [(method: HTTPMethod, path: String)] = []
    private let renderError: ErrorRenderer
    private let logger: Logger
    /// Series of requests that matched no route, by method and status.
    private let unmatched = RouteMetrics(route: "unmatched")

    public init(logger: Logger = Logger(label: "rivulet.http"), renderError: @escaping ErrorRenderer = Router.renderMessageError) {
        self.logger = logger
        self.renderError = renderError
    }

    /// Every registered route, in registration order: checked against the README and the OpenAPI document.
    public var routes: [(method: HTTPMethod, path: String)] { registered }

    /// Registers `handler` for `method` on `path`; throws when an equal route exists (so a node with clashing
    /// routes refuses to start) or a parameter segment disagrees in name with an earlier route's.
    public mutating func on(_ method: HTTPMethod, _ path: String, handler: @escaping Handler) throws(RouterError) {
        var node = root
        for segment in Self.segments(path) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter, existing.name != name {
                    throw RouterError(description: "route \(path): parameter {\(name)} clashes with {\(existing.name)} of an earlier route")
                }
                if node.parameter == nil { node.parameter = (name, RouteNode()) }
                node = node.parameter!.node
            } else {
                node = node.literals[segment] ?? {
                    let child = RouteNode()
                    node.literals[segment] = child
                    return child
                }()
            }
        }
        guard node.handlers[method] == nil else {
            throw RouterError(description: "route \(method) \(path) is registered twice")
        }
        node.handlers[method] = (path, handler, RouteMetrics(route: path))
        registered.append((method, path))
        let segments = Self.segments(path)
        if !segments.contains(where: { $0.hasPrefix("{") }) { literalPaths["/" + segments.joined(separator: "/")] = node }
    }

    public mutating func get(_ path: String, handler: @escaping Handler) throws(RouterError) { try on(.get, path, handler: handler) }
    public mutating func post(_ path: String, handler: @escaping Handler) throws(RouterError) { try on(.post, path, handler: handler) }
    public mutating func put(_ path: String, handler: @escaping Handler) throws(RouterError) { try on(.put, path, handler: handler) }
    public mutating func delete(_ path: String, handler: @escaping Handler) throws(RouterError) { try on(.delete, path, handler: handler) }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Calls `body` with each non-empty `/`-separated segment of `path`, scanning bytes without building an array.
    private static func forEachSegment(_ path: Substring, _ body: (Substring) throws(HTTPError) -> Void) throws(HTTPError) {
        let utf8 = path.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            if end > start { try body(path[start..<end]) }
            start = end < utf8.endIndex ? utf8.index(after: end) : end
        }
    }

    /// Answers `request`: routing, the handler, error rendering, metrics and the debug log line. Never throws.
    public func respond(to request: HTTPRequest, remoteAddress: SocketAddress? = nil) async -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        let requestID = request.headers["X-Request-Id"] ?? RequestIDs.next()
        var route = "unmatched"
        var metrics = unmatched
        var response: HTTPResponse
        do {
            let (pattern, handler, parameters, routeMetrics) = try match(request)
            route = pattern
            metrics = routeMetrics
            let context = RequestContext(requestID: requestID, parameters: parameters, route: pattern, remoteAddress: remoteAddress, logger: logger)
            response = try await handler(request, context)
        } catch let error as any HTTPResponseError {
            response = renderError(error, request)
        } catch {
            logger.error("handler failed", metadata: ["request_id": "\(requestID)", "route": "\(route)", "error": "\(error)"])
            response = renderError(HTTPError(.internalServerError, "Internal server error (request \(requestID))"), request)
        }
        response.headers.add("X-Request-Id", requestID)  // Handlers never set it, so no earlier one to replace.
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        let series = metrics.series(method: request.method, status: response.status.code)
        series.count.increment()
        series.duration.recordNanoseconds(Int64(elapsed))
        logger.debug("\(request.method) \(request.target) \(response.status.code) \(elapsed / 1000)us", metadata: ["request_id": "\(requestID)", "route": "\(route)"])
        return response
    }

    private func match(_ request: HTTPRequest) throws(HTTPError) -> (String, Handler, [String: String], RouteMetrics) {
        var parameters: [String: String] = [:]
        // A path spelled as a literal route is registered reaches that route's node in the trie too: literal
        // segments win over parameters there.
        var node = literalPaths[request.path] ?? root
        if node === root {
            try Self.forEachSegment(request.path) { (segment) throws(HTTPError) in
                if let literal = node.literals[segment] {
                    node = literal
                } else if let (name, child) = node.parameter {
                    parameters[name] = String(segment).removingPercentEncoding ?? String(segment)
                    node = child
                } else {
                    throw HTTPError(.notFound, "Not found: \(request.method) \(request.path)")
                }
            }
        }
        let method = request.method == .head && node.handlers[.head] == nil ? .get : request.method
        guard let (pattern, handler, metrics) = node.handlers[method] else {
            if node.handlers.isEmpty { throw HTTPError(.notFound, "Not found: \(request.method) \(request.path)") }
            let allowed = node.handlers.keys.map(\.rawValue).sorted().joined(separator: ", ")
            throw HTTPError(.methodNotAllowed, "Method \(request.method) is not allowed on \(request.path); allowed: \(allowed)", headers: ["Allow": allowed])
        }
        return (pattern, handler, parameters, metrics)
    }

    /// The default error body, Jitsu's `{"message": "..."}` plus the error's extra fields.
    public static let renderMessageError: ErrorRenderer = { error, _ in
        var response = HTTPResponse.json(error.fields.merging(["message": error.message]) { $1 }, status: error.status)
        for (name, value) in error.headers { response.headers.set(name, value) }
        return response
    }
}

/// One node of the route trie. Mutated only while routes are registered, before the server starts, and read-only
/// afterwards, which is what makes sharing it across tasks safe.
private final class RouteNode: @unchecked Sendable {
    /// Keyed by substrings so matching a request path allocates no strings.
    var literals: [Substring: RouteNode] = [:]
    var parameter: (name: String, node: RouteNode)?
    var handlers: [HTTPMethod: (pattern: String, handler: Handler, metrics: RouteMetrics)] = [:]
}

/// Request ids: a random per-process prefix and a counter, unique enough to grep logs across a cluster.
enum RequestIDs {
    private static let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)"
    }
}

/// The request counter and latency histogram of one route by method and status, made once: creating a
/// swift-metrics handle validates names and hashes labels in the backend, work a request should not repeat.
private final class RouteMetrics: Sendable {
    struct Series: Sendable {
        let count: Counter
        let duration: Metrics.Timer
    }

    let route: String
    private let series = Mutex<[SeriesKey: Series]>([:])

    private struct SeriesKey: Hashable {
        let method: HTTPMethod
        let status: Int
    }

    init(route: String) { self.route = route }

    func series(method: HTTPMethod, status: Int) -> Series {
        let key = SeriesKey(method: method, status: status)
        if let found = series.withLock({ $0[key] }) { return found }
        let made = Series(
            count: Counter(label: "rivulet_http_requests_total", dimensions: [("route", route), ("method", method.rawValue), ("status", String(status))]),
            duration: Metrics.Timer(label: "rivulet_http_request_duration_seconds", dimensions: [("route", route), ("status", String(status))], preferredDisplayUnit: .seconds))
        series.withLock { $0[key] = made }
        return made
    }
}
