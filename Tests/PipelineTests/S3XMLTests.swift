import HTTP
@testable import Pipeline
import Testing

@Suite struct S3XMLTests {
    @Test func elementReadsTheFirstMatchDecoded() {
        let xml = "<InitiateMultipartUploadResult><Key>a&amp;b</Key><UploadId>x&lt;1&gt;</UploadId><UploadId>2</UploadId></InitiateMultipartUploadResult>"
        #expect(S3XML.element("UploadId", in: xml) == "x<1>")
        #expect(S3XML.element("Key", in: xml) == "a&b")
        #expect(S3XML.element("Bucket", in: xml) == nil)
        #expect(S3XML.element("Code", in: "<Code>&amp;lt;</Code>") == "&lt;")
    }

    @Test func escapedTextReadsBackUnchanged() {
        for text in [#""3858f62230ac3c915f300c664312c11f""#, "a&b<c>'d'", "&amp;"] {
            #expect(S3XML.element("ETag", in: "<ETag>\(S3XML.escaped(text))</ETag>") == text)
        }
    }

    @Test func completionListsEveryPartInOrder() {
        #expect(S3Bucket.completionXML(etags: [#""a""#, #""b""#]) == "<CompleteMultipartUpload>"
            + "<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>")
    }

    @Test func errorInsideA200IsWorthRetrying() {
        let late = HTTPResponse(status: .ok, body: Array("<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>".utf8))
        #expect(S3Error(response: late) == .unreachable("S3 answered 200 InternalError: We encountered an internal error."))
        let refused = HTTPResponse(status: .notFound, body: Array("<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>".utf8))
        #expect(S3Error(response: refused) == .refused(status: 404, code: "NoSuchBucket", message: "gone"))
    }

    @Test func largeBodiesAreCutIntoParts() {
        let object = S3Object(key: "k", body: Array(repeating: 7, count: 25), contentType: "text/plain", partSize: 10)
        #expect(object.parts.map(\.body.count) == [10, 10, 5])
        #expect(S3Object(key: "k", body: Array(repeating: 7, count: 10), contentType: "text/plain", partSize: 10).parts.count == 1)
        #expect(S3Object(key: "k", body: [], contentType: "text/plain").parts.map(\.body) == [[]])
    }
}
