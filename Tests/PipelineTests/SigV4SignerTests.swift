@testable import Pipeline
import Testing

/// AWS's published examples: "get-vanilla" and "post-x-www-form-urlencoded" of the Signature Version 4 test suite,
/// and the PutObject example of the S3 "Signature Calculations for the Authorization Header" page. The expected
/// signatures were checked with botocore's `SigV4Auth` and `S3SigV4Auth`.
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

    @Test func pathEncodingKeepsUnreservedCharactersAndSlashes() {
        #expect(SigV4Signer.encodePath("/b/events/2026/x-y_z.~1.jsonl") == "/b/events/2026/x-y_z.~1.jsonl")
        #expect(SigV4Signer.encodePath("/a b/é+$") == "/a%20b/%C3%A9%2B%24")
    }

    @Test func amzDateIsUTCBasicFormat() {
        #expect(SigV4Signer.amzDate(secondsSince1970: 1_440_938_160) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(secondsSince1970: 0) == "19700101T000000Z")
    }
}
