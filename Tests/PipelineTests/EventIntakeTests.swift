import Foundation
import HTTP
import Templates
import Testing
@testable import Pipeline

/// Event bodies are checked without a tree and enriched by appending to their own bytes: what the log's reader then
/// parses must be the event with Jitsu's enrichment, and every malformed body must be refused.
@Suite struct EventIntakeTests {
    private let intake = EventIntake(maxEventSize: 200, trustProxy: false)
    private let origin = EventIntake.Origin(apiKeyID: "web", sourceIP: "10.0.0.9", userAgent: "agent/1")
    private let now = "2026-11-23T10:00:00.000000000Z"

    private func events(_ body: String, jsonLines: Bool = false) throws -> [[String: JSONValue]] {
        try intake.records(in: Array(body.utf8), jsonLines: jsonLines, origin: origin, now: now).map { record in
            guard case .object(let event) = try JSONValue(parsingBytes: record) else { throw HTTPError(.badRequest, "not an object") }
            return event
        }
    }

    private func status(_ body: String, jsonLines: Bool = false) -> Int {
        do {
            _ = try intake.records(in: Array(body.utf8), jsonLines: jsonLines, origin: origin, now: now)
            return 200
        } catch {
            return error.status.code
        }
    }

    @Test func enrichmentIsAppendedAndTheEventsOwnFieldsWinWhereJitsuKeepsThem() throws {
        let plain = try #require(try events(#" {"event_type": "a", "n": [1, {"x": null}]} "#).first)
        #expect(plain["event_type"] == .string("a"))
        #expect(plain["_timestamp"] == .string(now))
        #expect(plain["api_key"] == .string("web") && plain["source_ip"] == .string("10.0.0.9"))
        #expect(plain["user_agent"] == .string("agent/1"))
        let id = try #require(plain["eventn_ctx_event_id"]?.stringValue)
        #expect(id.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil, "\(id)")

        let own = try #require(try events(#"{"_timestamp":"2020-01-01T00:00:00Z","eventn_ctx_event_id":"mine","user_agent":null,"api_key":"forged","source_ip":"1.2.3.4"}"#).first)
        #expect(own["_timestamp"] == .string("2020-01-01T00:00:00Z"))
        #expect(own["eventn_ctx_event_id"] == .string("mine"))
        #expect(own["user_agent"] == .null)
        #expect(own["api_key"] == .string("web"), "the key id always replaces what the client sent")
        #expect(own["source_ip"] == .string("10.0.0.9"))

        // A null timestamp or an empty id counts as absent; the last of repeated keys decides.
        let replaced = try #require(try events(#"{"_timestamp":"x","_timestamp":null,"eventn_ctx_event_id":""}"#).first)
        #expect(replaced["_timestamp"] == .string(now))
        #expect(replaced["eventn_ctx_event_id"]?.stringValue?.count == 36)

        #expect(try events("{}").first?["api_key"] == .string("web"))
        #expect(try events(#"[{"a":1},{"b":2}]"#).count == 2)
        #expect(try events("{\"a\":1}\n\n{\"b\":\"x\\ny\"}\r\n", jsonLines: true).map { $0.count } == [6, 6])
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}",
        "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\u{01}\"}", "{\"a\":1} x", "[1]", "[{\"a\":1},2]",
        "\"text\"", "3", "null", "[]", "{\"a\":[1,]}", "{\"a\":\"unterminated}",
    ])
    func malformedBodiesAreRefused(body: String) {
        #expect(status(body) == 400, "\(body)")
    }

    /// Strings are scanned eight bytes at a time: a quote, backslash or control character at any position of a
    /// long string, and strings ending at any length, are found as the parser finds them.
    @Test func everyPositionInALongStringIsChecked() throws {
        let intake = EventIntake(maxEventSize: 1_000, trustProxy: false)
        for length in 0..<40 {
            for (special, valid) in [("\"", false), ("\\n", true), ("\\q", false), ("\u{01}", false), ("\u{1F}", false), (" ", true), ("é", true)] {
                for position in 0...length {
                    var text = String(repeating: "a", count: length)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    let body = "{\"k\":\"\(text)\",\"n\":1}"
                    let parses = (try? JSONValue(parsingBytes: Array(body.utf8))) != nil
                    #expect(parses == valid, "\(body)")
                    let accepted = (try? intake.records(in: Array(body.utf8), jsonLines: false, origin: origin, now: now)) != nil
                    #expect(accepted == parses, "\(body)")
                }
            }
        }
    }

    /// Ids come from a pool of random bytes refilled every 256 ids: across refills they stay distinct version 4 UUIDs.
    @Test func eventIDsAreDistinctVersion4UUIDs() {
        let ids = (0..<2_000).map { _ in
            var field: [UInt8] = []
            EventIntake.appendEventID(to: &field)
            let text = String(decoding: field, as: UTF8.self)
            #expect(text.hasPrefix(#","eventn_ctx_event_id":""#) && text.hasSuffix("\""))
            return String(text.dropFirst(24).dropLast())
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil })
    }

    @Test func limitsAndLinesAreChecked() {
        #expect(status(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) == 400)
        #expect(status(#"{"pad":"\#(String(repeating: "x", count: 300))"}"#) == 413)
        #expect(status(#"[{"a":1},{"pad":"\#(String(repeating: "x", count: 300))"}]"#) == 413)
        #expect(status("{\"a\":1}\n[{\"b\":1}]\n", jsonLines: true) == 400, "bulk lines are single objects")
        #expect(status("{\"a\":1}\n{bad\n", jsonLines: true) == 400)
        #expect(status("\n \n", jsonLines: true) == 400, "no events")
        #expect(intakeRefusesInvalidUTF8())
    }

    private func intakeRefusesInvalidUTF8() -> Bool {
        do {
            _ = try intake.records(in: [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], jsonLines: false, origin: origin, now: now)
            return false
        } catch {
            return error.status.code == 400
        }
    }
}
