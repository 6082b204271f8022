import Foundation

/// Follows a child process's output pipe on a thread of its own until EOF. Foundation's `readabilityHandler` runs a
/// dispatch source on the pipe instead, which crashed the test process (in libdispatch's event loop) when the child
/// was killed while the source was armed.
enum PipeLog {
    static func follow(_ handle: FileHandle, _ append: @escaping @Sendable (String) -> Void) {
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                append(String(decoding: data, as: UTF8.self))
            }
        }.start()
    }
}
