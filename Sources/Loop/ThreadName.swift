import Foundation

/// Names the calling thread for `top -H`, `perf` and `/proc/PID/task/*/comm` (the kernel keeps 15 bytes).
/// Foundation's `Thread.name`, set before the thread starts, does not reach the kernel on Linux, and Glibc's module
/// leaves out `pthread_setname_np`.
func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = name.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, min($0.count - 1, 15)) }
    close(fd)
}
