import HTTP
import Loop

/// Resolves a host and opens (then closes) a TCP connection to it, sending nothing: a webhook's connection test,
/// since a request would deliver a fake event to the receiver.
enum TCPProbe {
    /// Returns once `host:port` accepted a connection; throws the `HTTPClientError` a request would have met
    /// (`resolveFailed`, `connectFailed`, `connectTimeout`), so both read alike. Loop-bound.
    static func connect(loop: EventLoop, host: String, port: Int, timeout milliseconds: UInt64) async throws(HTTPClientError) {
        let address = "\(host):\(port)"
        let first: SocketAddress?
        do {
            first = try await loop.resolve(host: host, port: port).first
        } catch {
            throw .resolveFailed(host: host, error as? LoopError ?? LoopError(code: -2, operation: "uv_getaddrinfo"))
        }
        // An empty answer is what getaddrinfo's "no address" (ENOENT, -2) means.
        guard let target = first else { throw .resolveFailed(host: host, LoopError(code: -2, operation: "uv_getaddrinfo")) }
        let timer: LoopTimer
        do { timer = try LoopTimer(loop: loop) } catch { throw .connectFailed(address: address, error) }
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<HTTPClientError?, Never>) in
            var finished = false
            let finish = { (outcome: HTTPClientError?) in
                guard !finished else { return }
                finished = true
                timer.close()
                continuation.resume(returning: outcome)
            }
            timer.start(after: milliseconds) { finish(.connectTimeout(address: address)) }
            TCPConnection.connect(loop: loop, to: target) { result in
                switch result {
                case .success(let connection):
                    connection.close()
                    finish(nil)
                case .failure(let error):
                    finish(.connectFailed(address: address, error))
                }
            }
        }
        if let outcome { throw outcome }
    }
}
