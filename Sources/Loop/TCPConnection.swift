import CLibUV

/// One TCP stream (`uv_tcp_t`), accepted by a `TCPServer` or opened with `connect`.
///
/// Reads arrive as callbacks with bytes valid only during the call; writes are queued whole. Back-pressure: callers
/// watch `pendingWriteBytes` and call `stopReading()` until their write completions bring it down.
public final class TCPConnection: LoopHandle<uv_tcp_t>, @unchecked Sendable {
    private var onRead: ((ReadEvent) -> Void)?

    /// What a read produced.
    public enum ReadEvent {
        /// Bytes received; valid only until the callback returns.
        case data(UnsafeRawBufferPointer)
        /// The peer closed its sending side.
        case endOfFile
        /// The connection failed (reset, timed out).
        case failed(LoopError)
    }

    public init(loop: EventLoop) throws(LoopError) {
        try super.init(loop: loop, operation: "uv_tcp_init") { uv_tcp_init($0, $1) }
    }

    /// Opens a connection to `address`; `completion` gets the connection, or the error after closing it.
    public static func connect(loop: EventLoop, to address: SocketAddress, completion: @escaping (Result<TCPConnection, LoopError>) -> Void) {
        let connection: TCPConnection
        do { connection = try TCPConnection(loop: loop) } catch { return completion(.failure(error)) }
        let request = RequestBox<uv_connect_t, (Int32) -> Void> { status in
            if status < 0 {
                connection.close()
                completion(.failure(LoopError(code: status, operation: "uv_tcp_connect(\(address))")))
            } else {
                _ = uv_tcp_nodelay(connection.raw, 1)  // Requests are written whole.
                completion(.success(connection))
            }
        }
        let code = address.withSockAddr { pointer in
            uv_tcp_connect(request.request, connection.raw, pointer) { request, status in
                RequestBox<uv_connect_t, (Int32) -> Void>.take(request).payload(status)
            }
        }
        if code < 0 { request.release(); request.payload(code) }
    }

    /// Starts delivering reads to `onRead`; calling it again replaces the callback.
    public func startReading(_ onRead: @escaping (ReadEvent) -> Void) {
        loop.assertInLoop()
        self.onRead = onRead
        resumeReading()
    }

    /// Resumes reads after `stopReading()`, with the callback given to `startReading`.
    public func resumeReading() {
        guard !isClosed else { return }
        _ = uv_read_start(stream, { handle, _, buffer in
            // Every socket of the loop shares one buffer: reads are consumed before the callback returns.
            let loop = TCPConnection.owner(of: handle).loop
            buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(EventLoop.readBufferSize))
        }, { stream, count, buffer in
            TCPConnection.owner(of: stream).didRead(count: count, buffer: buffer)
        })  // Fails only when already reading or closing; both are harmless here.
    }

    /// Stops reads, for back-pressure; `resumeReading()` restarts them.
    public func stopReading() {
        guard !isClosed else { return }
        _ = uv_read_stop(stream)
    }

    private func didRead(count: Int, buffer: UnsafePointer<uv_buf_t>?) {
        if count > 0 {
            onRead?(.data(UnsafeRawBufferPointer(start: buffer!.pointee.base, count: count)))
        } else if count == Int(UV_EOF.rawValue) {
            onRead?(.endOfFile)
        } else if count < 0 {
            onRead?(.failed(LoopError(code: Int32(count), operation: "read")))
        }
        loop.runQueuedJobs()
    }

    /// Bytes queued in libuv that the kernel has not taken yet.
    public var pendingWriteBytes: Int { isClosed ? 0 : uv_stream_get_write_queue_size(stream) }

    /// Writes `bytes` in order after earlier writes. `completion` runs once they are in the kernel or failed; it
    /// runs before `write` returns when the socket took everything at once (the common case, which then costs no
    /// libuv request), so callers must not assume it runs later.
    public func write(_ bytes: [UInt8], completion: @escaping (LoopError?) -> Void) {
        loop.assertInLoop()
        guard !isClosed else { return completion(LoopError(code: Int32(UV_ECANCELED.rawValue), operation: "uv_write")) }
        var offset = 0
        if pendingWriteBytes == 0 {
            let written = bytes.withUnsafeBytes { raw -> Int32 in
                var buffer = uv_buf_init(UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(raw.count))
                return uv_try_write(stream, &buffer, 1)
            }
            if written == Int32(bytes.count) { return completion(nil) }
            if written > 0 { offset = Int(written) }
            // UV_EAGAIN: the kernel buffer is full; anything else resurfaces from uv_write below.
        }
        // The box keeps the array alive until the callback; an array that is not mutated never moves its storage.
        let box = RequestBox<uv_write_t, WritePayload>((bytes, completion))
        let code = box.payload.bytes.withUnsafeBytes { raw -> Int32 in
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: CChar.self) + offset), UInt32(raw.count - offset))
            return uv_write(box.request, stream, &buffer, 1) { request, status in
                let box = RequestBox<uv_write_t, WritePayload>.take(request)
                box.payload.completion(status < 0 ? LoopError(code: status, operation: "uv_write") : nil)
            }
        }
        if code < 0 {
            box.release()
            completion(LoopError(code: code, operation: "uv_write"))
        }
    }

    /// Half-closes the stream after queued writes (`uv_shutdown`), so the peer reads everything sent, then EOF.
    public func shutdown(completion: @escaping () -> Void) {
        loop.assertInLoop()
        guard !isClosed else { return completion() }
        let request = RequestBox<uv_shutdown_t, () -> Void>(completion)
        let code = uv_shutdown(request.request, stream) { request, _ in
            RequestBox<uv_shutdown_t, () -> Void>.take(request).payload()
        }
        if code < 0 { request.release(); completion() }
    }

    /// The peer's address, or nil once the socket is gone.
    public var remoteAddress: SocketAddress? {
        SocketAddress.read { uv_tcp_getpeername(raw, $0, $1) }
    }

    override func didClose() { onRead = nil }
}

/// A write in flight: the bytes must outlive the request, and the completion runs exactly once.
private typealias WritePayload = (bytes: [UInt8], completion: (LoopError?) -> Void)
