import Cluster
@testable import Connectors
import Foundation
import Logging
import NodeConfig
import Testing
import TestSupport

/// One task over a real topic log, with a real state database and the S3 sink writing to moto: the flush that
/// `flushInterval` triggers (with a shortened minute), and offsets and the flush sequence committed after each.
@Suite struct ConnectorTaskTests {
    private let login = TopicName(eventType: "justice_event", namespace: "game1", topic: "login")

    @Test func aTaskFlushesWhatItHasOnceTheIntervalPassesAndCommitsAfterEachFlush() async throws {
        let moto = try MotoS3.shared()
        let bucket = "rivulet-\(UInt32.random(in: 0...UInt32.max))"
        try moto.createBucket(bucket)
        let harness = try DestinationHarness()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-task-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let connector = Connector(
            id: 9, connectorName: "interval", connectorType: "SINK", storageType: .s3,
            config: ["eventType": "justice_event", "flushInterval": "1", "flushSize": "100", "bucketName": bucket, "region": "us-east-1",
                     "endpoint": moto.endpoint, "accessKeyId": moto.accessKeyID, "secretAccessKey": moto.secretAccessKey,
                     "customPath": "{topic}/{topic}.json", "customPartitionDuration": "15", "partSize": "5242880"],
            filter: ["game1": ["login"]], active: true, createdAt: "", updatedAt: "")
        let (login, context) = (login, harness.context)
        let committed = try await harness.loopHarness.onLoop { () async throws -> [(UInt64?, UInt64)] in
            let store = try await TopicStore.open(directory: directory + "/topics", settings: TopicSettings(), loop: context.loop, logger: Logger(label: "test"))
            let state = try await StateStore.open(path: directory + "/state.sqlite", loop: context.loop)
            let offsets = try await ConnectorOffsets.load(from: state)
            let log = try await store.logForAppending(login)
            func append(_ numbers: Range<Int>) async throws {
                _ = try await log.append(numbers.map { TopicRecord.encode(ingestedAt: 1_795_428_000_000, json: Array(#"{"n":\#($0)}"#.utf8)) })
                store.didAppend()
            }
            let task = try ConnectorTask(connector: connector, node: "node1", store: store, offsets: offsets,
                                         sink: try ConnectorSinks.make(connector, context: context), logger: Logger(label: "test"),
                                         minute: .milliseconds(300))
            task.start()
            var seen: [(UInt64?, UInt64)] = []
            try await append(0..<5)
            // Far fewer than flushSize: nothing is written before the interval.
            try await Task.sleep(for: .milliseconds(100))
            seen.append((offsets.offset(of: 9, in: login), offsets.sequence(of: 9)))
            try await Task.sleep(for: .seconds(2))
            seen.append((offsets.offset(of: 9, in: login), offsets.sequence(of: 9)))
            try await append(5..<8)
            try await Task.sleep(for: .seconds(2))
            seen.append((offsets.offset(of: 9, in: login), offsets.sequence(of: 9)))
            await task.stop()
            await store.close()
            try await state.closeAndWait()
            return seen
        }
        _ = try await harness.finish()
        #expect(committed.map(\.0) == [nil, 5, 8])
        #expect(committed.map(\.1) == [0, 1, 2])
        let objects = try moto.objects(in: bucket)
        #expect(objects.keys.sorted() == ["login/login-node1-000000.json", "login/login-node1-000001.json"], "\(objects.keys)")
        #expect(objects["login/login-node1-000000.json"] == (0..<5).map { #"{"n":\#($0)}"# + "\n" }.joined())
        #expect(objects["login/login-node1-000001.json"] == (5..<8).map { #"{"n":\#($0)}"# + "\n" }.joined())
    }
}
