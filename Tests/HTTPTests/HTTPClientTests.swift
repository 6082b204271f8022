import HTTP
import Loop
import Testing
import TestSupport

@Suite(.serialized) struct HTTPClientTests {
    @Test func keepAliveReusesOneConnection() async throws {
        let server = try await TestServer()
        let port = server.port
        let bodies = try await server.harness.onLoop {
            let client = HTTPClient(loop: server.harness.loop)
            defer { client.shutdown() }
            var bodies: [String] = []
            for id in 1...3 {
                bodies.append(try await client.execute(HTTPRequest(method: .get, target: "/items/\(id)"), host: "127.0.0.1", port: port).bodyText)
            }
            bodies.append(try await client.execute(HTTPRequest(method: .post, target: "/echo", body: Array("payload".utf8)), host: "127.0.0.1", port: port).bodyText)
            #expect(server.server.openConnections == 1)
            return bodies
        }
        #expect(bodies == ["item 1", "item 2", "item 3", "payload"])
        #expect(try await server.stop() == 0)
    }

    @Test func chunkedResponseIsDechunked() async throws {
        let harness = try LoopHarness()
        let body = try await harness.onLoop {
            let raw = try TCPServer(loop: harness.loop)
            try raw.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { connection in
                connection.startReading { event in
                    guard case .data = event else { return connection.close() }
                    connection.write(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nrivu\r\n3\r\nlet\r\n0\r\n\r\n".utf8)) { _ in }
                }
            }
            let client = HTTPClient(loop: harness.loop)
            let response = try await client.execute(HTTPRequest(method: .get, target: "/"), host: "127.0.0.1", port: raw.localAddress!.port)
            client.shutdown()
            raw.close()
            return response.bodyText
        }
        #expect(body == "rivulet")
        #expect(await harness.finish() == 0)
    }

    @Test func slowResponseTimesOut() async throws {
        let server = try await TestServer()
        let port = server.port
        let error = try await server.harness.onLoop { () -> HTTPClientError? in
            let client = HTTPClient(loop: server.harness.loop)
            defer { client.shutdown() }
            do {
                _ = try await client.execute(HTTPRequest(method: .get, target: "/slow?ms=500"), host: "127.0.0.1", port: port, readTimeout: 50)
                return nil
            } catch let error as HTTPClientError { return error }
        }
        #expect(error == .readTimeout(address: "127.0.0.1:\(port)"))
        #expect(try await server.stop() == 0)
    }

    @Test func refusedConnectionIsReported() async throws {
        let harness = try LoopHarness()
        let error = try await harness.onLoop { () -> HTTPClientError? in
            let probe = try TCPServer(loop: harness.loop)
            try probe.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            let port = probe.localAddress!.port
            probe.close()
            do {
                _ = try await HTTPClient(loop: harness.loop).execute(HTTPRequest(method: .get, target: "/"), host: "127.0.0.1", port: port)
                return nil
            } catch let error as HTTPClientError { return error }
        }
        guard case .connectFailed(_, let cause) = error else { Issue.record("expected connectFailed, got \(String(describing: error))"); return }
        #expect(cause.name == "ECONNREFUSED")
        #expect(await harness.finish() == 0)
    }

    @Test func pooledConnectionClosedByServerIsReplaced() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(50)
        let server = try await TestServer(limits: limits)
        let port = server.port
        let client = try await server.harness.onLoop { HTTPClient(loop: server.harness.loop) }
        let first = try await server.harness.onLoop {
            try await client.execute(HTTPRequest(method: .get, target: "/hello"), host: "127.0.0.1", port: port).bodyText
        }
        #expect(try await server.waitForOpenConnections(0))  // The server closed the idle pooled connection.
        let second = try await server.harness.onLoop {
            defer { client.shutdown() }
            return try await client.execute(HTTPRequest(method: .get, target: "/hello"), host: "127.0.0.1", port: port).bodyText
        }
        #expect(first == "hello" && second == "hello")
        #expect(try await server.stop() == 0)
    }

    @Test func hostnamesAreResolved() async throws {
        let server = try await TestServer()
        let port = server.port
        let body = try await server.harness.onLoop {
            let client = HTTPClient(loop: server.harness.loop)
            defer { client.shutdown() }
            return try await client.execute(HTTPRequest(method: .get, target: "/hello"), host: "localhost", port: port).bodyText
        }
        #expect(body == "hello")
        #expect(try await server.stop() == 0)
    }
}
