@testable import Connectors
import NodeConfig
@testable import Pipeline
import Templates
import Testing

struct TopicDirectoryTests {
    @Test func namesBecomeOneSafeSegmentEachAndComeBack() {
        let names = [TopicName(eventType: "justice_event", namespace: "game1", topic: "login"),
                     TopicName(eventType: "game_telemetry", namespace: "../etc", topic: "a/b c"),
                     TopicName(eventType: "game_telemetry", namespace: ".hidden", topic: "ünï.code%")]
        for name in names {
            let path = TopicDirectory.path(of: name)
            #expect(path.split(separator: "/").count == 3, "\(path)")
            #expect(!path.split(separator: "/").contains { $0.hasPrefix(".") }, "\(path)")
            #expect(TopicDirectory.name(of: path) == name)
        }
        #expect(TopicDirectory.path(of: names[0]) == "justice_event/game1/login")
        #expect(TopicDirectory.name(of: "a/b") == nil)
        #expect(TopicDirectory.name(of: "a/%zz/c") == nil)
        #expect(TopicDirectory.name(of: "a/.b/c") == nil, "not how the store writes it")
    }
}

struct TopicFieldsTests {
    private func topic(_ json: String, _ settings: TopicSettings = TopicSettings()) throws -> TopicName? {
        TopicFields(settings).topic(of: try JSONValue(parsing: json))
    }

    @Test func readsTheConfiguredFieldsAndCanonicalEventTypes() throws {
        #expect(try topic(#"{"_event_type":"justice-event","EventNamespace":"g","EventName":"login"}"#)
            == TopicName(eventType: "justice_event", namespace: "g", topic: "login"))
        var nested = TopicSettings()
        nested.namespaceField = "meta.ns"
        nested.topicField = "meta.name"
        #expect(try topic(#"{"_event_type":"game_telemetry","meta":{"ns":"g","name":"t"}}"#, nested)
            == TopicName(eventType: "game_telemetry", namespace: "g", topic: "t"))
        for incomplete in [#"{"EventNamespace":"g","EventName":"login"}"#, #"{"_event_type":"other","EventNamespace":"g","EventName":"x"}"#,
                           #"{"_event_type":"justice_event","EventNamespace":"","EventName":"x"}"#,
                           #"{"_event_type":"justice_event","EventNamespace":"g","EventName":7}"#, "[1]"] {
            #expect(try topic(incomplete) == nil, "\(incomplete)")
        }
    }

    @Test func onlyTextThatCanHoldTheEventTypeKeyIsParsed() {
        let fields = TopicFields(TopicSettings())
        #expect(!fields.mayNameTopic(Array(#"{"event_type":"pageview","url":"/a"}"#.utf8)))
        #expect(fields.mayNameTopic(Array(#"{"_event_type":"x"}"#.utf8)))
        #expect(fields.mayNameTopic(Array(#"{"\u005fevent_type":"x"}"#.utf8)))
    }

    @Test func routerGroupsRecordsPerTopicInLogOrderWithTheIngestTime() throws {
        let entries = [
            #"{"_event_type":"justice_event","EventNamespace":"g","EventName":"b","n":1,"_timestamp":"2026-11-23T10:00:00.250000000Z"}"#,
            #"{"no":"topic"}"#, "not json",
            #"{"_event_type":"justice_event","EventNamespace":"g","EventName":"a","n":2}"#,
            #"{"_event_type":"justice_event","EventNamespace":"g","EventName":"b","n":3}"#,
            // The key written with an escape is the same key.
            #"{"\u005fevent_type":"justice_event","EventNamespace":"g","EventName":"c","n":4}"#,
            #"{"note":"\"_event_type\" in a value","EventNamespace":"g","EventName":"d"}"#,
        ].enumerated().map { LogEntry(offset: UInt64($0.offset), payload: Array($0.element.utf8)) }
        let grouped = TopicRouter.classify(entries, TopicFields(TopicSettings()))
        #expect(grouped.map(\.0.topic) == ["a", "b", "c"])
        let b = grouped[1].1.compactMap(TopicRecord.decode)
        #expect(b.map { String(decoding: $0.json, as: UTF8.self).contains(#""n":1"#) } == [true, false])
        #expect(b.first?.ingestedAt == 1_795_428_000_250)
    }
}
