import Foundation
import Testing
import TestSupport

/// The built `rivulet` executable as a real OS process.
@Suite(.serialized) struct NodeProcessTests {
    private static let config = """
        server:
          name: it-node
          host: 127.0.0.1
          port: 0
          admin_token: it-token
          http:
            drain_timeout: 5s
        cluster:
          bind: 127.0.0.1:0
        logging:
          level: debug
        """

    @Test func servesHealthAndGuardsTheClusterRoute() throws {
        let node = try NodeProcess(yaml: Self.config)
        defer { node.terminate() }
        let connection = try RawConnection(port: node.httpPort)
        try connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().body == #"{"status":"ok","instance":"it-node"}"#)
        try connection.send("GET /api/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 401)
        try connection.send("GET /api/v1/cluster HTTP/1.1\r\nHost: x\r\nX-Admin-Token: it-token\r\n\r\n")
        let cluster = try connection.readResponse()
        #expect(cluster.status == 200)
        #expect(cluster.body.contains(#""name":"it-node""#))
        #expect(cluster.body.contains(#""http":"127.0.0.1:\#(node.httpPort)""#))
        node.signal(SIGTERM)
        #expect(node.waitForExit() == 0, "log:\n\(node.log)")
    }

    @Test func sigtermLetsARequestInProgressComplete() throws {
        let node = try NodeProcess(yaml: Self.config)
        defer { node.terminate() }
        let connection = try RawConnection(port: node.httpPort)
        // A slow upload: the head and half the body now, the rest after SIGTERM has arrived.
        try connection.send("PUT /api/v1/cluster HTTP/1.1\r\nHost: x\r\nX-Admin-Token: it-token\r\nContent-Length: 10\r\n\r\n12345")
        usleep(100_000)  // Let the node read the first half before the signal; the assertion does not depend on it.
        node.signal(SIGTERM)
        #expect(waitFor { node.log.contains("draining") }, "log:\n\(node.log)")
        try connection.send("67890")
        let response = try connection.readResponse()
        #expect(response.status == 405)  // Answered by the router, not cut off.
        #expect(connection.waitForClose())  // Then the draining node closes the connection.
        #expect(node.waitForExit() == 0, "log:\n\(node.log)")
    }

    @Test func javaScriptCoreAndLibpqAreOpenedOnlyWhenFirstUsed() throws {
        let node = try NodeProcess(yaml: Self.config)
        defer { node.terminate() }
        func mapped() throws -> String {
            // /proc files report no size, so they are read to their end rather than by the size they claim.
            let maps = try #require(FileHandle(forReadingAtPath: "/proc/\(node.pid)/maps")).readDataToEndOfFile()
            let text = String(decoding: maps, as: UTF8.self)
            #expect(text.contains("libuv"))
            return text
        }
        let go = try node.request("POST", "/api/v1/templates/evaluate", body: #"{"expression":"{{.n}}","object":{"n":2}}"#, token: "it-token")
        #expect(go.body == #"{"result":"2","format":"go"}"#)
        #expect(try !mapped().contains("libjavascriptcoregtk"))
        #expect(try !mapped().contains("libpq"))
        let js = try node.request("POST", "/api/v1/templates/evaluate", body: #"{"expression":"$.n + 1","object":{"n":2}}"#, token: "it-token")
        #expect(js.body == #"{"result":"3","format":"javascript"}"#)
        #expect(try mapped().contains("libjavascriptcoregtk"))
        // Testing a PostgreSQL destination opens libpq, even when no server answers.
        let test = try node.request("POST", "/api/v1/destinations/test", body: #"{"type":"postgres","datasource":{"host":"127.0.0.1","port":1,"db":"d","username":"u"}}"#, token: "it-token")
        #expect(test.status == 400)
        #expect(test.body.contains("unable to connect to your destination"))
        #expect(try mapped().contains("libpq"))
    }

    @Test func badConfigurationFailsAtStartNamingTheKey() throws {
        #expect(throws: NodeProcessError.self) { try NodeProcess(yaml: "server:\n  prot: 1\n", timeout: 10) }
        do {
            _ = try NodeProcess(yaml: "server:\n  prot: 1\n", timeout: 10)
        } catch let NodeProcessError.didNotStart(log) {
            #expect(log.contains("server.prot"))
        }
    }

    @Test func versionCommandPrintsTheVersion() throws {
        let process = Process()
        let output = Pipe()
        process.executableURL = NodeProcess.executable
        process.arguments = ["version"]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).hasPrefix("rivulet "))
        #expect(process.terminationStatus == 0)
    }

    @Test func evaluateCommandRunsTheTemplateEngineOffline() throws {
        let event = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-event-\(UUID().uuidString).json")
        try #"{"event_type":"Page View","n":2}"#.write(to: event, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: event) }
        let process = Process()
        let output = Pipe()
        process.executableURL = NodeProcess.executable
        process.arguments = ["evaluate", "--expression", "{{.event_type}}", "--object", event.path, "--reformat"]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == #"{"result":"page_view","format":"go"}"# + "\n")
        #expect(process.terminationStatus == 0)
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    private func waitFor(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return false
    }
}
