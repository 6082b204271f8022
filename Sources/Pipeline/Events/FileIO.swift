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
}
