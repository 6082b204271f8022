import NodeConfig
@testable import Pipeline
import Testing

@Suite struct S3SettingsTests {
    private func s3(_ overrides: [String: ConfigValue]) -> [String: ConfigValue] {
        ["type": .string("s3"),
         "s3": .map(["access_key_id": .string("AKID"), "secret_access_key": .string("secret"), "bucket": .string("events"),
                     "endpoint": .string("http://127.0.0.1:9000")].merging(overrides) { $1 })]
    }

    @Test func readsJitsuKeys() throws {
        let config = try DestinationConfig.testing(s3(["region": .string("eu-west-1"), "folder": .string("/raw/rivulet/"),
                                                       "format": .string("json"), "compression": .string("gzip")]))
        guard case .s3(let settings) = config.settings else { Issue.record("not s3: \(config.settings)"); return }
        #expect(settings.region == "eu-west-1")
        #expect(settings.folder == "raw/rivulet")
        #expect(settings.gzip)
        #expect(settings.endpoint.authority == "127.0.0.1:9000")
    }

    @Test func httpsEndpointsFailAtConfigTime() {
        #expect(throws: ConfigError.self) { try DestinationConfig.testing(s3(["endpoint": .string("https://minio:9000")])) }
        let missing = #expect(throws: ConfigError.self) { try DestinationConfig.testing(s3(["endpoint": .null])) }
        #expect(missing?.path == "destinations.test.s3.endpoint")
        #expect(missing?.description.contains("https://s3.us-east-1.amazonaws.com") == true)
    }

    @Test func unknownKeysAndValuesFail() {
        let unknown = #expect(throws: ConfigError.self) { try DestinationConfig.testing(s3(["buckt": .string("x")])) }
        #expect(unknown?.path == "destinations.test.s3.buckt")
        let format = #expect(throws: ConfigError.self) { try DestinationConfig.testing(s3(["format": .string("csv")])) }
        #expect(format?.path == "destinations.test.s3.format")
        let compression = #expect(throws: ConfigError.self) { try DestinationConfig.testing(s3(["compression": .string("zstd")])) }
        #expect(compression?.path == "destinations.test.s3.compression")
    }

    @Test func objectKeysAreDatedByTable() {
        // 2026-11-23T09:05:07Z
        let seconds: Int64 = 1_795_424_707
        #expect(S3Object.key(folder: "raw", table: "clicks", secondsSince1970: seconds, suffix: "0a1b2c3d", gzip: true)
            == "raw/clicks/2026/11/23/clicks-20261123T090507Z-0a1b2c3d.jsonl.gz")
        #expect(S3Object.key(folder: "", table: "clicks", secondsSince1970: seconds, suffix: "0a1b2c3d", gzip: false)
            == "clicks/2026/11/23/clicks-20261123T090507Z-0a1b2c3d.jsonl")
    }
}
