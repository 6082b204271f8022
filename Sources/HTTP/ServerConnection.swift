import CHTTPParser
import Foundation
import Loop

/// One accepted connection: parses requests, runs them one at a time in arrival order (so pipelined requests are
/// answered in order), writes responses, and enforces the read and idle deadlines.
final class ServerConnection: @unchecked Sendable {
    private let tcp: TCPConnection
    private unowned let server: HTTPServer
    private let parser: MessageParser
    private let remoteAddress: SocketAddress?
    /// Requests parsed but not answered yet, and a final error response when parsing failed.
    private var queue: [Queued] = []
    private var inFlight = false
    private var peerClosed = false
    private var closing = false
    private var closeAfterResponse = false
    /// Loop time (ms) after which the connection is timed out; nil while a handler runs.
    private var deadline: UInt64?
    private var readingPaused = false
    /// Set when closing after an error: the client may still be sending a body we refused.
    private var lingerOnClose = false

    private enum Queued {
        case request(HTTPRequest)
        case failure(HTTPResponse)
    }

    init(tcp: TCPConnection, server: HTTPServer) {
        self.tcp = tcp
        self.server = server
        parser = MessageParser(kind: HTTP_REQUEST, maxHeaderBytes: server.limits.maxHeaderBytes, maxBodyBytes: server.limits.maxBodyBytes)
        remoteAddress = tcp.remoteAddress
        deadline = server.loop.now + server.limits.headerTimeoutMilliseconds
        parser.onExpectContinue = { [unowned self] in
            // Invite the body only when this request is next to be answered; otherwise it comes anyway.
            if !inFlight, queue.isEmpty, !parser.completedMessagesInFeed { tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) { _ in } }
        }
        tcp.onClose { [self] in server.connectionDidClose(self) }
        tcp.startReading { [unowned self] event in self.handle(event) }
    }

    private func handle(_ event: TCPConnection.ReadEvent) {
        switch event {
        case .data(let bytes):
            guard !closing else { return }  // Lingering after an error: discard.
            let wasInsideHead = parser.isInsideHead
            let (messages, failure) = parser.feed(bytes)
            for message in messages {
                queue.append(.request(HTTPRequest(method: message.method, target: message.target, headers: message.headers, body: message.body, keepAlive: message.keepAlive)))
            }
            if let failure { queue.append(.failure(errorResponse(for: failure))) }
            if !inFlight { armReadDeadline(headWasStarted: wasInsideHead) }
            if queue.count >= server.limits.maxPipelinedRequests { pauseReading() }
            answerNext()
        case .endOfFile, .failed:
            peerClosed = true
            if !inFlight && queue.isEmpty { tcp.close() }
        }
    }

    /// A request head must arrive whole within `header_timeout` of its first byte, however slowly it trickles
    /// (slowloris); a body may take longer but never pause for more than `header_timeout` (nginx's
    /// `client_header_timeout` and `client_body_timeout`); between requests the idle timeout applies.
    private func armReadDeadline(headWasStarted: Bool) {
        let now = server.loop.now
        if parser.isInsideHead {
            if !headWasStarted || deadline == nil { deadline = now + server.limits.headerTimeoutMilliseconds }
        } else if parser.isInsideMessage || !queue.isEmpty {
            deadline = now + server.limits.headerTimeoutMilliseconds
        } else {
            deadline = now + server.limits.idleTimeoutMilliseconds
        }
    }

    private func errorResponse(for failure: ParseFailure) -> HTTPResponse {
        let error = switch failure {
        case .headerTooLarge: HTTPError(.requestHeaderFieldsTooLarge, "Request header block exceeds \(server.limits.maxHeaderBytes) bytes")
        case .bodyTooLarge: HTTPError(.payloadTooLarge, "Request body exceeds \(server.limits.maxBodyBytes) bytes")
        case .malformed(let reason): HTTPError(.badRequest, "Malformed HTTP request: \(reason)")
        }
        return Router.renderMessageError(error, HTTPRequest(method: .get, target: "/"))
    }

    /// Starts the next queued request when none is running.
    private func answerNext() {
        guard !inFlight, !closing, !queue.isEmpty else { return }
        let next = queue.removeFirst()
        switch next {
        case .failure(let response):
            closeAfterResponse = true
            lingerOnClose = true
            send(response, keepAlive: false)
        case .request(let request):
            inFlight = true
            deadline = nil
            let responder = server.responder
            let remoteAddress = self.remoteAddress
            Task.immediate(executorPreference: server.loop) { [self] in
                let response = await responder(request, remoteAddress)
                inFlight = false
                send(response, keepAlive: request.keepAlive && !closeAfterResponse && !(peerClosed && queue.isEmpty), headRequest: request.method == .head)
            }
        }
    }

    private func send(_ response: HTTPResponse, keepAlive: Bool, headRequest: Bool = false) {
        guard !tcp.isClosed else { return }
        if !keepAlive {
            // Nothing more is answered, and a client that never reads must not hold the connection: the write gets
            // the idle timeout to complete.
            closing = true
            deadline = server.loop.now + server.limits.idleTimeoutMilliseconds
        }
        tcp.write(ResponseWriter.serialize(response, keepAlive: keepAlive, headRequest: headRequest)) { [self] error in
            if error != nil { return tcp.close() }
            if !keepAlive { return finishAfterLastResponse() }
            if readingPaused, tcp.pendingWriteBytes < server.limits.maxPendingWriteBytes { resumeReading() }
        }
        guard keepAlive else { return }
        if tcp.pendingWriteBytes >= server.limits.maxPendingWriteBytes { pauseReading() }
        if queue.isEmpty {
            if peerClosed { return tcp.close() }
            armReadDeadline(headWasStarted: true)
            if readingPaused { resumeReading() }
        }
        answerNext()
    }

    /// After a `Connection: close` response: half-close so the client reads all of it. After an error the client
    /// may still be sending, and closing with unread input sends a reset that can destroy the response, so the
    /// connection then drains the client's bytes briefly before closing.
    private func finishAfterLastResponse() {
        closing = true
        queue.removeAll()
        tcp.shutdown { [self] in
            if peerClosed || !lingerOnClose { return tcp.close() }
            resumeReading()
            deadline = server.loop.now + min(2000, server.limits.headerTimeoutMilliseconds)
        }
    }

    private func pauseReading() {
        readingPaused = true
        tcp.stopReading()
    }

    private func resumeReading() {
        readingPaused = false
        tcp.resumeReading()
    }

    /// Called by the server's sweep: a passed deadline closes the connection, with a 408 when a request was being
    /// received.
    func checkDeadline(now: UInt64) {
        guard let deadline, now >= deadline, !tcp.isClosed else { return }
        if closing || inFlight || !parser.isInsideMessage {
            tcp.close()
        } else {
            self.deadline = nil
            queue.append(.failure(Router.renderMessageError(HTTPError(.requestTimeout, "Timed out reading the request"), HTTPRequest(method: .get, target: "/"))))
            answerNext()
        }
    }

    /// For a draining server: close now if idle, else after the current response.
    func closeWhenIdle() {
        closeAfterResponse = true
        if !inFlight && queue.isEmpty && !parser.isInsideMessage { tcp.close() }
    }

    /// Closes at once, dropping anything in flight (drain timeout).
    func abort() { tcp.close() }
}
