import CLibUV

/// A listening TCP socket (`uv_tcp_t` in listen mode) that hands each accepted connection to `onConnection`.
public final class TCPServer: LoopHandle<uv_tcp_t>, @unchecked Sendable {
    private var onConnection: ((TCPConnection) -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_tcp_init") { uv_tcp_init($0, $1) }
    }

    /// Binds to `address` (port 0 picks a free port; read it back from `localAddress`) and starts listening.
    public func listen(on address: SocketAddress, backlog: Int32 = 1024, onConnection: @escaping (TCPConnection) -> Void) throws(LoopError) {
        loop.assertInLoop()
        try uvCheck(address.withSockAddr { uv_tcp_bind(raw, $0, 0) }, "uv_tcp_bind(\(address))")
        self.onConnection = onConnection
        try uvCheck(uv_listen(stream, backlog) { server, status in
            TCPServer.owner(of: server).accept(status: status)
        }, "uv_listen(\(address))")
    }

    /// The bound address, with the real port when 0 was asked for.
    public var localAddress: SocketAddress? {
        SocketAddress.read { uv_tcp_getsockname(raw, $0, $1) }
    }

    private func accept(status: Int32) {
        // A failed accept (EMFILE and the like) concerns one connection; the listener stays up.
        guard status == 0, let connection = try? TCPConnection(loop: loop) else { return }
        if uv_accept(stream, connection.stream) != 0 {
            connection.close()
            return
        }
        _ = uv_tcp_nodelay(connection.raw, 1)  // Responses are written whole; Nagle would only add latency.
        onConnection?(connection)
    }

    override func didClose() { onConnection = nil }
}
