import CHTTPParser
import Loop

/// An HTTP/1.1 client on the node's loop with a keep-alive pool per host. Forwarding between nodes, webhooks,
/// ClickHouse and S3 all go through it. Loop-bound: call `execute` from a task running on the loop.
public final class HTTPClient: @unchecked Sendable {
    /// Timeouts and pool sizes. Defaults suit calls between nodes of one cluster.
    public struct Settings: Sendable {
        /// Milliseconds to establish a TCP connection (default 5 s).
        public var connectTimeout: UInt64 = 5000
        /// Milliseconds from sending a request to the end of its response (default 30 s).
        public var readTimeout: UInt64 = 30_000
        /// Idle connections kept per host; more are closed after their response (default 8).
        public var maxIdlePerHost = 8
        /// Milliseconds an idle pooled connection is kept (default 30 s, below common server idle timeouts so the
        /// client closes first).
        public var idleTimeout: UInt64 = 30_000
        /// Bytes of a response body held in memory at most (default 64 MiB).
        public var maxResponseBytes = 64 << 20

        public init() {}
    }

    public let loop: EventLoop
    public let settings: Settings
    private var idle: [String: [ClientConnection]] = [:]

    public init(loop: EventLoop, settings: Settings = Settings()) {
        self.loop = loop
        self.settings = settings
    }

    /// Sends `request` to `host:port` and returns the whole response (chunked bodies de-chunked). When a pooled
    /// connection turns out to be closed, an idempotent request is retried once on a new connection; others fail,
    /// since the server may have acted on them before the connection died (RFC 9110 §9.2.2).
    /// `readTimeout` overrides the client's setting for this call.
    public func execute(_ request: HTTPRequest, host: String, port: Int, readTimeout: UInt64? = nil) async throws -> HTTPResponse {
        loop.assertInLoop()
        let key = "\(host):\(port)"
        let timeout = readTimeout ?? settings.readTimeout
        if let pooled = takeIdle(key) {
            do {
                return try await exchange(request, on: pooled, key: key, timeout: timeout)
            } catch HTTPClientError.connectionClosed where request.method.isIdempotent {
                // Fall through to a fresh connection.
            }
        }
        let connection = try await connect(host: host, port: port, key: key)
        return try await exchange(request, on: connection, key: key, timeout: timeout)
    }

    /// Closes every pooled connection.
    public func shutdown() {
        for connections in idle.values { connections.forEach { $0.close() } }
        idle = [:]
    }

    private func takeIdle(_ key: String) -> ClientConnection? {
        while let connection = idle[key]?.popLast() {
            if connection.isUsable { return connection }
        }
        return nil
    }

    private func connect(host: String, port: Int, key: String) async throws -> ClientConnection {
        let addresses: [SocketAddress]
        do {
            addresses = try await loop.resolve(host: host, port: port)
        } catch let error as LoopError {
            throw HTTPClientError.resolveFailed(host: host, error)
        }
        guard let address = addresses.first else {
            throw HTTPClientError.resolveFailed(host: host, LoopError(code: -2, operation: "uv_getaddrinfo"))
        }
        return try await ClientConnection.open(loop: loop, address: address, key: key, settings: settings)
    }

    private func exchange(_ request: HTTPRequest, on connection: ClientConnection, key: String, timeout: UInt64) async throws -> HTTPResponse {
        let (response, reusable) = try await connection.send(request, timeout: timeout)
        if reusable, request.keepAlive, (idle[key]?.count ?? 0) < settings.maxIdlePerHost {
            connection.park(idleTimeout: settings.idleTimeout) { [weak self] parked in
                self?.idle[key]?.removeAll { $0 === parked }
            }
            idle[key, default: []].append(connection)
        } else {
            connection.close()
        }
        return response
    }
}

/// One client-side connection: a request at a time, its response parsed with http_parser in response mode.
final class ClientConnection {
    private let tcp: TCPConnection
    private let timer: LoopTimer
    private let address: String
    private let parser: MessageParser
    private var pending: ((Result<(HTTPResponse, Bool), HTTPClientError>) -> Void)?
    private var receivedBytes = false
    private var parkedBefore = false

    /// `address` is the `host:port` the caller asked for: the pool key, the `Host` header and the name in errors.
    private init(tcp: TCPConnection, timer: LoopTimer, address: String, maxResponseBytes: Int) {
        self.tcp = tcp
        self.timer = timer
        self.address = address
        parser = MessageParser(kind: HTTP_RESPONSE, maxHeaderBytes: 64 * 1024, maxBodyBytes: maxResponseBytes)
        tcp.startReading { [unowned self] event in self.handle(event) }
        tcp.onClose { [timer] in timer.close() }
    }

