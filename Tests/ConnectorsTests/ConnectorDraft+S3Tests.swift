@testable import Connectors
import Testing

@Suite struct ConnectorDraftS3Tests {
    private let base = ["eventType": "justice_event", "flushInterval": "1", "flushSize": "100", "bucketName": "events", "region": "us-east-1"]

    private func refusal(_ extra: [String: String]) -> String? {
        do throws(ConnectorDraft.Refusal) { _ = try ConnectorDraft.checked(base.merging(extra) { $1 }, for: .s3) } catch { return error.description }
        return nil
    }

    @Test func optionalKeysPassWhenValid() {
        #expect(refusal([:]) == nil)
        #expect(refusal(["endpoint": "http://minio:9000", "accessKeyId": "KEY", "secretAccessKey": "secret", "realm": "prod",
                         "customPath": "{namespace}/{topic}/{yyyy}-{MM}-{dd}T{hh}{mm}.json"]) == nil)
    }

    @Test func badOptionalKeysAreRefusedByName() {
        #expect(refusal(["endpoint": "https://s3.amazonaws.com"])?.hasPrefix("config.endpoint: ") == true)
        #expect(refusal(["endpoint": "http://minio:9000?x=1"])?.contains("must not have a query") == true)
        #expect(refusal(["accessKeyId": "KEY"])?.contains("config.secretAccessKey") == true)
        #expect(refusal(["customPath": "{topic}/{year}.json"])?.contains("unknown placeholder {year}") == true)
    }
}
