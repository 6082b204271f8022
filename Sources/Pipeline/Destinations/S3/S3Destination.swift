import Foundation
import HTTP
import Loop

/// Rows as JSON-lines objects in an S3 bucket (or an S3-compatible server), one object per table per `store` call,
/// keyed by table and UTC date (`S3Object.key`). Requests are signed with AWS Signature Version 4 and sent over the
/// node's HTTP client, which speaks plain HTTP only: the endpoint must be an `http://` URL (see `Settings.endpoint`).
///
/// An object is written whole or not at all, so a failed `store` leaves nothing half committed: connection errors
/// and 5xx answers are `.unreachable` (retried later), and a refusal (4xx: `AccessDenied`, `NoSuchBucket`,
/// `SignatureDoesNotMatch`) rejects every row with S3's code and message, since it is about the bucket, not a row.
public final class S3Destination: Destination, @unchecked Sendable {
    public let id: String
    private let settings: Settings
    private let bucket: S3Bucket
    private let work: WorkQueue

    /// Milliseconds `testConnection` waits for each answer, inside the caller's 10 s deadline.
    private static let testReadTimeout: UInt64 = 4000

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        self.settings = settings
        bucket = S3Bucket(endpoint: settings.endpoint, name: settings.bucket, region: settings.region,
                          accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey, http: context.http)
        work = WorkQueue(loop: context.loop)
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        guard !batch.rows.isEmpty else { return .allStored }
        let key = S3Object.key(folder: settings.folder, table: batch.table, secondsSince1970: Int64(Date().timeIntervalSince1970),
                               suffix: Self.randomSuffix(), gzip: settings.gzip)
        let rows = batch.rows.map(\.columns.dictionary)
        let object: S3Object
        let gzip = settings.gzip
        do {
            object = try await work.run { try S3Object.jsonLines(rows, key: key, gzip: gzip) }
        } catch {
            // Only a lack of memory fails compression, and the loop stopping cancels the work: neither is the rows' fault.
            return .unreachable("\(error)")
        }
        do {
            try await bucket.store(object)
            return .allStored
        } catch .unreachable(let reason) {
            return .unreachable(reason)
        } catch {
            let reason = error.description
            return .stored(rejected: Dictionary(uniqueKeysWithValues: batch.rows.indices.map { ($0, reason) }))
        }
    }

    /// Writes and deletes a small object under the folder: proves the endpoint answers, the credentials sign
    /// correctly, the bucket exists and the key may write there.
    public func testConnection() async throws(DestinationFailure) {
        let name = "rivulet-connection-test-\(Self.randomSuffix()).txt"
        let key = settings.folder.isEmpty ? name : "\(settings.folder)/\(name)"
        do {
            try await bucket.store(S3Object(key: key, body: Array("rivulet connection test\n".utf8), contentType: "text/plain"),
                                   readTimeout: Self.testReadTimeout)
            try await bucket.delete(key: key, readTimeout: Self.testReadTimeout)
        } catch {
            throw DestinationFailure(error.description)
        }
    }

    public func close() async {}

    /// Eight hex digits, so two objects of one table and second get different keys.
    private static func randomSuffix() -> String {
        String(format: "%08x", UInt32.random(in: 0...UInt32.max))
    }
}