    static func open(loop: EventLoop, address: SocketAddress, key: String, settings: HTTPClient.Settings) async throws -> ClientConnection {
        let timer = try LoopTimer(loop: loop)
        return try await withCheckedThrowingContinuation { continuation in
            var finished = false
            timer.start(after: settings.connectTimeout) {
                guard !finished else { return }
                finished = true
                timer.close()
                continuation.resume(throwing: HTTPClientError.connectTimeout(address: key))
            }
            TCPConnection.connect(loop: loop, to: address) { result in
                switch result {
                case .success(let tcp):
                    guard !finished else { return tcp.close() }
                    finished = true
                    timer.stop()
                    continuation.resume(returning: ClientConnection(tcp: tcp, timer: timer, address: key, maxResponseBytes: settings.maxResponseBytes))
                case .failure(let error):
                    guard !finished else { return }
                    finished = true
                    timer.close()
                    continuation.resume(throwing: HTTPClientError.connectFailed(address: key, error))
                }
            }
        }
    }

    var isUsable: Bool { !tcp.isClosed }

    /// Sends the request; returns the response and whether the connection may be reused.
    func send(_ request: HTTPRequest, timeout: UInt64) async throws -> (HTTPResponse, Bool) {
        parser.expectsNoBody = request.method == .head
        receivedBytes = false
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(HTTPResponse, Bool), HTTPClientError>, Never>) in
            pending = { continuation.resume(returning: $0) }
            timer.start(after: timeout) { [unowned self] in self.fail(.readTimeout(address: address)) }
            tcp.write(serialize(request)) { [weak self] error in
                if error != nil { self?.fail(.connectionClosed(address: self?.address ?? "")) }
            }
        }
        return try result.get()
    }

    /// Keeps an idle connection until the server closes it or `idleTimeout` passes; `onClosed` removes it from
    /// the pool. Registered once per connection, however often it returns to the pool.
    func park(idleTimeout: UInt64, onClosed: @escaping (ClientConnection) -> Void) {
        if !parkedBefore {
            parkedBefore = true
            tcp.onClose { [self] in onClosed(self) }  // Strong: the close callback comes after the pool let go.
        }
        timer.start(after: idleTimeout) { [unowned self] in self.close() }
    }

    func close() { tcp.close() }

    private func serialize(_ request: HTTPRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + request.body.count)
        out.append(contentsOf: "\(request.method) \(request.target) HTTP/1.1\r\n".utf8)
        if !request.headers.contains("Host") { out.append(contentsOf: "Host: \(address)\r\n".utf8) }
        for (name, value) in request.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            out.append(contentsOf: "\(name): \(value)\r\n".utf8)
        }
        if !request.body.isEmpty || request.method == .post || request.method == .put || request.method == .patch {
            out.append(contentsOf: "Content-Length: \(request.body.count)\r\n".utf8)
        }
        if !request.keepAlive { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: request.body)
        return out
    }

    private func handle(_ event: TCPConnection.ReadEvent) {
        var messages: [ParsedMessage] = []
        var failure: ParseFailure?
        switch event {
        case .data(let bytes):
            receivedBytes = true
            (messages, failure) = parser.feed(bytes)
        case .endOfFile:
            // A body delimited by the end of the connection completes now; anything else was cut short.
            if receivedBytes { (messages, failure) = parser.finish() }
            if messages.isEmpty && failure == nil { fail(.connectionClosed(address: address)) }
        case .failed:
            fail(.connectionClosed(address: address))
        }
        // Interim 1xx responses are not the answer.
        for message in messages where message.status >= 200 {
            let response = HTTPResponse(status: HTTPStatus(code: message.status), headers: message.headers, body: message.body)
            complete(.success((response, message.keepAlive && !tcp.isClosed)))
        }
        switch failure {
        case nil: break
        case .bodyTooLarge?: fail(.responseTooLarge(address: address))
        case let other?: fail(.malformedResponse(address: address, reason: "\(other)"))
        }
    }

    private func fail(_ error: HTTPClientError) {
        tcp.close()
        complete(.failure(error))
    }

    private func complete(_ result: Result<(HTTPResponse, Bool), HTTPClientError>) {
        guard let pending else { return }
        self.pending = nil
        if !tcp.isClosed { timer.stop() }
        pending(result)
    }
}
