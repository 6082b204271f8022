@testable import Connectors
import Foundation
import Templates
import Testing
import TestSupport

/// Against moto's S3 server with IAM authentication on (so wrong keys and bad signatures fail as on AWS); objects are
/// read back with boto3. moto checks no signature of a key holding `=` correctly (see `MotoS3(authenticating:)`), so
/// the default layout (`year=...`) is checked on a server that checks none, and the other tests use `plainPath`.
@Suite struct S3SinkTests {
    private let login = TopicName(eventType: "justice_event", namespace: "accelbyte", topic: "login")
    /// 2026-11-23 10:07:00 UTC in milliseconds: the 15-minute partition 10:00.
    private let tenOhSeven = UTCCalendar.unixSeconds(year: 2026, month: 11, day: 23, hour: 10, minute: 7) * 1000

    private static func freshBucket() -> String { "rivulet-\(UInt32.random(in: 0...UInt32.max))" }

    private static func createdBucket(on moto: MotoS3) throws -> String {
        let bucket = freshBucket()
        try moto.createBucket(bucket)
        return bucket
    }

    /// The default layout without its `=` signs.
    private static let plainPath = "{eventType}/{realm}/{topic}/{yyyy}/{MM}/{dd}/{hh}/{mm}/{topic}.json"
    private let plainPrefix = "justice_event/default/login/2026/11/23/10"

    /// Writes `events` as flush `sequence` of node1 through the sink the factory makes for a connector to `bucket` on
    /// `moto` (with `plainPath` and `overrides`): the failure, or nil when the write returned.
    private func write(_ events: [TopicEvent], sequence: UInt64, to bucket: String, on moto: MotoS3, _ overrides: [String: String] = [:],
                       harness: DestinationHarness) async throws -> SinkFailure? {
        let config = ["eventType": "justice_event", "flushInterval": "1", "flushSize": "100", "bucketName": bucket, "region": "us-east-1",
                      "endpoint": moto.endpoint, "accessKeyId": moto.accessKeyID, "secretAccessKey": moto.secretAccessKey,
                      "customPath": Self.plainPath]
        let connector = Connector(id: 1, connectorName: "s3test", connectorType: "SINK", storageType: .s3,
                                  config: config.merging(overrides) { $1 }, filter: ["accelbyte": ["login"]], active: true,
                                  createdAt: "", updatedAt: "")
        let sink = try ConnectorSinks.make(connector, context: harness.context)
        return try await harness.write(sink, SinkBatch(connector: connector, node: "node1", sequence: sequence, events: events))
    }

    /// Events of `login` with `{"n": <index>, "pad": "<padding>"}` bodies, ingested `minutesAfter` 10:07 each.
    private func events(_ minutesAfter: [Int64], padding: Int = 0) -> [TopicEvent] {
        let pad = String(repeating: "x", count: padding)
        return minutesAfter.enumerated().map { index, minutes in
            TopicEvent(topic: login, offset: UInt64(index), ingestedAt: tenOhSeven + minutes * 60_000,
                       json: Array(#"{"n":\#(index),"pad":"\#(pad)"}"#.utf8))
        }
    }

    private func lines(_ events: [TopicEvent]) -> String {
        events.map { String(decoding: $0.json, as: UTF8.self) + "\n" }.joined()
    }

    @Test func smallBatchLandsAsOneObjectAtTheDefaultKey() async throws {
        let moto = try MotoS3(authenticating: false)
        defer { moto.stop() }
        let bucket = try Self.createdBucket(on: moto)
        let harness = try DestinationHarness()
        let batch = events([0, 1, 7])
        let failure = try await write(batch, sequence: 7, to: bucket, on: moto, ["customPath": ""], harness: harness)
        #expect(failure == nil, "\(String(describing: failure))")
        let key = "justice_event/realm/default/topics/login/year=2026/month=11/day=23/hour=10/minute=00/login-node1-000007.json"
        #expect(try moto.objects(in: bucket) == [key: lines(batch)])
        #expect(try await harness.finish() == 0)
    }

    @Test func batchSpanningTwoPartitionsWritesTwoObjects() async throws {
        let moto = try MotoS3.shared()
        let bucket = try Self.createdBucket(on: moto)
        let harness = try DestinationHarness()
        let batch = events([0, 10, 7, 8])
        let failure = try await write(batch, sequence: 12, to: bucket, on: moto, harness: harness)
        #expect(failure == nil, "\(String(describing: failure))")
        #expect(try moto.objects(in: bucket) == [
            "\(plainPrefix)/00/login-node1-000012.json": lines([batch[0], batch[2]]),
            "\(plainPrefix)/15/login-node1-000012.json": lines([batch[1], batch[3]]),
        ])
        #expect(try await harness.finish() == 0)
    }

