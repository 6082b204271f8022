import Foundation
import HTTP
import Templates

/// Turns an event request's body into enriched events, or refuses the whole request: nothing of a request with one
/// bad event is kept.
public struct EventIntake: Sendable {
    /// `server.max_event_size`: the largest event, in bytes of its JSON text.
    public let maxEventSize: Int
    /// `server.trust_proxy`: take `source_ip` from `X-Forwarded-For`.
    public let trustProxy: Bool

    public init(maxEventSize: Int, trustProxy: Bool) {
        self.maxEventSize = maxEventSize
        self.trustProxy = trustProxy
    }

    /// What enrichment needs to know about the request.
    public struct Origin: Sendable {
        public var apiKeyID: String
        public var sourceIP: String?
        public var userAgent: String?

        public init(apiKeyID: String, sourceIP: String?, userAgent: String?) {
            self.apiKeyID = apiKeyID
            self.sourceIP = sourceIP
            self.userAgent = userAgent
        }
    }

    /// The events of a body: one JSON object or an array of them; with `jsonLines`, one object per line (bulk).
    /// Throws a 400 for bad JSON or a non-object event, a 413 for an event over `maxEventSize`.
    public func events(in body: [UInt8], jsonLines: Bool) throws(HTTPError) -> [[String: JSONValue]] {
        guard !body.isEmpty else { throw HTTPError(.badRequest, "The request body is empty") }
        var events: [[String: JSONValue]] = []
        if jsonLines {
            var lineNumber = 0
            for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
                if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                try checkSize(trimmed.count, "line \(lineNumber)")
                events.append(try object(parse(Array(trimmed), "line \(lineNumber)"), "line \(lineNumber)"))
            }
        } else {
            switch try parse(body, "body") {
            case .array(let items):
                for (index, item) in items.enumerated() {
                    let event = try object(item, "event \(index)")
                    try checkSize(EventJSON.bytes(event).count, "event \(index)")
                    events.append(event)
                }
            case let value:
                try checkSize(body.count, "event")
                events.append(try object(value, "body"))
            }
        }
        guard !events.isEmpty else { throw HTTPError(.badRequest, "The request has no events") }
        return events
    }

    private func parse(_ bytes: [UInt8], _ what: String) throws(HTTPError) -> JSONValue {
        do {
            return try JSONValue(parsingBytes: bytes)
        } catch {
            throw HTTPError(.badRequest, "Failed to parse \(what) as JSON: \(error)")
        }
    }

    private func object(_ value: JSONValue, _ what: String) throws(HTTPError) -> [String: JSONValue] {
        guard case .object(let event) = value else { throw HTTPError(.badRequest, "The \(what) is not a JSON object") }
        return event
    }

    private func checkSize(_ size: Int, _ what: String) throws(HTTPError) {
        guard size <= maxEventSize else {
            throw HTTPError(.payloadTooLarge, "The \(what) is \(size) bytes; the limit is \(maxEventSize) (server.max_event_size)")
        }
    }

    /// Jitsu's enrichment: `_timestamp` (now, RFC 3339 with nanoseconds, UTC) and `eventn_ctx_event_id` (a UUID) when
    /// absent, `source_ip`, `api_key` (the key's id, never its secret) and `user_agent` when absent.
    public func enrich(_ event: inout [String: JSONValue], origin: Origin, now: String) {
        if event["_timestamp"] == nil || event["_timestamp"] == .null { event["_timestamp"] = .string(now) }
        if event["eventn_ctx_event_id"]?.stringValue?.isEmpty ?? true {
            event["eventn_ctx_event_id"] = .string(UUID().uuidString.lowercased())
        }
        if let ip = origin.sourceIP { event["source_ip"] = .string(ip) }
        event["api_key"] = .string(origin.apiKeyID)
        if event["user_agent"] == nil, let agent = origin.userAgent { event["user_agent"] = .string(agent) }
    }

    /// The client's address: the first `X-Forwarded-For` entry behind a trusted proxy, else the socket's peer.
    public func sourceIP(of request: HTTPRequest, peer: String?) -> String? {
        if trustProxy, let forwarded = request.headers["X-Forwarded-For"],
           let first = forwarded.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty {
            return first
        }
        return peer
    }
}
