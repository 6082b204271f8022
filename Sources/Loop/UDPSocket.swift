import CLibUV

/// A UDP socket (`uv_udp_t`) for gossip: datagrams out with `send`, in with `startReceiving`.
public final class UDPSocket: LoopHandle<uv_udp_t>, @unchecked Sendable {
    private var onMessage: ((UnsafeRawBufferPointer, SocketAddress) -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_udp_init") { uv_udp_init($0, $1) }
    }

    /// Binds to `address`; port 0 picks a free port, read back from `localAddress`.
    public func bind(to address: SocketAddress) throws(LoopError) {
        loop.assertInLoop()
        try uvCheck(address.withSockAddr { uv_udp_bind(raw, $0, 0) }, "uv_udp_bind(\(address))")
    }

    /// The bound address, with the real port.
    public var localAddress: SocketAddress? {
        SocketAddress.read { uv_udp_getsockname(raw, $0, $1) }
    }

    /// Delivers each datagram with its sender; the bytes are valid only during the callback.
    public func startReceiving(_ onMessage: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void) throws(LoopError) {
        loop.assertInLoop()
        self.onMessage = onMessage
        try uvCheck(uv_udp_recv_start(raw, { handle, _, buffer in
            let loop = UDPSocket.owner(of: handle).loop
            buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(EventLoop.readBufferSize))
        }, { handle, count, buffer, address, _ in
            // count == 0 with no address means "nothing more to read now"; errors on UDP are per datagram.
            guard count > 0, let sender = SocketAddress(address) else { return }
            UDPSocket.owner(of: handle).onMessage?(UnsafeRawBufferPointer(start: buffer!.pointee.base, count: count), sender)
        }), "uv_udp_recv_start")
    }

    /// Sends one datagram; `completion` (optional) gets the error, if any. Tries a synchronous send first.
    public func send(_ bytes: [UInt8], to address: SocketAddress, completion: ((LoopError?) -> Void)? = nil) {
        loop.assertInLoop()
        guard !isClosed else { completion?(LoopError(code: Int32(UV_ECANCELED.rawValue), operation: "uv_udp_send")); return }
        let sent = bytes.withUnsafeBytes { raw -> Int32 in
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(raw.count))
            return address.withSockAddr { uv_udp_try_send(self.raw, &buffer, 1, $0) }
        }
        if sent >= 0 { completion?(nil); return }
        guard sent == Int32(UV_EAGAIN.rawValue) else {
            completion?(LoopError(code: sent, operation: "uv_udp_try_send(\(address))"))
            return
        }
        let box = RequestBox<uv_udp_send_t, SendPayload>((bytes, completion))
        let code = box.payload.bytes.withUnsafeBytes { raw -> Int32 in
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(raw.count))
            return address.withSockAddr { pointer in
                uv_udp_send(box.request, self.raw, &buffer, 1, pointer) { request, status in
                    let box = RequestBox<uv_udp_send_t, SendPayload>.take(request)
                    box.payload.completion?(status < 0 ? LoopError(code: status, operation: "uv_udp_send") : nil)
                }
            }
        }
        if code < 0 {
            box.release()
            completion?(LoopError(code: code, operation: "uv_udp_send(\(address))"))
        }
    }

    override func didClose() { onMessage = nil }
}

private typealias SendPayload = (bytes: [UInt8], completion: ((LoopError?) -> Void)?)
