import Foundation
import NodeConfig
import Testing
import TestSupport

/// The analytics connectors' admin API on a live in-process node through real HTTP: the lifecycle of a connector in
/// the replicated map, every validation refusal with the field named, and the permission checks per action.
@Suite(.serialized) struct ConnectorRoutesTests {
    static let base = "/analytics-connector/v1/admin/connectors"
    static let admin = ["X-Admin-Token": "s3cret"]

    /// A node with clients `reader` (Read only) and `writer` (all actions), both with secret `secret`.
    private static func node() throws -> LiveNode {
        try LiveNode(name: "connectors") { configuration in
            configuration.cluster.secrets = [Data(repeating: 7, count: 32).base64EncodedString()]
            func client(_ id: String, _ action: Int) -> ConfigValue {
                .map(["id": .string(id), "secret_sha256": .string(IAMRoutesTests.hashOfSecret),
                      "permissions": .array([.map(["resource": .string("ADMIN:ANALYTICS:CONNECTOR"), "action": .int(action)])])])
            }
            configuration.iam = .map(["clients": .array([client("reader", 2), client("writer", 15)])])
        }
    }

    private static func token(_ node: LiveNode, _ client: String) throws -> String {
        let response = try node.send("/iam/v3/oauth/token", body: "grant_type=client_credentials",
                                     headers: ["Authorization": "Basic " + Data("\(client):secret".utf8).base64EncodedString(),
                                               "Content-Type": "application/x-www-form-urlencoded"])
        return try #require(try jsonObject(response.body)["access_token"] as? String)
    }

    static let s3Body = """
        {"connectorName":"s3-sink","connectorType":"SINK","storageType":"KAFKA_S3",
         "config":{"bucketName":"analytics","region":"us-east-1","flushInterval":"5","flushSize":"1000","eventType":"justice-event"},
         "filter":{"game1":["login","match"]}}
        """

    @Test func secretsAreMaskedInAnswersAndKeptWhenSentBackMasked() throws {
        let node = try Self.node()
        defer { node.stop() }
        let created = try node.send(Self.base, body: """
            {"connectorName":"pg","storageType":"KAFKA_REDSHIFT","config":{"host":"h","dbName":"d","username":"u","password":"pw",
             "flushInterval":"5","flushSize":"500","eventType":"justice_event"},"filter":{"g":["t"]}}
            """, headers: Self.admin)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(try jsonObject(created.body)["id"] as? Int)
        #expect((try jsonObject(created.body)["config"] as? [String: String])?["password"] == "******")
        let listed = try jsonObject(try node.send(Self.base, method: "GET", headers: Self.admin).body)
        #expect(!String(describing: listed).contains("pw"))
        let edited = try node.send("\(Self.base)/\(id)", method: "PUT", body: """
            {"config":{"host":"h2","dbName":"d","username":"u","password":"******","flushInterval":"5","flushSize":"500"},"filter":{"g":["t"]}}
            """, headers: Self.admin)
        #expect(edited.status == 200, "\(edited.body)")
        let stored = try node.send("/api/v1/state/connector%2F\(id)", method: "GET", headers: Self.admin)
        #expect(stored.status == 200, "\(stored.body)")
        #expect(stored.body.contains(#""password":"pw""#) && stored.body.contains(#""host":"h2""#), "\(stored.body)")
    }

    @Test func statusAndTopicsNeedReadAndNameUnknownIDsAndTypes() throws {
        let node = try Self.node()
        defer { node.stop() }
        let reader = ["Authorization": "Bearer " + (try Self.token(node, "reader"))]
        let created = try node.send(Self.base, body: Self.s3Body, headers: Self.admin)
        let id = try #require(try jsonObject(created.body)["id"] as? Int)
        let status = try node.send("\(Self.base)/\(id)/status", method: "GET", headers: reader)
        #expect(status.status == 200, "\(status.body)")
        #expect(try jsonObject(status.body)["connector"] as? String == "s3-sink")
        let unknown = try node.send("\(Self.base)/999/status", method: "GET", headers: reader)
        #expect(try unknown.status == 404 && (jsonObject(unknown.body)["errorCode"] as? Int) == 404)
        let topics = try node.send("/analytics-connector/v1/admin/tools/kafka/topics/justice_event", method: "GET", headers: reader)
        #expect(topics.status == 200 && topics.body == "{}", "\(topics.body)")
        let badType = try node.send("/analytics-connector/v1/admin/tools/kafka/topics/other", method: "GET", headers: reader)
        #expect(try badType.status == 400 && (jsonObject(badType.body)["errorMessage"] as? String)?.contains("other") == true)
        for path in ["\(Self.base)/\(id)/status", "/analytics-connector/v1/admin/tools/kafka/topics/justice_event"] {
            let refused = try node.send(path, method: "GET")
            #expect(try refused.status == 401 && (jsonObject(refused.body)["errorCode"] as? Int) == 401, "\(path)")
        }
    }

