import Testing
import Templates
@testable import Pipeline

/// A draft written from events' JSON text (`JSONCopyTranscoder`) must be byte for byte the draft of the same events
/// parsed into trees and flattened, whatever the transcoder takes on or declines.
@Suite struct JSONCopyTranscoderTests {
    static let cases = FlatEventTests.cases + [
        #"{"i":0,"neg":-0,"big":123456789012345,"bigger":1234567890123456,"beyond":9007199254740993,"f":1.0,"g":-1.5e-7,"h":2E+3,"k":0.1}"#,
        #"{"esc":"a\u005cb\u0009c\/d\be\ff\r","lone":"\ud800x","low":"\udc00","pair":"\ud83d\ude00","nul":"\u0000"}"#,
        #"{"t":"2026-11-23T10:00:00Z","spaced":"2026-11-23 10:00:00.5+01:00","not":"2026-11-23T10:00:00","escaped":"2026-11-23T10:00:00\u005a"}"#,
        #"  { "ws" : { "in" : [ ] , "n" : null } , "b" : false }  "#,
        #"{"a":[1,2],"b":1}"#, #"{"k\"ey":1}"#, #"{"emoji 😀 key":"ünïcode"}"#,
        #"{"\#(String(repeating: "long", count: 20))1":"first","\#(String(repeating: "long", count: 20))2":"second"}"#,
    ]

    /// Rows as the tree way makes them: parsed, then flattened.
    private func treeRows(_ events: [String]) throws -> [Row] {
        try events.map { json in
            guard case .object(let event) = try JSONValue(parsing: json) else { throw ReplayFormat.Malformed(reason: "not an object: \(json)") }
            return Row(eventID: "", event: event, columns: Flattener.flatten(event))
        }
    }

    private func textRows(_ events: [String]) -> [Row] {
        events.map { Row(eventJSON: Array($0.utf8)[...]) }
    }

    private func expectSame(_ text: PostgresCopyPlan.Draft, _ tree: PostgresCopyPlan.Draft, _ comment: Comment) {
        #expect(text.kinds == tree.kinds, comment)
        #expect(text.plan.columns == tree.plan.columns, comment)
        #expect(String(decoding: text.plan.text, as: UTF8.self) == String(decoding: tree.plan.text, as: UTF8.self), comment)
        #expect(text.plan.lineEnds == tree.plan.lineEnds, comment)
        #expect(text.plan.rowOfLine == tree.plan.rowOfLine, comment)
        #expect(text.plan.unchecked == tree.plan.unchecked, comment)
    }

    @Test(arguments: cases)
    func oneEventGivesTheDraftOfItsTree(_ json: String) throws {
        expectSame(PostgresCopyPlan.Draft(rows: textRows([json])), PostgresCopyPlan.Draft(rows: try treeRows([json])), "\(json)")
    }

    @Test func aBatchOfEveryShapeGivesTheDraftOfItsTrees() throws {
        // Shapes repeat, come back after others, and declined events sit between transcoded ones.
        let events = Self.cases + Self.cases.reversed() + [Self.cases[1], Self.cases[1]]
        expectSame(PostgresCopyPlan.Draft(rows: textRows(events)), PostgresCopyPlan.Draft(rows: try treeRows(events)), "batch")
    }

    @Test func decimalsPrintAsTheirDoublesDo() throws {
        // Decimals written as they came must be what the double parsed from them prints: around every threshold
        // (15 significant digits, trailing zeros, 0.0001, exponents, 2^53) and at random.
        var generator = SystemRandomNumberGenerator()
        var numbers = ["0.1", "0.0001", "0.00012", "0.00001", "0.000100", "-0.5", "1.10", "123456789012345.5", "12345678901234.5",
                       "99999999999999.9", "0.123456789012345", "0.0001234567890123451", "4503599627370495.5", "1.5e3", "-0.0", "7.0"]
        for _ in 0..<2_000 {
            let integer = Bool.random(using: &generator) ? "0" : String(UInt64.random(in: 1...999_999_999_999_999, using: &generator))
            let zeros = String(repeating: "0", count: Int.random(in: 0...5, using: &generator))
            let fraction = zeros + String(UInt64.random(in: 1...99_999_999_999, using: &generator))
            numbers.append((Bool.random(using: &generator) ? "-" : "") + integer + "." + fraction)
        }
        let events = numbers.map { #"{"n":\#($0)}"# }
        expectSame(PostgresCopyPlan.Draft(rows: textRows(events)), PostgresCopyPlan.Draft(rows: try treeRows(events)), "decimals")
    }

    @Test func writesCellsAndNamesColumnsOncePerShape() {
        var transcoder = JSONCopyTranscoder()
        var cells = CopyCells()
        func append(_ json: String) -> CopyLayout? {
            Array(json.utf8).withUnsafeBufferPointer { transcoder.append($0, to: &cells) }
        }
        let first = append(#"{"User":{"ID":7,"name":"a\tb"},"at":"2026-11-23T10:00:00Z","ok":true,"x":null,"f":2.50}"#)
        #expect(first?.columns == ["user_id", "user_name", "at", "ok", "x", "f"])
        #expect((0..<cells.count).map { String(decoding: cells.text[cells.bytes(of: $0)], as: UTF8.self) } == ["7", "a\\tb", "2026-11-23T10:00:00Z", "true", "", "2.5"])
        #expect(cells.kinds == [ColumnKind.integer.bit, ColumnKind.text.bit, ColumnKind.timestamp.bit, ColumnKind.boolean.bit, 0, ColumnKind.float.bit])
        let second = append(#"{"User":{"ID":8,"name":"c"},"at":"x","ok":false,"x":1,"f":3}"#)
        #expect(second === first)
        #expect(cells.count == 12)
    }

    @Test(arguments: [
        #"{"a":[1]}"#, #"{"k\u0065y":1}"#, #"{"a":1,"a":2}"#, #"{"a_b":1,"a":{"b":2}}"#, #"{"A":1,"a":2}"#, #"{"n":1e400}"#,
        #"{"a":1,}"#, #"{"a":01}"#, #"{"a":"\x"}"#, #"{"a":tru}"#, #"[{"a":1}]"#, #"{"a":1} {}"#,
        "{" + String(repeating: #""a":{"#, count: 64) + "}" + String(repeating: "}", count: 64),
    ])
    func declinesWhatOnlyTheParserSettlesAndAppendsNothing(_ json: String) {
        var transcoder = JSONCopyTranscoder()
        var cells = CopyCells()
        _ = Array(#"{"kept":1}"#.utf8).withUnsafeBufferPointer { transcoder.append($0, to: &cells) }
        #expect(Array(json.utf8).withUnsafeBufferPointer { transcoder.append($0, to: &cells) } == nil, "\(json)")
        #expect(cells.count == 1 && cells.text == Array("1".utf8), "\(json)")
    }

    @Test func declinesInvalidUTF8InAValueOrAKey() {
        var transcoder = JSONCopyTranscoder()
        var cells = CopyCells()
        for json: [UInt8] in [Array(#"{"a":"x"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), Array(#"{""#.utf8) + [0xFF] + Array(#"":1}"#.utf8)] {
            #expect(json.withUnsafeBufferPointer { transcoder.append($0, to: &cells) } == nil)
        }
        #expect(cells.count == 0)
    }
}
