import CLibUV

/// A short-lived libuv request (`uv_write_t`, `uv_connect_t`, `uv_getaddrinfo_t`, ...) and what its callback needs.
///
/// The box retains itself through `req.data` until the callback takes it back with `take`, exactly once. When the
/// `uv_` call fails, libuv never calls back, so the caller must `release()` right there.
final class RequestBox<Request, Payload> {
    let request: UnsafeMutablePointer<Request>
    let payload: Payload

    init(_ payload: Payload) {
        self.payload = payload
        request = .allocate(capacity: 1)
        UnsafeMutableRawPointer(request).assumingMemoryBound(to: uv_req_t.self).pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    deinit { request.deallocate() }

    /// Takes back the retain made at init, inside the request's callback.
    static func take(_ request: UnsafeMutablePointer<Request>?) -> RequestBox {
        let data = UnsafeMutableRawPointer(request!).assumingMemoryBound(to: uv_req_t.self).pointee.data!
        return Unmanaged<RequestBox>.fromOpaque(data).takeRetainedValue()
    }

    /// Drops the self-retain when the `uv_` call failed and no callback will come.
    func release() {
        Unmanaged.passUnretained(self).release()
    }
}