    @Test func aConnectorIsCreatedListedEditedPausedResumedAndDeleted() throws {
        let node = try Self.node()
        defer { node.stop() }
        let writer = ["Authorization": "Bearer " + (try Self.token(node, "writer"))]
        let created = try node.send(Self.base, body: Self.s3Body, headers: writer)
        #expect(created.status == 201, "\(created.body)")
        let connector = try jsonObject(created.body)
        let id = try #require(connector["id"] as? Int)
        #expect(connector["active"] as? Bool == true)
        let config = try #require(connector["config"] as? [String: String])
        #expect(config["eventType"] == "justice_event")
        #expect(config["customPartitionDuration"] == "15")
        #expect(config["partSize"] == "5242880")
        #expect(try node.send(Self.base, body: Self.s3Body, headers: writer).status == 409)

        let listed = try jsonObject(try node.send(Self.base + "?storageType=KAFKA_S3&connectorState=ACTIVE", method: "GET", headers: writer).body)
        #expect((listed["data"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
        #expect((try jsonObject(try node.send(Self.base + "?connectorName=other", method: "GET", headers: writer).body)["data"] as? [Any])?.isEmpty == true)

        let edited = try node.send("\(Self.base)/\(id)", method: "PUT", body: #"{"config":{"bucketName":"b2","region":"eu-west-1","flushInterval":"10","flushSize":"500"},"filter":{"game2":["x"]}}"#, headers: writer)
        #expect(edited.status == 200, "\(edited.body)")
        let shown = try jsonObject(try node.send("\(Self.base)/\(id)", method: "GET", headers: writer).body)
        #expect((shown["config"] as? [String: String])?["bucketName"] == "b2")
        #expect((shown["config"] as? [String: String])?["eventType"] == "justice_event")
        #expect(shown["filter"] as? [String: [String]] == ["game2": ["x"]])
        for change in [#"{"connectorName":"renamed","config":{"bucketName":"b","region":"r","flushInterval":"5","flushSize":"500"},"filter":{"g":["t"]}}"#,
                       #"{"storageType":"KAFKA_REDSHIFT","config":{"host":"h","dbName":"d","username":"u","password":"p","flushInterval":"5","flushSize":"500","eventType":"justice_event"},"filter":{"g":["t"]}}"#,
                       #"{"config":{"bucketName":"b","region":"r","flushInterval":"5","flushSize":"500","eventType":"game_telemetry"},"filter":{"g":["t"]}}"#] {
            let refused = try node.send("\(Self.base)/\(id)", method: "PUT", body: change, headers: writer)
            #expect(refused.status == 400 && refused.body.contains("cannot be changed"), "\(refused.body)")
        }

        let paused = try node.send("\(Self.base)/\(id)/deactivate", method: "PUT", headers: writer)
        #expect(try jsonObject(paused.body) as NSDictionary == ["id": id, "active": false] as NSDictionary)
        #expect((try jsonObject(try node.send(Self.base + "?connectorState=INACTIVE", method: "GET", headers: writer).body)["data"] as? [Any])?.count == 1)
        let resumed = try node.send("\(Self.base)/\(id)/activate", method: "PUT", headers: writer)
        #expect(try jsonObject(resumed.body) as NSDictionary == ["id": id, "active": true] as NSDictionary)

        let deleted = try node.send("\(Self.base)/\(id)", method: "DELETE", headers: writer)
        #expect(try jsonObject(deleted.body) as NSDictionary == ["deleted": true, "id": id] as NSDictionary)
        let gone = try node.send("\(Self.base)/\(id)", method: "GET", headers: writer)
        #expect(gone.status == 404)
        #expect(try jsonObject(gone.body)["errorCode"] as? Int == 404)
    }

    @Test func badFieldsAreRefusedNamingThemAndTypesWithoutASinkAre501() throws {
        let node = try Self.node()
        defer { node.stop() }
        func body(_ config: String, storage: String = "KAFKA_S3", name: String = "c1", filter: String = #"{"ns":["t"]}"#) -> String {
            #"{"connectorName":"\#(name)","connectorType":"SINK","storageType":"\#(storage)","config":{\#(config)},"filter":\#(filter)}"#
        }
        let good = #""bucketName":"b","region":"r","eventType":"game_telemetry""#
        let cases: [(String, String)] = [
            (body(good + #","flushInterval":"16","flushSize":"100""#), "flushInterval"),
            (body(good + #","flushInterval":"0","flushSize":"100""#), "flushInterval"),
            (body(good + #","flushInterval":"5","flushSize":"99""#), "flushSize"),
            (body(good + #","flushInterval":"5","flushSize":"10001""#), "flushSize"),
            (body(good + #","flushInterval":"5","flushSize":"100","partSize":"5242879""#), "partSize"),
            (body(good + #","flushInterval":"5","flushSize":"100","customPartitionDuration":"x""#), "customPartitionDuration"),
            (body(good + #","flushInterval":5,"flushSize":"100""#), "flushInterval must be a string"),
            (body(#""region":"r","eventType":"game_telemetry","flushInterval":"5","flushSize":"100""#), "bucketName"),
            (body(#""bucketName":"b","region":"r","eventType":"other","flushInterval":"5","flushSize":"100""#), "eventType"),
            (body(good + #","flushInterval":"5","flushSize":"100""#, storage: "KAFKA_FTP"), "storageType"),
            (body(good + #","flushInterval":"5","flushSize":"100""#, name: "bad name"), "connectorName"),
            (body(good + #","flushInterval":"5","flushSize":"100""#, filter: #"{"ns":[]}"#), "filter.ns"),
            (#"{"connectorName":"c"}"#, "storageType"),
            ("not json", "not JSON"),
        ]
        for (text, field) in cases {
            let refused = try node.send(Self.base, body: text, headers: Self.admin)
            #expect(refused.status == 400, "\(text): \(refused.status) \(refused.body)")
            let error = try jsonObject(refused.body)
            #expect(error["errorCode"] as? Int == 400)
            #expect((error["errorMessage"] as? String)?.contains(field) == true, "\(text): \(refused.body)")
        }
        let snowflake = try node.send(Self.base, body: body(#""eventType":"game_telemetry","flushInterval":"5","flushSize":"100""#, storage: "KAFKA_SNOWFLAKE"), headers: Self.admin)
        #expect(snowflake.status == 501, "\(snowflake.body)")
        #expect((try jsonObject(try node.send(Self.base, method: "GET", headers: Self.admin).body)["data"] as? [Any])?.isEmpty == true)
    }

    @Test func eachActionNeedsItsPermission() throws {
        let node = try Self.node()
        defer { node.stop() }
        let reader = ["Authorization": "Bearer " + (try Self.token(node, "reader"))]
        #expect(try node.send(Self.base, method: "GET", headers: reader).status == 200)
        let created = try node.send(Self.base, body: Self.s3Body, headers: Self.admin)
        let id = try #require(try jsonObject(created.body)["id"] as? Int)
        for (method, path, body) in [("POST", Self.base, Self.s3Body), ("PUT", "\(Self.base)/\(id)", Self.s3Body),
                                     ("DELETE", "\(Self.base)/\(id)", ""), ("PUT", "\(Self.base)/\(id)/deactivate", "")] {
            let refused = try node.send(path, method: method, body: body, headers: reader)
            #expect(refused.status == 403, "\(method) \(path): \(refused.body)")
            #expect(try jsonObject(refused.body)["errorCode"] as? Int == 403)
        }
        #expect(try node.send(Self.base, method: "GET").status == 401)
        #expect(try node.send(Self.base, method: "GET", headers: ["Authorization": "Bearer nope"]).status == 401)
        #expect(try node.send("\(Self.base)/\(id)", method: "GET", headers: reader).status == 200)
    }
}
