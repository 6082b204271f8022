import Foundation
import HTTP
import Testing
import TestSupport

/// Conformance of the server over real TCP on loopback.
@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        for _ in 0..<3 {
            try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.body == "hello")
            #expect(response.headers["connection"] == nil)
        }
        #expect(try await server.openConnections == 1)
        #expect(try await server.stop() == 0)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        // The slow request comes first: its answer must still be first.
        try connection.send("GET /slow?ms=150 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/7 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try connection.readResponse().body == "slow")
        #expect(try connection.readResponse().body == "item 7")
        #expect(try connection.readResponse().body == "abc")
        #expect(try await server.stop() == 0)
    }

    @Test func chunkedRequestBodyIsDechunked() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == "hello world")
        #expect(try await server.stop() == 0)
    }

    @Test func oversizedHeaderBlockIs431AndCloses() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 431)
        #expect(response.body.contains("\"message\""))
        #expect(response.headers["connection"] == "close")
        #expect(connection.waitForClose())
        #expect(try await server.stop() == 0)
    }

    @Test func declaredOversizedBodyIs413BeforeTheBodyIsRead() async throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 1000
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.body.contains("1000 bytes"))
        #expect(try await server.stop() == 0)
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        #expect(try connection.readResponse().status == 413)
        #expect(try await server.stop() == 0)
    }

    @Test func malformedRequestIs400() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GARBAGE\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(response.body.contains("Malformed HTTP request"))
        #expect(try await server.stop() == 0)
    }

    @Test func aHeaderAfterAnEmptyValuedOneKeepsItsName() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /header/Authorization HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nAuthorization: Bearer t\r\n\r\n")
        #expect(try connection.readResponse().body == "Bearer t")
        #expect(try await server.stop() == 0)
    }

    @Test func chunkedTrailersDoNotLeakIntoTheNextRequest() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: secret\r\n\r\n")
        #expect(try connection.readResponse().body == "a")
        try connection.send("GET /header/X-Trailer HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().body == "-")
        #expect(try await server.stop() == 0)
    }

    @Test func aValidRequestBeforeGarbageInTheSameReadIsAnsweredFirst() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n")
        #expect(try connection.readResponse().body == "hello")
        #expect(try connection.readResponse().status == 400)
        #expect(try await server.stop() == 0)
    }

    @Test func aTricklingHeadIsCutAtTheHeaderTimeoutHoweverOftenBytesArrive() async throws {
        var limits = HTTPLimits()
        limits.headerTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        // One byte every 50 ms: each arrives well within the timeout, the head as a whole does not.
        let started = ContinuousClock.now
        for byte in "GET /hello HTTP/1.1\r\nHost: trickle.example\r\nX-Slow: ".utf8 {
            guard (try? connection.send([byte])) != nil else { break }
            try await Task.sleep(for: .milliseconds(50))
            if ContinuousClock.now - started > .seconds(2) { break }
        }
        #expect(try connection.readResponse().status == 408)
        #expect(try await server.stop() == 0)
    }

    @Test func aClientThatNeverReadsItsLastResponseIsCutOff() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        // More than the loopback socket buffers hold, so the write cannot finish while nobody reads.
        try connection.send("GET /big/64000000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try await server.waitForOpenConnections(1))
        #expect(try await server.waitForOpenConnections(0, seconds: 5))
        withExtendedLifetime(connection) {}
        #expect(try await server.stop() == 0)
    }

    @Test func unknownRouteIs404AndWrongMethodIs405WithAllow() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 404)
        try connection.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "GET")
        #expect(try await server.stop() == 0)
    }

    @Test func slowHeaderIsTimedOutWith408() async throws {
        var limits = HTTPLimits()
        limits.headerTimeout = .milliseconds(200)
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n")  // The head never ends.
        let response = try connection.readResponse()
        #expect(response.status == 408)
        #expect(connection.waitForClose())
        #expect(try await server.stop() == 0)
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(200)
        let server = try await TestServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(connection.waitForClose())
        #expect(try await server.waitForOpenConnections(0))
        #expect(try await server.stop() == 0)
    }

    @Test func clientDisconnectingMidBodyLeaksNothing() async throws {
        let server = try await TestServer()
        do {
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
            #expect(try await server.waitForOpenConnections(1))
        }  // The connection closes here, mid-body.
        #expect(try await server.waitForOpenConnections(0))
        #expect(try await server.stop() == 0)
    }

    @Test func clientDisconnectingDuringHandlerLeaksNothing() async throws {
        let server = try await TestServer()
        do {
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await server.waitForOpenConnections(1))
        }
        #expect(try await server.waitForOpenConnections(0))
        #expect(try await server.stop() == 0)
    }

    @Test func http10WithoutKeepAliveCloses() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /hello HTTP/1.0\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.body == "hello")
        #expect(connection.waitForClose())
        #expect(try await server.stop() == 0)
    }

    @Test func expectContinueIsAnswered() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.readResponse().status == 100)
        try connection.send("ok")
        #expect(try connection.readResponse().body == "ok")
        #expect(try await server.stop() == 0)
    }

    @Test func thousandConcurrentConnectionsAreAllServed() async throws {
        let server = try await TestServer()
        let connections = try (0..<1000).map { _ in try RawConnection(port: server.port) }
        for connection in connections { try connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") }
        var served = 0
        for connection in connections where try connection.readResponse().body == "hello" { served += 1 }
        #expect(served == 1000)
        #expect(try await server.openConnections == 1000)
        #expect(try await server.stop() == 0)
    }

    @Test func drainLetsTheRequestInFlightFinishWithConnectionClose() async throws {
        let server = try await TestServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await server.waitForSlowRequests(1))  // In flight; an unread request could be closed as idle.
        let stopping = Task { try await server.stop() }
        let response = try connection.readResponse()
        #expect(response.body == "slow")
        #expect(response.headers["connection"] == "close")
        #expect(try await stopping.value == 0)
    }
}
