import Templates

/// How the lines of a replayed file hold their events.
public enum ReplayFormat: String, Sendable, Codable, CaseIterable {
    /// A fallback file's lines: `{"event": {...}, "error": "..."}`; a `malformed_event` line (a log record that was
    /// not an event) is malformed.
    case fallback
    /// One event object per line, as archives and exports hold them.
    case raw_json

    /// The event a line holds, or why it holds none.
    public func event(in line: [UInt8]) -> Result<[String: JSONValue], Malformed> {
        let value: JSONValue
        do {
            value = try JSONValue(parsingBytes: line)
        } catch {
            return .failure(Malformed(reason: "not JSON: \(error)"))
        }
        guard case .object(let object) = value else { return .failure(Malformed(reason: "not a JSON object")) }
        switch self {
        case .raw_json:
            return .success(object)
        case .fallback:
            if case .object(let event)? = object["event"] { return .success(event) }
            if object["malformed_event"] != nil {
                return .failure(Malformed(reason: Self.keptMalformed))
            }
            return .failure(Malformed(reason: Self.noEvent))
        }
    }

    /// The event of the line `bytes[line]`, flattened as it is parsed (`FlatEvent`), or why the line holds none,
    /// as `event(in:)` decides: one pass over the line instead of a scan for the event and a parse of it.
    func flatEvent(in bytes: [UInt8], line: Range<Int>, shapes: inout ColumnShapes) -> Result<FlatEvent, Malformed> {
        switch self {
        case .raw_json:
            if let event = FlatEvent(Array(bytes[line]), shapes: &shapes) { return .success(event) }
        case .fallback:
            switch try? FlatEvent.member("event", of: bytes, in: line, shapes: &shapes) {
            case .event(let event)?: return .success(event)
            case .absent(let keys)?: return .failure(Malformed(reason: keys.contains("malformed_event") ? Self.keptMalformed : Self.noEvent))
            case nil: break
            }
        }
        // Not JSON or not an object: the scan words why.
        return bytes.withUnsafeBufferPointer { locate(UnsafeBufferPointer(rebasing: $0[line])) }
            .flatMap { _ in .failure(Malformed(reason: "not a JSON object")) }
    }

    /// Why a line holds no event, or nil when it holds one: what `event(in:)` decides, found without building the
    /// event (a scan), so checking a whole file before a replay costs a fraction of replaying it.
    func check(_ line: UnsafeBufferPointer<UInt8>) -> Malformed? {
        if case .failure(let malformed) = locate(line) { return malformed }
        return nil
    }

    /// Where in `bytes` the event object of the line `bytes[line]` is, when the scan vouches for it as the parser
    /// would read it (`EventScanner.Object.needsParser`); nil otherwise, and for a line that holds no event.
    func scannedEvent(in bytes: [UInt8], line: Range<Int>) -> Range<Int>? {
        let scanned = bytes.withUnsafeBufferPointer { scan(UnsafeBufferPointer(rebasing: $0[line])) }
        guard case .success(let (object, event)) = scanned, !object.needsParser else { return nil }
        return (event.lowerBound + line.lowerBound)..<(event.upperBound + line.lowerBound)
    }

    /// Where in `line` its event object is (braces included), or why it holds none, as `event(in:)` decides.
    func locate(_ line: UnsafeBufferPointer<UInt8>) -> Result<Range<Int>, Malformed> {
        scan(line).map(\.event)
    }

    /// The line's top-level object, scanned, and where its event is.
    private func scan(_ line: UnsafeBufferPointer<UInt8>) -> Result<(object: EventScanner.Object, event: Range<Int>), Malformed> {
        // Only a line with non-ASCII bytes can be invalid UTF-8; checking it copies the line, so ASCII skips that.
        if !JSONText.isASCII(line), String(validating: line, as: UTF8.self) == nil {
            return .failure(Malformed(reason: "not JSON: invalid UTF-8"))
        }
        var scanner = EventScanner(line)
        let object: EventScanner.Object
        do {
            object = try scanner.scanObjectBody()
        } catch {
            return .failure(Malformed(reason: error.reason == "the body is not a JSON object" ? "not a JSON object" : "not JSON: \(error.reason) at offset \(error.offset)"))
        }
        switch self {
        case .raw_json:
            return .success((object, object.range))
        case .fallback:
            if let event = object.eventRange { return .success((object, event)) }
            if object.hasMalformedEvent { return .failure(Malformed(reason: Self.keptMalformed)) }
            return .failure(Malformed(reason: Self.noEvent))
        }
    }

    private static let keptMalformed = "it keeps a log record that was never an event (malformed_event)"
    private static let noEvent = "no \"event\" object (is the file_format raw_json?)"

    public struct Malformed: Error, Sendable, Equatable {
        public let reason: String
    }
}
