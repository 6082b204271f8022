@testable import Pipeline
import Testing

@Suite struct HTTPURLTests {
    /// Host, port, authority and target of `text`, space-separated.
    private func parts(_ text: String) throws -> String {
        let url = try HTTPURL(parsing: text)
        return "\(url.host) \(url.port) \(url.authority) \(url.target)"
    }

    @Test func splitsHostPortAndTarget() throws {
        #expect(try parts("http://hooks.example:8080/in/events?key=1") == "hooks.example 8080 hooks.example:8080 /in/events?key=1")
        #expect(try parts("HTTP://example.com") == "example.com 80 example.com /")
        #expect(try parts("http://[::1]:9000?x=1") == "::1 9000 [::1]:9000 /?x=1")
    }

    @Test func httpsIsRefusedForLackOfTLS() {
        #expect(throws: HTTPURLError.tlsUnsupported("https://example.com/")) { try HTTPURL(parsing: "https://example.com/") }
    }

    @Test func malformedURLsAreRefused() {
        for text in ["ftp://example.com", "http://", "http://host:0/", "http://host:http/", "http://a b/", "http://user@host/"] {
            #expect(throws: HTTPURLError.self, "\(text)") { try HTTPURL(parsing: text) }
        }
    }
}
