import CLibUV
import Foundation

extension EventLoop {
    /// Resolves `host` to addresses with `uv_getaddrinfo` on the thread pool; a numeric host skips the lookup.
    /// Must be called on the loop thread.
    public func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        assertInLoop()
        if let numeric = try? SocketAddress(ip: host, port: port) { return [numeric] }
        return try await withCheckedThrowingContinuation { continuation in
            let box = RequestBox<uv_getaddrinfo_t, ResolvePayload>((port, continuation))
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            let code = uv_getaddrinfo(raw, box.request, { request, status, info in
                let box = RequestBox<uv_getaddrinfo_t, ResolvePayload>.take(request)
                defer { uv_freeaddrinfo(info) }
                guard status == 0 else {
                    return box.payload.continuation.resume(throwing: LoopError(code: status, operation: "uv_getaddrinfo"))
                }
                var addresses: [SocketAddress] = []
                var next = info
                while let entry = next {
                    if var address = SocketAddress(UnsafePointer(entry.pointee.ai_addr)) {
                        address.port = box.payload.port
                        if !addresses.contains(address) { addresses.append(address) }
                    }
                    next = entry.pointee.ai_next
                }
                box.payload.continuation.resume(returning: addresses)
            }, host, nil, &hints)
            if code < 0 {
                box.release()
                continuation.resume(throwing: LoopError(code: code, operation: "uv_getaddrinfo(\(host))"))
            }
        }
    }
}

private typealias ResolvePayload = (port: Int, continuation: CheckedContinuation<[SocketAddress], any Error>)
