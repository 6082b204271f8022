import Testing
import Templates
@testable import Pipeline

/// `FlatEvent` flattens while parsing; it must give what parsing the tree and `Flattener` give, for every event.
@Suite struct FlatEventTests {
    /// The tree way: what rows were before `FlatEvent`.
    private func expected(_ json: String) throws -> Row? {
        guard case .object(let event) = try JSONValue(parsing: json) else { return nil }
        return Row(eventID: event["eventn_ctx_event_id"]?.stringValue ?? "", event: event, columns: Flattener.flatten(event))
    }

    static let cases = [
        #"{}"#,
        #"{"event_type":"click","eventn_ctx_event_id":"e1","n":1.5,"ok":true,"none":null}"#,
        #"{"user":{"id":7,"Geo":{"city":"Oslo"}},"tags":["a",1,{"z":2,"a":[]}],"Event Type":"x"}"#,
        // Two leaves meeting in one name, either order, at any depth: the later key in sorted order wins.
        #"{"a_b":1,"a":{"b":2}}"#, #"{"a":{"b":2},"a_b":1}"#, #"{"A":1,"a":2}"#, #"{"a":2,"A":1}"#,
        #"{"x":{"a_b":1,"a":{"b":2}}}"#, #"{"a":{"b":{"c":1}},"a_b":{"c":2}}"#,
        // A repeated key: its last value, object or not.
        #"{"a":1,"a":2}"#, #"{"a":{"x":1},"a":{"y":2}}"#, #"{"a":1,"a":{"b":2}}"#, #"{"a":{"b":2},"a":1}"#, #"{"a":{},"a":1}"#,
        // The event id: a top-level string only.
        #"{"eventn_ctx_event_id":7}"#, #"{"eventn_ctx_event_id":{"x":1}}"#, #"{"e":{"eventn_ctx_event_id":"nested"}}"#,
        #"{"EVENTN_CTX_EVENT_ID":"upper"}"#, #"{"eventn_ctx_event_id":"a","eventn_ctx_event_id":"b"}"#,
        #"{"_timestamp":"2026-11-23T10:00:00Z","api_key":"k","x":{"api_key":"nested"}}"#, #"{"API_KEY":"renamed"}"#,
        #"{"s":"tab\tnew\nline \"q\" \\ \u00e9 \ud83d\ude00","empty":{},"deep":{"a":{"b":{"c":{"d":[1,[2]]}}}}}"#,
        #"{"  spaced key ":1,"ünï":2,"1st":3,"-":4}"#,
    ]

    @Test(arguments: cases)
    func givesWhatTheTreeAndFlattenerGive(_ json: String) throws {
        var shapes = ColumnShapes()
        let row = try #require(FlatEvent(Array(json.utf8), shapes: &shapes)?.row)
        let tree = try #require(try expected(json))
        #expect(row.columns == tree.columns, "\(json)")
        #expect(row.eventID == tree.eventID, "\(json)")
        #expect(row.event == tree.event, "\(json)")
        let flat = try #require(FlatEvent(Array(json.utf8), shapes: &shapes))
        guard case .object(let event) = try JSONValue(parsing: json) else { return }
        #expect(flat.timestamp == event["_timestamp"]?.stringValue && flat.apiKey == event["api_key"]?.stringValue, "\(json)")
    }

    @Test func generatedEventsAgree() throws {
        // A fixed linear congruential sequence: the same cases on every run.
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let keys = ["a", "b", "a_b", "A", "c_d", "c", "d", "Ev"]
        func value(_ depth: Int) -> String {
            switch next() % (depth > 2 ? 4 : 6) {
            case 0: return "\(next() % 100)"
            case 1: return "\"s\(next() % 10)\""
            case 2: return "null"
            case 3: return "[1,\"x\"]"
            default: return object(depth + 1)
            }
        }
        func object(_ depth: Int) -> String {
            let count = Int(next() % 4)
            return "{" + (0..<count).map { _ in "\"\(keys[Int(next() % UInt64(keys.count))])\":\(value(depth))" }.joined(separator: ",") + "}"
        }
        // One cache for all: events of the same keys share a shape, and must still flatten as the tree does.
        var shapes = ColumnShapes()
        for _ in 0..<2_000 {
            let json = object(0)
            let row = try #require(FlatEvent(Array(json.utf8), shapes: &shapes)?.row)
            #expect(row.columns == (try expected(json))?.columns, "\(json)")
        }
    }

