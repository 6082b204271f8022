import Foundation

/// A failed file operation, with the OS's reason (`open /x/y: Permission denied`).
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(operation: String, code: Int32 = errno) {
        description = "\(operation): \(String(cString: strerror(code)))"
    }
}

/// Blocking file helpers for work-queue items.
enum FileIO {
    /// Writes every byte, resuming after short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        try bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileError(operation: "write \(path)")
                }
                offset += written
            }
        }
    }

    /// Replaces the file at `path` with `bytes` all at once: written to `<path>.tmp`, fsynced, renamed over it, so a
    /// crash leaves the old content or the new, never a mix.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(operation: "open \(temporary)") }
        defer { close(fd) }
        try writeAll(fd, bytes, path: temporary)
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync \(temporary)") }
        guard rename(temporary, path) == 0 else { throw FileError(operation: "rename \(temporary)") }
    }
}
