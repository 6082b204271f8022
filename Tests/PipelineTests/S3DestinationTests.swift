import Foundation
import NodeConfig
import Pipeline
import Templates
import Testing
import TestSupport

/// Against moto's S3 server with IAM authentication on, so wrong keys and bad signatures fail as on AWS; objects are
/// read back with boto3.
@Suite struct S3DestinationTests {
    private let events: [[String: JSONValue]] = [
        ["event_type": .string("click"), "user": .object(["id": .number(1)]), "tags": .array([.string("a")])],
        ["event_type": .string("view"), "user": .object(["id": .number(2)]), "_timestamp": .string("2026-11-23T10:00:00.000000000Z")],
    ]

    private func config(_ moto: MotoS3, bucket: String, _ overrides: [String: ConfigValue] = [:]) -> [String: ConfigValue] {
        ["type": .string("s3"),
         "s3": .map(["access_key_id": .string(moto.accessKeyID), "secret_access_key": .string(moto.secretAccessKey),
                     "bucket": .string(bucket), "endpoint": .string(moto.endpoint), "folder": .string("raw")]
            .merging(overrides) { $1 })]
    }

    private static func freshBucket() -> String { "rivulet-\(UInt32.random(in: 0...UInt32.max))" }

    /// Each line of `text` parsed, for comparison with the flattened rows.
    private func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    private func expectObjectHoldsRows(_ moto: MotoS3, bucket: String, suffix: String) throws {
        let objects = try moto.objects(in: bucket)
        try #require(objects.count == 1, "\(objects.keys)")
        let (key, text) = objects.first!
        let today = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        let day = String(format: "%04d/%02d/%02d", today.year!, today.month!, today.day!)
        #expect(key.hasPrefix("raw/clicks/\(day)/clicks-"), "\(key)")
        #expect(key.hasSuffix(suffix), "\(key)")
        #expect(try lines(text) == events.map { .object(Flattener.flatten($0).dictionary) })
    }

    @Test func objectLandsUnderDatedKeyAsJSONLines() async throws {
        let moto = try MotoS3.shared()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        let destination = try harness.make(config(moto, bucket: bucket))
        #expect(try await harness.store(destination, table: "clicks", events) == .allStored)
        try expectObjectHoldsRows(moto, bucket: bucket, suffix: ".jsonl")
        #expect(try await harness.finish() == 0)
    }

    @Test func gzipObjectDecodesToTheSameLines() async throws {
        let moto = try MotoS3.shared()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        let destination = try harness.make(config(moto, bucket: bucket, ["compression": .string("gzip")]))
        #expect(try await harness.store(destination, table: "clicks", events) == .allStored)
        try expectObjectHoldsRows(moto, bucket: bucket, suffix: ".jsonl.gz")
        #expect(try await harness.finish() == 0)
    }

    @Test func refusalsRejectEveryRowWithS3sCode() async throws {
        let moto = try MotoS3.shared()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        let cases: [(overrides: [String: ConfigValue], code: String)] = [
            (["bucket": .string(Self.freshBucket())], "NoSuchBucket"),
            (["secret_access_key": .string("wrong")], "SignatureDoesNotMatch"),
            (["access_key_id": .string("AKIANOSUCHKEY")], "InvalidAccessKeyId"),
        ]
        for (overrides, code) in cases {
            let destination = try harness.make(config(moto, bucket: bucket, overrides))
            guard case .stored(let rejected) = try await harness.store(destination, table: "clicks", events) else {
                Issue.record("\(code): expected rejections")
                continue
            }
            #expect(rejected.keys.sorted() == [0, 1], "\(code)")
            #expect(rejected.values.allSatisfy { $0.contains(code) }, "\(rejected)")
        }
        #expect(try moto.objects(in: bucket).isEmpty)
        #expect(try await harness.finish() == 0)
    }

    @Test func stoppedServerIsUnreachable() async throws {
        let moto = try MotoS3()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        let destination = try harness.make(config(moto, bucket: bucket))
        #expect(try await harness.store(destination, table: "clicks", events) == .allStored)
        moto.stop()
        guard case .unreachable(let reason) = try await harness.store(destination, table: "clicks", events) else {
            Issue.record("expected unreachable")
            return
        }
        #expect(reason.contains("127.0.0.1:\(moto.port)"), "\(reason)")
        #expect(try await harness.finish() == 0)
    }

    @Test func connectionTestWritesAndDeletesAnObject() async throws {
        let moto = try MotoS3.shared()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        #expect(try await harness.testConnection(harness.make(config(moto, bucket: bucket))) == nil)
        #expect(try moto.objects(in: bucket).isEmpty)
        #expect(try await harness.finish() == 0)
    }

    @Test func connectionTestNamesTheCause() async throws {
        let moto = try MotoS3.shared()
        let bucket = Self.freshBucket()
        try moto.createBucket(bucket)
        let closedPort = try ServiceProcess.freePort()
        let harness = try DestinationHarness()
        let cases: [(overrides: [String: ConfigValue], cause: String)] = [
            (["access_key_id": .string("AKIANOSUCHKEY")], "InvalidAccessKeyId"),
            (["secret_access_key": .string("wrong")], "SignatureDoesNotMatch"),
            (["bucket": .string(Self.freshBucket())], "NoSuchBucket"),
            (["endpoint": .string("http://127.0.0.1:\(closedPort)")], "ECONNREFUSED"),
            (["endpoint": .string("http://no-such-host.invalid:9000")], "cannot resolve no-such-host.invalid"),
        ]
        for (overrides, cause) in cases {
            let failure = try await harness.testConnection(harness.make(config(moto, bucket: bucket, overrides)))
            #expect(failure?.cause.contains(cause) == true, "expected \(cause), got \(String(describing: failure))")
        }
        #expect(try await harness.finish() == 0)
    }
}
