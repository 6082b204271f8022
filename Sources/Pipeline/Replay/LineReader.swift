import CZlib
import Foundation

/// Reads a file of JSON lines in chunks for replay, with bounded memory whatever the file's size. A gzip file
/// (found by its magic bytes, not its name) is inflated on the fly, several members in a row included. A last line
/// without `\n` is a line; `\r` before `\n` is dropped; blank lines are skipped.
///
/// Blocking: used from background threads, one call at a time.
public final class LineReader: @unchecked Sendable {
    /// A line: its number in the file (from 1) and its bytes in the chunk, without the line break.
    public typealias Line = (number: Int, range: Range<Int>)

    /// Lines read at once, with their line numbers in the file (1-based).
    public struct Chunk: Sendable {
        public var bytes: [UInt8]
        public var lines: [Line]
    }

    public let path: String
    /// Size of the file on disk.
    public let size: UInt64
    /// Bytes of the file consumed so far (compressed bytes for gzip), for progress.
    public private(set) var bytesRead: UInt64 = 0
    /// A line longer than this fails the read rather than filling memory: such a file is not JSON lines.
    static let maxLineBytes = 64 << 20
    private static let readSize = 1 << 20

    private let fd: Int32
    private var inflater: Inflater?
    private var pending: [UInt8] = []
    /// The buffer each `read` fills.
    private var raw = [UInt8](repeating: 0, count: LineReader.readSize)
    /// Bytes of `pending` already searched for a newline.
    private var scanned = 0
    private var lineNumber = 0
    private var atEnd = false

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open \(path)") }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            Glibc.close(fd)
            throw FileError(operation: "stat \(path)")
        }
        size = UInt64(status.st_size)
    }

    /// Lines held in memory (a bulk request's body).
    init(bytes: [UInt8], name: String) {
        path = name
        size = UInt64(bytes.count)
        bytesRead = size
        fd = -1
        pending = bytes
        atEnd = true
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Up to `maxLines` non-blank lines, fewer once they hold `maxBytes` (whole lines: one long line is still read
    /// whole) or half of it when more must be read; nil at the end of the file.
    public func next(maxLines: Int, maxBytes: Int = .max) throws -> Chunk? {
        var lines: [Line] = []
        var start = 0
        while lines.count < maxLines, start < maxBytes {
            if let newline = newline(from: scanned) {
                lineNumber += 1
                add(start..<newline, as: lineNumber, to: &lines)
                start = newline + 1
                scanned = start
                continue
            }
            scanned = pending.count
            if atEnd {
                if start < pending.count {
                    lineNumber += 1
                    add(start..<pending.count, as: lineNumber, to: &lines)
                    start = pending.count
                }
                break
            }
            // Ending here rather than reading on keeps each read in one chunk: the bytes after the chunk's lines
            // are copied to go on, and those are then only the start of a line.
            if !lines.isEmpty, start >= maxBytes / 2 { break }
            guard pending.count - start <= Self.maxLineBytes else {
                throw ReplayError.unreadable("line \(lineNumber + 1) is longer than \(Self.maxLineBytes >> 20) MiB")
            }
            try fill()
        }
        if lines.isEmpty, atEnd, start >= pending.count { return nil }
        // The chunk takes the buffer as it is (bytes past its lines included); only those are copied, to go on.
        let chunk = Chunk(bytes: pending, lines: lines)
        pending = Array(pending[start...])
        scanned -= start
        return chunk
    }

    /// Where the next `\n` of `pending` from `offset` is.
    private func newline(from offset: Int) -> Int? {
        pending.withUnsafeBytes { bytes -> Int? in
            guard offset < bytes.count, let found = memchr(bytes.baseAddress! + offset, 0x0A, bytes.count - offset) else { return nil }
            return UnsafeRawPointer(found) - bytes.baseAddress!
        }
    }

    private func add(_ range: Range<Int>, as number: Int, to lines: inout [Line]) {
        var range = range
        if range.upperBound > range.lowerBound, pending[range.upperBound - 1] == UInt8(ascii: "\r") {
            range = range.lowerBound..<(range.upperBound - 1)
        }
        let isBlank = pending[range].allSatisfy { $0 == 0x20 || $0 == 0x09 }
        if !isBlank { lines.append((number, range)) }
    }

    /// Appends the next bytes of the file (inflated when gzip) to `pending`; sets `atEnd` at the end.
    private func fill() throws {
        var count = 0
        if let inflater {
            count = raw.withUnsafeMutableBytes { readSome(into: $0) }
            guard count >= 0 else { throw FileError(operation: "read \(path)") }
            try inflater.inflate(raw[..<count], endOfInput: count == 0, into: &pending)
        } else {
            // Read straight behind the bytes kept (at most a line when a chunk starts) in a buffer made for both.
            let kept = pending.count
            pending = pending.withUnsafeBufferPointer { old in
                [UInt8](unsafeUninitializedCapacity: kept + Self.readSize) { buffer, initialized in
                    _ = buffer.initialize(fromContentsOf: old)
                    count = readSome(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[kept...])))
                    initialized = kept + max(count, 0)
                }
            }
            guard count >= 0 else { throw FileError(operation: "read \(path)") }
            if bytesRead == 0, count >= 2, pending[0] == 0x1f, pending[1] == 0x8b {
                let compressed = pending[kept...]
                pending.removeSubrange(kept...)
                inflater = try Inflater()
                try inflater!.inflate(compressed, endOfInput: false, into: &pending)
            }
        }
        bytesRead += UInt64(count)
        if count == 0 { atEnd = true }
    }

    /// `read(2)` into `buffer`, again when interrupted: the bytes read, 0 at the end, -1 on failure.
    private func readSome(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var count: Int
        repeat { count = read(fd, buffer.baseAddress, buffer.count) } while count < 0 && errno == EINTR
        return count
    }
}

/// A zlib inflate stream over gzip members.
private final class Inflater {
    private var stream = z_stream()
    private var ended = false

    init() throws {
        let code = czlib_inflate_init_auto(&stream)
        guard code == Z_OK else { throw ReplayError.unreadable("gzip: zlib could not start (error \(code))") }
    }

    deinit {
        inflateEnd(&stream)
    }

    func inflate(_ input: ArraySlice<UInt8>, endOfInput: Bool, into output: inout [UInt8]) throws {
        if endOfInput {
            // Input ended inside a member: the file was cut short.
            guard ended else { throw ReplayError.unreadable("gzip: the file ends in the middle of compressed data") }
            return
        }
        var input = input
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while stream.avail_in > 0 {
                if ended {
                    // Another member follows (files joined with cat): start over on the rest.
                    guard inflateReset(&stream) == Z_OK else { throw ReplayError.unreadable("gzip: zlib reset failed") }
                    ended = false
                }
                let produced: Int = try buffer.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let code = CZlib.inflate(&stream, Z_NO_FLUSH)
                    switch code {
                    case Z_OK, Z_BUF_ERROR: break
                    case Z_STREAM_END: ended = true
                    default:
                        let reason = stream.msg.map { String(cString: $0) } ?? "error \(code)"
                        throw ReplayError.unreadable("gzip: \(reason)")
                    }
                    return target.count - Int(stream.avail_out)
                }
                output.append(contentsOf: buffer[..<produced])
                if produced == 0, !ended, stream.avail_in > 0, stream.avail_out > 0 { break }
            }
        }
    }
}
