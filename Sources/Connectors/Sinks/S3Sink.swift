import Foundation
import Loop
import Pipeline

/// A KAFKA_S3 connector's sink: each batch becomes one JSON-lines object per object key (topic and time partition,
/// `S3ObjectPath`), written whole by PutObject or, above `partSize`, by a multipart upload.
///
/// A batch's objects are written one after another; when one fails the write throws and the task retries the whole
/// batch with the same sequence, which rewrites the same keys, so objects written before the failure are replaced,
/// not duplicated. Loop-bound: `write` runs on the loop, and bodies of large batches are built off it.
public final class S3Sink: ConnectorSink {
    /// The bucket, or why the connector's settings cannot reach one (no endpoint, no credentials), which every
    /// write reports, so the connector's status shows it.
    private let target: Result<Target, SinkFailure>

    private struct Target: Sendable {
        let bucket: S3Bucket
        let settings: S3SinkSettings
    }

    /// Batches with fewer JSON bytes than this are turned into objects on the loop: the hop to a background thread
    /// costs more than the work.
    private static let inlineBytes = 64 << 10

    /// - Parameter environment: the node's, for credentials and the endpoint the config leaves out.
    init(connector: Connector, context: DestinationContext, environment: [String: String] = ProcessInfo.processInfo.environment) {
        target = Result { () throws(SinkFailure) in
            let settings = try S3SinkSettings(config: connector.config, environment: environment)
            let bucket = S3Bucket(endpoint: settings.endpoint, name: settings.bucket, region: settings.region,
                                  accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey, http: context.http)
            return Target(bucket: bucket, settings: settings)
        }
    }

    /// Stores every event of `batch`, or throws S3's code and message (`NoSuchBucket: The specified bucket does not
    /// exist (...)`) or the connection error.
    public func write(_ batch: SinkBatch) async throws(SinkFailure) {
        let target = try self.target.get()
        guard !batch.events.isEmpty else { return }
        let settings = target.settings
        let objects: [S3Object]
        if batch.events.reduce(0, { $0 + $1.json.count }) < Self.inlineBytes {
            objects = Self.objects(of: batch, settings: settings)
        } else {
            do {
                objects = try await BackgroundWork.shared.run { Self.objects(of: batch, settings: settings) }
            } catch {
                throw SinkFailure("building the batch's objects failed: \(error)")
            }
        }
        for object in objects {
            let location = "s3://\(settings.bucket)/\(object.key)"
            do {
                try await target.bucket.store(object)
            } catch .refused(let status, let code, let message) {
                throw SinkFailure("\(code): \(message) (S3 answered \(status) to writing \(location))")
            } catch {
                throw SinkFailure("writing \(location): \(error)")
            }
        }
    }

    /// Nothing to release: requests go through the node's HTTP client, which the node closes.
    public func close() async {}

    /// The batch's events as JSON lines (each event's JSON and a newline), one object per group key in order of
    /// first appearance, each event in its group in batch order. CPU work: hashing the bodies dominates.
    static func objects(of batch: SinkBatch, settings: S3SinkSettings) -> [S3Object] {
        var order: [String] = []
        var bodies: [String: [UInt8]] = [:]
        // Partitions are whole minutes, so events of one topic and minute share a key: filling the template once
        // per minute rather than per event (it dominated a flush's time).
        struct Minute: Hashable { let topic: TopicName; let minute: Int64 }
        var keys: [Minute: String] = [:]
        for event in batch.events {
            let minute = Minute(topic: event.topic, minute: event.ingestedAt >= 0 ? event.ingestedAt / 60_000 : (event.ingestedAt + 1) / 60_000 - 1)
            let group = keys[minute] ?? settings.path.groupKey(topic: event.topic, ingestedAt: event.ingestedAt)
            keys[minute] = group
            if bodies[group] == nil { order.append(group) }
            bodies[group, default: []].append(contentsOf: event.json)
            bodies[group, default: []].append(UInt8(ascii: "\n"))
        }
        return order.map { group in
            S3Object(key: S3ObjectPath.objectKey(group: group, node: batch.node, sequence: batch.sequence), body: bodies[group]!,
                     contentType: "application/x-ndjson", partSize: settings.partSize)
        }
    }
}
