import Foundation
import Loop

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
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write \(path)")
            }
            offset += written
        }
    }

    /// Writes every byte a megabyte at a time, each written back to the disk before the next (`writeBack`), so the
    /// disk's queue never holds more than a megabyte of this file: the group commit's syncs, which wait behind
    /// whatever the disk has queued, are not held up by a bulk write's writeback. A sync after it has only the
    /// file's metadata and the cache flush left to do.
    static func writePaced(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + (1 << 20), buffer.count)
                try writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[start..<end]), path: path)
                guard writeBack(fd) else { throw FileError(operation: "write back \(path)") }
                start = end
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
