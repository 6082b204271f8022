import CLibUV

/// What `EventLoop.stop()` needs of any open handle: a way to close it.
protocol ClosableHandle: AnyObject {
    func close()
}

/// Owner of exactly one libuv handle of C type `Raw` (a `uv_timer_t`, `uv_tcp_t`, ...).
///
/// libuv handles must not move, so the C struct lives in memory allocated here, never inside a Swift value
/// (libuv `docs/src/handle.rst`). Once init succeeded, `data` holds a retain of the owner, so an open handle keeps its
/// owner alive; the close callback releases it and frees the memory, and nothing else does.
public class LoopHandle<Raw>: ClosableHandle, @unchecked Sendable {
    /// The loop this handle belongs to; every method must be called on its thread.
    public let loop: EventLoop
    let raw: UnsafeMutablePointer<Raw>
    private var closeCallbacks: [() -> Void] = []
    /// True once `close()` was called: libuv asserts on a second `uv_close`.
    public private(set) var isClosed = false
    private var hasClosed = false

    /// Allocates the handle and runs its `uv_*_init`; on failure frees the memory at once (nothing to close).
    init(loop: EventLoop, operation: String, initialize: (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<Raw>) -> Int32) throws(LoopError) {
        loop.assertInLoop()
        self.loop = loop
        raw = .allocate(capacity: 1)
        let code = initialize(loop.raw, raw)
        if code < 0 {
            raw.deallocate()
            throw LoopError(code: code, operation: operation)
        }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        loop.register(self)
    }

    var handle: UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: uv_handle_t.self)
    }

    var stream: UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: uv_stream_t.self)
    }

    /// Recovers the owner of a handle inside a C callback, which captures nothing.
    static func owner<Handle>(of handle: UnsafeMutablePointer<Handle>?) -> Self {
        let data = UnsafeMutableRawPointer(handle!).assumingMemoryBound(to: uv_handle_t.self).pointee.data!
        return Unmanaged<Self>.fromOpaque(data).takeUnretainedValue()
    }

    /// Closes the handle; idempotent. Pending requests complete with `UV_ECANCELED` first, then `willClose()` and
    /// the callbacks given to `onClose` run on a later loop iteration.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        uv_close(handle) { handle in
            let owner = Unmanaged<AnyObject>.fromOpaque(handle!.pointee.data!).takeRetainedValue()
            (owner as! ClosedCallbackReceiver).handleDidClose()
        }
    }

    /// Registers `callback` to run once the handle has closed (at once if it already has).
    public func onClose(_ callback: @escaping () -> Void) {
        if hasClosed { return callback() }
        closeCallbacks.append(callback)
    }

    /// Stops the handle from keeping the loop alive (`uv_unref`), for background timers.
    public func unref() { uv_unref(handle) }

    /// Called by the close callback: subclasses drop their closures here to break reference cycles.
    func didClose() {}
}

/// Non-generic entry for the close callback, which cannot name the generic class.
protocol ClosedCallbackReceiver: AnyObject {
    func handleDidClose()
}

extension LoopHandle: ClosedCallbackReceiver {
    func handleDidClose() {
        didClose()
        loop.unregister(self)
        hasClosed = true
        let callbacks = closeCallbacks
        closeCallbacks = []
        raw.deallocate()
        for callback in callbacks { callback() }
    }
}
