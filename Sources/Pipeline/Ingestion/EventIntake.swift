import Foundation
import HTTP
import Synchronization
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
        /// Fields the route sets on every event, replacing the event's own (the telemetry routes' event type).
        public var stamps: [(name: String, value: String)]

        public init(apiKeyID: String, sourceIP: String?, userAgent: String?, stamps: [(name: String, value: String)] = []) {
            self.apiKeyID = apiKeyID
            self.sourceIP = sourceIP
            self.userAgent = userAgent
            self.stamps = stamps
        }
    }

    /// The log records of a body (one JSON object or an array of them; with `jsonLines`, one object per line):
    /// each event's own bytes with Jitsu's enrichment appended. Throws a 400 for bad JSON or a non-object event and
    /// a 413 for an event over `maxEventSize`, so a request is kept whole or not at all.
    ///
    /// Enrichment: `_timestamp` (`now`) and `eventn_ctx_event_id` (a UUID) when absent, `source_ip` and `api_key`
    /// (the key's id, never its secret) and the origin's `stamps` always, `user_agent` when absent. The fields are appended after the event's
    /// own; the log's reader keeps a repeated key's last value, so an appended field replaces the event's.
    public func records(in body: [UInt8], jsonLines: Bool, origin: Origin, now: String) throws(HTTPError) -> [[UInt8]] {
        guard !body.isEmpty else { throw HTTPError(.badRequest, "The request body is empty") }
        // Only a body with non-ASCII bytes can be invalid UTF-8; checking it copies the body, so ASCII skips that.
        if !body.withUnsafeBufferPointer(JSONText.isASCII), String(validating: body, as: UTF8.self) == nil {
            throw HTTPError(.badRequest, "The request body is not valid UTF-8")
        }
        var common: [UInt8] = []
        if let ip = origin.sourceIP { Self.appendField("source_ip", ip, to: &common) }
        Self.appendField("api_key", origin.apiKeyID, to: &common)
        for stamp in origin.stamps { Self.appendField(stamp.name, stamp.value, to: &common) }
        var records: [[UInt8]] = []
        try body.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(HTTPError) in
            if jsonLines {
                var lineStart = 0
                var lineNumber = 0
                while lineStart <= buffer.count {
                    let lineEnd = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? buffer.count
                    lineNumber += 1
                    let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd])
                    if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                        for object in try scan(line, arrays: false, "line \(lineNumber)") {
                            records.append(record(line, object, common: common, origin: origin, now: now))
                        }
                    }
                    lineStart = lineEnd + 1
                }
            } else {
                for object in try scan(buffer, arrays: true, "body") {
                    records.append(record(buffer, object, common: common, origin: origin, now: now))
                }
            }
        }
        guard !records.isEmpty else { throw HTTPError(.badRequest, "The request has no events") }
        return records
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, arrays: Bool, _ what: String) throws(HTTPError) -> [EventScanner.Object] {
        var scanner = EventScanner(bytes)
        let objects: [EventScanner.Object]
        do {
            objects = try scanner.scanBody(arrays: arrays)
        } catch {
            throw HTTPError(.badRequest, "Failed to parse \(what) as JSON: \(error.reason) at offset \(error.offset)")
        }
        for (position, object) in objects.enumerated() where object.range.count > maxEventSize {
            let name = objects.count == 1 && what != "body" ? what : objects.count == 1 ? "event" : "event \(position)"
            throw HTTPError(.payloadTooLarge, "The \(name) is \(object.range.count) bytes; the limit is \(maxEventSize) (server.max_event_size)")
        }
        return objects
    }

    private func record(_ bytes: UnsafeBufferPointer<UInt8>, _ object: EventScanner.Object, common: [UInt8], origin: Origin, now: String) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(object.range.count + common.count + 120)
        record.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[object.range.lowerBound..<(object.range.upperBound - 1)]))
        if object.isEmpty { record.append(contentsOf: common.dropFirst()) } else { record.append(contentsOf: common) }
        if !object.hasTimestamp { Self.appendField("_timestamp", now, to: &record) }
        if !object.hasEventID { Self.appendEventID(to: &record) }
        if !object.hasUserAgent, let agent = origin.userAgent { Self.appendField("user_agent", agent, to: &record) }
        record.append(UInt8(ascii: "}"))
        return record
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `,"eventn_ctx_event_id":"<uuid>"` with a random (version 4) UUID in lower case, written straight into the
    /// record: `uuidString` went through `snprintf` and a second string for `lowercased()` on every event.
    static func appendEventID(to out: inout [UInt8]) {
        var uuid = randomBytes.withLock { $0.take16() } ?? UUID().uuid
        out.append(contentsOf: #","eventn_ctx_event_id":""#.utf8)
        withUnsafeMutableBytes(of: &uuid) { bytes in
            bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Random bytes for event ids, read from `/dev/urandom` 4 KiB at a time: Foundation's `UUID()` opens, reads and
    /// closes it for every id: the opens alone were 3.5% to 5% of a busy node's samples.
    private static let randomBytes = Mutex(RandomPool())

    private struct RandomPool {
        private var bytes = [UInt8](repeating: 0, count: 4096)
        private var next = 4096
        /// Kept open for the process's life; -1 when it cannot be opened, and `UUID()` draws instead.
        private let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

        /// Sixteen random bytes; nil when `/dev/urandom` cannot be read.
        mutating func take16() -> uuid_t? {
            if next + 16 > bytes.count {
                guard urandom >= 0 else { return nil }
                var filled = 0
                while filled < bytes.count {
                    let count = bytes.withUnsafeMutableBytes { read(urandom, $0.baseAddress! + filled, $0.count - filled) }
                    if count > 0 {
                        filled += count
                    } else if count == 0 || errno != EINTR {
                        return nil
                    }
                }
                next = 0
            }
            defer { next += 16 }
            var taken: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &taken) { target in
                bytes.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[next..<(next + 16)])) }
            }
            return taken
        }
    }

    /// `,"name":"value"`.
    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        EventJSON.writeString(name, into: &out)
        out.append(UInt8(ascii: ":"))
        EventJSON.writeString(value, into: &out)
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