    @Test func batchLargerThanPartSizeGoesUpInParts() async throws {
        let moto = try MotoS3.shared()
        let bucket = try Self.createdBucket(on: moto)
        let harness = try DestinationHarness()
        // 12,000 lines of about 1 KB: two 5 MiB parts and a smaller third.
        let batch = events(Array(repeating: 0, count: 12_000), padding: 1000)
        let failure = try await write(batch, sequence: 3, to: bucket, on: moto, ["partSize": "5242880"], harness: harness)
        #expect(failure == nil, "\(String(describing: failure))")
        let key = "\(plainPrefix)/00/login-node1-000003.json"
        let objects = try moto.objects(in: bucket)
        #expect(objects.keys.sorted() == [key])
        #expect(objects[key] == lines(batch))
        #expect(try moto.etag(of: key, in: bucket).hasSuffix("-3\""))
        #expect(try await harness.finish() == 0)
    }

    @Test func refusalsNameS3sCode() async throws {
        let moto = try MotoS3.shared()
        let bucket = try Self.createdBucket(on: moto)
        let harness = try DestinationHarness()
        let cases: [(overrides: [String: String], code: String)] = [
            (["bucketName": Self.freshBucket()], "NoSuchBucket: The specified bucket does not exist"),
            (["secretAccessKey": "wrong"], "SignatureDoesNotMatch"),
            (["accessKeyId": "AKIANOSUCHKEY"], "InvalidAccessKeyId"),
        ]
        for (overrides, code) in cases {
            let failure = try await write(events([0]), sequence: 1, to: bucket, on: moto, overrides, harness: harness)
            #expect(failure?.description.contains(code) == true, "expected \(code), got \(String(describing: failure))")
        }
        #expect(try moto.objects(in: bucket).isEmpty)
        #expect(try await harness.finish() == 0)
    }

    @Test func missingCredentialsFailTheWrite() async throws {
        let harness = try DestinationHarness()
        let connector = Connector(id: 2, connectorName: "nocreds", connectorType: "SINK", storageType: .s3,
                                  config: ["bucketName": "events", "region": "us-east-1", "endpoint": "http://127.0.0.1:9"],
                                  filter: ["accelbyte": ["login"]], active: true, createdAt: "", updatedAt: "")
        let sink = S3Sink(connector: connector, context: harness.context, environment: [:])
        let failure = try await harness.write(sink, SinkBatch(connector: connector, node: "node1", sequence: 1, events: events([0])))
        #expect(failure?.description.contains("AWS_ACCESS_KEY_ID") == true, "\(String(describing: failure))")
        #expect(try await harness.finish() == 0)
    }

    @Test func factoryRefusesStorageTypesWithoutASink() async throws {
        let harness = try DestinationHarness()
        for storage in [Connector.StorageType.redshift, .snowflake] {
            let connector = Connector(id: 3, connectorName: "other", connectorType: "SINK", storageType: storage, config: [:],
                                      filter: [:], active: true, createdAt: "", updatedAt: "")
            #expect(throws: SinkFailure.self) { try ConnectorSinks.make(connector, context: harness.context) }
        }
        #expect(try await harness.finish() == 0)
    }
}
