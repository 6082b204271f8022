import HTTP
import Loop
import Templates

/// One HTTP request per row (stream mode), in batch order, over the node's keep-alive HTTP client: Jitsu's
/// webhook destination. The URL, header values and body are templates evaluated per event
/// (`WebhookRequestTemplate`); the default body is the event's JSON.
///
/// A 2xx stores the row. A 4xx (and any other answer below 500) rejects only that row, with the status and the
/// start of the receiver's body, as does a template that fails for that event. A 5xx, a connection error or a
/// timeout returns `.unreachable` at once and the runner retries the whole batch later, so rows the receiver
/// already accepted in that batch are sent again: delivery is at-least-once and receivers should deduplicate on
/// `eventn_ctx_event_id`.
public final class WebhookDestination: Destination, @unchecked Sendable {
    public let id: String
    private let template: WebhookRequestTemplate
    private let http: HTTPClient
    private let loop: EventLoop

    /// Milliseconds `testConnection` waits for the TCP connection, inside the caller's 10 s deadline.
    private static let testConnectTimeout: UInt64 = 5000
    /// Characters of a refusing receiver's body kept in the rejection text.
    private static let excerptLength = 200

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        template = WebhookRequestTemplate(settings: settings, templates: context.templates)
        http = context.http
        loop = context.loop
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        var rejected: [Int: String] = [:]
        for (index, row) in batch.rows.enumerated() {
            let url: HTTPURL
            let request: HTTPRequest
            do {
                (url, request) = try template.request(for: row.event)
            } catch {
                rejected[index] = error.description
                continue
            }
            let response: HTTPResponse
            do {
                response = try await http.execute(request, host: url.host, port: url.port)
            } catch {
                return .unreachable("\(error)")
            }
            let code = response.status.code
            if (200..<300).contains(code) { continue }
            let answer = "webhook \(request.method) http://\(url.authority)\(url.target) answered \(response.status): \(Self.excerpt(response))"
            if code >= 500 { return .unreachable(answer) }
            rejected[index] = answer
        }
        return .stored(rejected: rejected)
    }

    /// Resolves the URL's host and opens a TCP connection to it, sending no request (a request would deliver a
    /// fake event). Only the scheme and host part of the URL template is used, so it must be fixed text; the path
    /// may depend on the event.
    public func testConnection() async throws(DestinationFailure) {
        let text = template.settings.url
        let hostStart = text.range(of: "://")?.upperBound ?? text.startIndex
        let origin = text[..<(text[hostStart...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex)]
        guard !origin.contains("{{") else {
            throw DestinationFailure("the host of url \(text) depends on the event, so there is no fixed host to test")
        }
        do {
            let url = try HTTPURL(parsing: String(origin))
            try await TCPProbe.connect(loop: loop, host: url.host, port: url.port, timeout: Self.testConnectTimeout)
        } catch {
            throw DestinationFailure("\(error)")
        }
    }

    /// Requests are built from the event as it came.
    public var storesColumns: Bool { false }
    public var readsEvent: Bool { true }

    /// Nothing to release: connections belong to the node's HTTP client pool.
    public func close() async {}

    private static func excerpt(_ response: HTTPResponse) -> String {
        let text = response.bodyText
        return text.count > excerptLength ? "\(text.prefix(excerptLength))..." : text
    }
}
