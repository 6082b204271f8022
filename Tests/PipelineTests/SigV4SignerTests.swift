@testable import Pipeline
import Testing

/// AWS's published examples: "get-vanilla", "post-x-www-form-urlencoded" and the "get-vanilla-query-…" cases of the
/// Signature Version 4 test suite, and the PutObject, GET lifecycle and list-objects examples of the S3 "Signature
/// Calculations for the Authorization Header" page. The expected signatures were checked with botocore's `SigV4Auth`
/// and `S3SigV4Auth`, which also gave the two multipart ones (AWS publishes none).
@Suite struct SigV4SignerTests {
    private let suiteSigner = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                          region: "us-east-1", service: "service")

    @Test func getVanillaMatchesTheTestSuite() {
        let authorization = suiteSigner.authorization(
            method: "GET", path: "/",
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: SigV4Signer.hexSHA256([]), amzDate: "20150830T123600Z")
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func postFormMatchesTheTestSuite() {
        let authorization = suiteSigner.authorization(
            method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"),
                      ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: SigV4Signer.hexSHA256(Array("Param1=value1".utf8)), amzDate: "20150830T123600Z")
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test func s3PutObjectMatchesTheS3Example() {
        let signer = SigV4Signer(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 region: "us-east-1", service: "s3")
        let payloadHash = SigV4Signer.hexSHA256(Array("Welcome to Amazon S3.".utf8))
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let authorization = signer.authorization(
            method: "PUT", path: SigV4Signer.encodePath("/test$file.text"),
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                      ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                      ("x-amz-content-sha256", payloadHash)],
            payloadHash: payloadHash, amzDate: "20130524T000000Z")
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func queryParametersAreSortedAndEncodedAsTheTestSuite() {
        let cases: [(query: [(name: String, value: String)], signature: String)] = [
            ([("Param2", "value2"), ("Param1", "value1")], "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
            ([(Self.unreserved, Self.unreserved)], "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
            ([("\u{1234}", "bar")], "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        ]
        for (query, signature) in cases {
            let authorization = suiteSigner.authorization(
                method: "GET", path: "/", query: query,
                headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                payloadHash: SigV4Signer.hexSHA256([]), amzDate: "20150830T123600Z")
            #expect(authorization.hasSuffix("Signature=\(signature)"), "\(query)")
        }
    }

    @Test func s3QueriesMatchTheS3ExamplesAndBotocore() {
        let signer = SigV4Signer(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 region: "us-east-1", service: "s3")
        let emptyHash = SigV4Signer.hexSHA256([])
        let cases: [(query: [(name: String, value: String)], signature: String)] = [
            ([("lifecycle", "")], "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            ([("prefix", "J"), ("max-keys", "2")], "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            ([("uploads", "")], "e6c75e442439ff873c8a8a2c93dc417115836fd3ddec277102338a359b043887"),
            ([("uploadId", "a/b+c"), ("partNumber", "2")], "7dc96ce6ba44cfbf3ea86fcfc16f50cfd42dec824273ec258dcc0a322af41819"),
        ]
        for (query, signature) in cases {
            let authorization = signer.authorization(
                method: "GET", path: "/", query: query,
                headers: [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                          ("x-amz-content-sha256", emptyHash)],
                payloadHash: emptyHash, amzDate: "20130524T000000Z")
            #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=\(signature)", "\(query)")
        }
    }

    @Test func canonicalQueryEncodesSlashesAndKeepsEmptyValues() {
        #expect(SigV4Signer.canonicalQuery([]) == "")
        #expect(SigV4Signer.canonicalQuery([("uploads", "")]) == "uploads=")
        #expect(SigV4Signer.canonicalQuery([("uploadId", "a/b+c d"), ("partNumber", "10")]) == "partNumber=10&uploadId=a%2Fb%2Bc%20d")
        #expect(SigV4Signer.canonicalQuery([("a", "2"), ("a", "1"), ("B", "x")]) == "B=x&a=1&a=2")
    }

    private static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    @Test func pathEncodingKeepsUnreservedCharactersAndSlashes() {
        #expect(SigV4Signer.encodePath("/b/events/2026/x-y_z.~1.jsonl") == "/b/events/2026/x-y_z.~1.jsonl")
        #expect(SigV4Signer.encodePath("/a b/é+$") == "/a%20b/%C3%A9%2B%24")
    }

    @Test func amzDateIsUTCBasicFormat() {
        #expect(SigV4Signer.amzDate(secondsSince1970: 1_440_938_160) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(secondsSince1970: 0) == "19700101T000000Z")
    }
}
