import CZlib

/// gzip (RFC 1952) through zlib, for `compression: gzip` S3 objects. CPU work: callers run it on the work queue.
enum Gzip {
    /// Why zlib failed; with whole-buffer input and a `deflateBound`-sized output only a lack of memory causes it.
    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "gzip compression failed (zlib error \(code))" }
    }

    /// One gzip member holding `bytes`, compressed at zlib's default level.
    static func compress(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let started = czlib_deflate_init_gzip(&stream, Z_DEFAULT_COMPRESSION)
        guard started == Z_OK else { throw Failure(code: started) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        var input = bytes
        let result = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                // The output holds deflateBound bytes, so one call with Z_FINISH completes the member.
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw Failure(code: result) }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
