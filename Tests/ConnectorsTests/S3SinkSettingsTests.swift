@testable import Connectors
import Pipeline
import Testing

@Suite struct S3SinkSettingsTests {
    private let required = ["bucketName": "events", "region": "eu-west-1"]
    private let environment = ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret",
                               "AWS_ENDPOINT_URL": "http://generic:9000", "AWS_ENDPOINT_URL_S3": "http://s3only:9000"]

    private func failure(_ config: [String: String], _ environment: [String: String]) -> String? {
        do throws(SinkFailure) { _ = try S3SinkSettings(config: config, environment: environment) } catch { return error.description }
        return nil
    }

    @Test func configWinsOverTheEnvironment() throws {
        let config = required.merging(["endpoint": "http://minio:9000/", "accessKeyId": "KEY", "secretAccessKey": "secret",
                                       "customPath": "{topic}.json", "realm": "prod", "customPartitionDuration": "60",
                                       "partSize": "6000000"]) { $1 }
        let settings = try S3SinkSettings(config: config, environment: environment)
        #expect(settings.endpoint == (try HTTPURL(parsing: "http://minio:9000/")))
        #expect(settings.accessKeyID == "KEY" && settings.secretAccessKey == "secret")
        #expect(settings.path == S3ObjectPath(template: "{topic}.json", realm: "prod", partitionMinutes: 60))
        #expect(settings.partSize == 6_000_000)
    }

    @Test func environmentFillsWhatTheConfigLeavesOut() throws {
        let settings = try S3SinkSettings(config: required, environment: environment)
        #expect(settings.endpoint == (try HTTPURL(parsing: "http://s3only:9000")))
        #expect(settings.accessKeyID == "ENVKEY" && settings.secretAccessKey == "envsecret")
        #expect(settings.path == S3ObjectPath())
        #expect(settings.partSize == ConnectorDraft.minimumPartSize)
        var generic = environment
        generic["AWS_ENDPOINT_URL_S3"] = nil
        #expect(try S3SinkSettings(config: required, environment: generic).endpoint == HTTPURL(parsing: "http://generic:9000"))
    }

    @Test func missingEndpointOrCredentialsAreNamed() {
        let credentials = ["accessKeyId": "KEY", "secretAccessKey": "secret"]
        #expect(failure(required.merging(credentials) { $1 }, [:])?.contains("AWS_ENDPOINT_URL_S3") == true)
        #expect(failure(required.merging(["endpoint": "http://minio:9000"]) { $1 }, [:])?.contains("AWS_ACCESS_KEY_ID") == true)
        #expect(failure(required.merging(["endpoint": "https://s3.amazonaws.com"]) { $1 }, environment)?.contains("https is not supported") == true)
    }
}
