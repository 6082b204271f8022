import Foundation
import Synchronization

/// moto's S3 server (PyPI `moto[server]`) for the S3 destination tests, with IAM authentication on, so that moto
/// checks every signature (`SignatureDoesNotMatch`) and access key (`InvalidAccessKeyId`) as AWS does. Buckets are
/// created and objects read back with boto3, an implementation independent of the code under test.
public final class MotoS3: Sendable {
    public let port: Int
    /// The one access key moto knows: an IAM user allowed everything, made while authentication is still off.
    public let accessKeyID: String
    public let secretAccessKey: String
    private let service: ServiceProcess

    private static let sharedServer = Mutex<Result<MotoS3, any Error>?>(nil)

    /// The server the tests of this process share, started on first use.
    public static func shared() throws -> MotoS3 {
        try sharedServer.withLock { server in
            if server == nil { server = Result { try MotoS3() } }
            return try server!.get()
        }
    }

    /// A server of its own, for a test that stops it.
    /// - Parameter authenticating: false leaves every request unchecked, for keys moto cannot verify a signature of:
    ///   it canonicalizes a path's `=` as `=`, where S3 and botocore sign `%3D` (boto3's own requests fail there too).
    public init(authenticating: Bool = true) throws {
        do {
            try ServiceProcess.run("/usr/bin/env", ["python3", "-c", "import moto.server, boto3"])
        } catch {
            throw ServiceError.failed("moto's S3 server is not installed: pip install 'moto[server]' (scripts/install-deps.sh test): \(error)")
        }
        port = try ServiceProcess.freePort()
        // The first three requests (the IAM calls below) are let through unauthenticated; every later one must be
        // signed with a key moto issued.
        service = try ServiceProcess(name: "moto", executable: "/usr/bin/env",
                                     arguments: ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                                     port: port, directory: ServiceProcess.makeDirectory("moto"),
                                     environment: authenticating ? ["INITIAL_NO_AUTH_ACTION_COUNT": "3"] : [:])
        let key = try Self.python(Self.createUser, [String(port)]).split(separator: " ")
        guard key.count == 2 else { throw ServiceError.failed("moto issued no access key: \(key)") }
        accessKeyID = String(key[0])
        secretAccessKey = String(key[1])
    }

    /// `http://127.0.0.1:<port>`, the endpoint a destination is configured with.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Stops the server; later requests are refused.
    public func stop() { service.stop() }

    /// Creates `bucket` (a fresh name per test keeps tests apart).
    public func createBucket(_ bucket: String) throws {
        try python(Self.createBucket, [bucket])
    }

    /// Every object of `bucket`: its key and its contents as text, gzip-compressed ones (`.gz`) decompressed.
    public func objects(in bucket: String) throws -> [String: String] {
        let json = try python(Self.readObjects, [bucket])
        return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    /// The ETag moto gives `key`: a multipart upload's ends in `-<parts>` (`"…-3"`), a PutObject's does not.
    public func etag(of key: String, in bucket: String) throws -> String {
        try python(Self.readETag, [bucket, key])
    }

    @discardableResult
    private func python(_ script: String, _ arguments: [String]) throws -> String {
        try Self.python(script, [String(port), accessKeyID, secretAccessKey] + arguments)
    }

    private static func python(_ script: String, _ arguments: [String]) throws -> String {
        try ServiceProcess.run("/usr/bin/env", ["python3", "-c", script] + arguments)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let createUser = """
        import boto3, json, sys
        iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="rivulet")
        iam.put_user_policy(UserName="rivulet", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="rivulet")["AccessKey"]
        print(key["AccessKeyId"], key["SecretAccessKey"])
        """

    private static let client = """
        import boto3, gzip, json, sys
        port, key, secret, bucket = sys.argv[1:5]
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id=key, aws_secret_access_key=secret)

        """

    private static let createBucket = client + "s3.create_bucket(Bucket=bucket)\n"

    private static let readETag = client + "print(s3.head_object(Bucket=bucket, Key=sys.argv[5])[\"ETag\"])\n"

    private static let readObjects = client + """
        objects = {}
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            objects[item["Key"]] = (gzip.decompress(body) if item["Key"].endswith(".gz") else body).decode()
        print(json.dumps(objects))
        """
}
