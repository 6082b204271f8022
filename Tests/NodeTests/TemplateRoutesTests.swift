import Foundation
import Testing
import TestSupport

/// `POST /api/v1/templates/evaluate` on a live in-process node (evaluation runs on its work queue).
@Suite(.serialized) struct TemplateRoutesTests {
    private func evaluate(_ body: String, on node: LiveNode, token: String = "s3cret") throws -> RawResponse {
        let connection = try RawConnection(port: node.port)
        try connection.send("POST /api/v1/templates/evaluate HTTP/1.1\r\nHost: x\r\nX-Admin-Token: \(token)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return try connection.readResponse()
    }

    private func json(_ response: RawResponse) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(response.body.utf8))
    }

    @Test func evaluatesGoJavaScriptAndConstantsAsJitsuDoes() throws {
        let node = try LiveNode()
        defer { node.stop() }
        let object = #"{"app":"jitsu_cloud","user":{"id":"id"},"event_type":"site_page","n":3}"#
        let go = try evaluate(#"{"expression":"{{.event_type}}_{{.user.id}}","object":\#(object)}"#, on: node)
        #expect(go.status == 200)
        #expect(try json(go) == ["result": "site_page_id", "format": "go"])
        let js = try evaluate(#"{"expression":"$.event_type","object":\#(object)}"#, on: node)
        #expect(try json(js) == ["result": "site_page", "format": "javascript"])
        let jsObject = try evaluate(#"{"expression":"({a: $.n + 1})","object":\#(object)}"#, on: node)
        #expect(try json(jsObject) == ["result": "{\n   \"a\": 4\n}", "format": "javascript"])
        let constant = try evaluate(#"{"expression":"events_table","object":\#(object)}"#, on: node)
        #expect(try json(constant) == ["result": "events_table", "format": "constant"])
        let reformatted = try evaluate(#"{"expression":"{{.app}}-Events","object":\#(object),"reformat":true}"#, on: node)
        #expect(try json(reformatted)["result"] == "jitsu_cloud_events")
    }

    @Test func userErrorsAre400sWithTheFormat() throws {
        let node = try LiveNode()
        defer { node.stop() }
        let goError = try evaluate(#"{"expression":"{{if gt .n 2}}big{{end}}","object":{"n":3}}"#, on: node)
        #expect(goError.status == 400)
        let body = try json(goError)
        #expect(body["format"] == "go")
        #expect(body["message"]?.hasPrefix("error parsing template: template: expression:1:5: executing") == true, "\(body)")
        let timeout = try evaluate(#"{"expression":"while (true) {}","object":{}}"#, on: node)
        #expect(timeout.status == 400)
        #expect(try json(timeout)["format"] == "javascript")
        for bad in ["", "{nope", #"{"object":{}}"#, #"{"expression":"{{.a}}"}"#, #"{"expression":"{{.a}}","object":[1]}"#,
                    #"{"expression":"{{.a}}","object":{},"reformat":"yes"}"#] {
            let response = try evaluate(bad, on: node)
            #expect(response.status == 400, "\(bad) → \(response.status) \(response.body)")
            #expect(response.body.contains("\"message\""))
        }
        #expect(try evaluate(#"{"expression":"x","object":{}}"#, on: node, token: "wrong").status == 401)
    }

    @Test func aLongScriptDoesNotStallOtherRequests() throws {
        let node = try LiveNode()
        defer { node.stop() }
        let slow = try RawConnection(port: node.port)
        let body = #"{"expression":"while (true) {}","object":{}}"#
        try slow.send("POST /api/v1/templates/evaluate HTTP/1.1\r\nHost: x\r\nX-Admin-Token: s3cret\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        // While the script spins on the work queue until its 100 ms limit, the loop keeps answering: the health
        // check's answer comes well before the script's. A blocked loop would send both at the same moment.
        let health = try RawConnection(port: node.port)
        try health.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try health.readResponse().status == 200)
        let healthAnswered = Date()
        #expect(try slow.readResponse().status == 400)
        #expect(Date().timeIntervalSince(healthAnswered) > 0.02)
    }
}
