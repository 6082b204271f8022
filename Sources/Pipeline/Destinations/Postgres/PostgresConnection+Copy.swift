import CLibPQ

extension PostgresConnection {
    /// Bytes handed to `PQputCopyData` at once: large enough that the per-call cost vanishes, small enough that
    /// libpq's output buffer stays bounded (it grows to hold what it is given).
    static let copyChunkBytes = 1 << 20

    /// Runs `sql` (a `COPY ... FROM STDIN`) and streams `parts` of `data` as its input, in order. A COPY is one
    /// transaction: when this throws, none of the data was stored.
    func copy(_ sql: String, data: [UInt8], parts: [Range<Int>]) async throws(PostgresError) {
        var remaining = parts[...]
        try await copy(sql) { () async throws(PostgresError) -> ([UInt8], Range<Int>)? in
            remaining.popFirst().map { (data, $0) }
        }
    }

    /// Runs `sql` (a `COPY ... FROM STDIN`) with input from `next`, called for each following piece (bytes and the
    /// range of them to send) until it returns nil. The server works on one piece while `next` prepares the
    /// following one, so encoding and loading overlap. One transaction, as above.
    func copy(_ sql: String, next: () async throws(PostgresError) -> ([UInt8], Range<Int>)?) async throws(PostgresError) {
        let deadline = self.deadline()
        guard PQsendQuery(conn, sql) == 1 else { throw libpqFailure() }
        try await flush(until: deadline)
        guard let start = try await nextResult(until: deadline) else { throw .unreachable("the server did not start the COPY") }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            let failure = error(from: start)
            PQclear(start)
            _ = try await results(until: deadline)
            throw failure
        }
        PQclear(start)
        while let (data, part) = try await next() {
            var offset = part.lowerBound
            var refused = false
            while offset < part.upperBound {
                let end = min(offset + Self.copyChunkBytes, part.upperBound)
                let put = data.withUnsafeBytes { bytes in
                    PQputCopyData(conn, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, Int32(end - offset))
                }
                switch put {
                case 1:
                    offset = end
                    refused = false
                case 0 where !refused:
                    // libpq could not grow its buffer: flush below, then offer the same chunk once more.
                    refused = true
                default: throw libpqFailure()
                }
                try await flush(until: deadline)
            }
        }
        while true {
            let ended = PQputCopyEnd(conn, nil)
            if ended == 1 { break }
            guard ended == 0 else { throw libpqFailure() }
            try await flush(until: deadline)
        }
        try await flush(until: deadline)
        _ = try await results(until: deadline)
    }
}