    @Test func anythingButAnObjectIsRefused() {
        for json in ["[]", "1", "\"x\"", "{", #"{"a":}"#, #"{"a":1} x"#, ""] {
            var shapes = ColumnShapes()
            #expect(FlatEvent(Array(json.utf8), shapes: &shapes) == nil, "\(json)")
        }
    }
}

@Suite struct BatchShaperFlatPathTests {
    private func shaper(_ template: String, flattens: Bool, readsEvent: Bool) -> BatchShaper {
        BatchShaper(tableNameTemplate: template, templates: TemplateEvaluator(), accepts: { _ in true }, flattens: flattens, readsEvent: readsEvent)
    }

    /// Flattening while parsing only where it saves work: a constant table, columns stored, the event not read.
    @Test func eventJSONIsTakenOnlyWhereNoTreeIsNeeded() {
        #expect(shaper("events", flattens: true, readsEvent: false).takesEventJSON)
        #expect(!shaper("events", flattens: true, readsEvent: true).takesEventJSON, "redis reads the event for its key")
        #expect(!shaper("events", flattens: false, readsEvent: true).takesEventJSON)
        #expect(!shaper("{{.event_type}}", flattens: true, readsEvent: false).takesEventJSON, "the template reads the event")
        #expect(shaper("events", flattens: false, readsEvent: false).takesEventText, "files store the text")
        #expect(!shaper("events", flattens: true, readsEvent: false).takesEventText)
        #expect(!shaper("{{.event_type}}", flattens: false, readsEvent: false).takesEventText)
    }

    /// Rows of a destination that stores the event's text keep each record as it is, routed by its `api_key`
    /// (escapes decoded, the last occurrence winning, as the parser reads it); a record that is no object still fails.
    @Test func eventTextRowsKeepTheRecordAndAreRoutedByItsStrings() {
        let shaper = BatchShaper(tableNameTemplate: "events", templates: TemplateEvaluator(), accepts: { $0 == "k/1" },
                                 flattens: false, readsEvent: false)
        let records = [
            #"{"b":1,"a":{"x":[1]},"_timestamp":"2026-11-23T10:00:00Z","eventn_ctx_event_id":"e1","api_key":"k\/1"}"#,
            #"{"api_key":"k/1","api_key":"other","eventn_ctx_event_id":"e2"}"#,
            #"{"eventn_ctx_event_id":"e3","api_key":"k/1"}"#,
            "[1]",
        ]
        let shaped = shaper.shape(records.enumerated().map { LogEntry(offset: UInt64($0.offset), payload: Array($0.element.utf8)) })
        let rows = shaped.batches.flatMap(\.rows)
        #expect(rows.map(\.eventID) == ["e1", "e3"])
        var text: [UInt8] = []
        rows[0].appendEventJSON(to: &text)
        #expect(String(decoding: text, as: UTF8.self) == records[0])
        #expect(shaped.oldestTimestamp == 1_795_428_000)
        #expect(shaped.failures.count == 1)
    }

    /// A destination every key feeds reads nothing of the events once the first gave the lag: each record, an
    /// object the intake wrote, becomes a row of its text unscanned (text no scan would pass shows it), and a
    /// record that is not an object by its braces still fails.
    @Test func whenEveryKeyFeedsTheDestinationOnlyTheFirstEventIsRead() {
        let shaper = BatchShaper(tableNameTemplate: "events", templates: TemplateEvaluator(), accepts: nil, flattens: false, readsEvent: false)
        let records = [
            #"{"eventn_ctx_event_id":"e0","api_key":"k/2"}"#,
            #"{"_timestamp":"2026-11-23T10:00:00Z","eventn_ctx_event_id":"e1","api_key":"k/2"}"#,
            #"{"_timestamp":"2026-11-23T11:00:00Z","eventn_ctx_event_id":"e2","api_key":"k/3"}"#,
            #"{unscanned}"#,
            "[1]",
        ]
        let shaped = shaper.shape(records.enumerated().map { LogEntry(offset: UInt64($0.offset), payload: Array($0.element.utf8)) })
        var lines: [String] = []
        for row in shaped.batches.flatMap(\.rows) {
            var text: [UInt8] = []
            row.appendEventJSON(to: &text)
            lines.append(String(decoding: text, as: UTF8.self))
        }
        #expect(lines == Array(records.prefix(4)))
        #expect(shaped.oldestTimestamp == 1_795_428_000, "the first event with a timestamp gives the lag")
        #expect(shaped.failures.count == 1)
    }
}
