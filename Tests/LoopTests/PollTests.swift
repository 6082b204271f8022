import Foundation
import Loop
import Testing
import TestSupport

@Suite struct PollTests {
    /// A connected pair of Unix stream sockets, closed by the test.
    private func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw ServiceError.failed("socketpair: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    @Test func reportsWritableAtOnceAndReadableOnlyAfterThePeerWrites() async throws {
        let (mine, peer) = try socketPair()
        defer { close(mine); close(peer) }
        let harness = try LoopHarness()
        let (writable, readable, closeCalls) = try await harness.onLoop {
            let poll = try Poll(loop: harness.loop, socket: mine)
            let writable = try await withCheckedThrowingContinuation { continuation in
                do {
                    try poll.start(.writable) { result in
                        poll.stop()
                        continuation.resume(with: result)
                    }
                } catch { continuation.resume(throwing: error) }
            }
            let readable = try await withCheckedThrowingContinuation { continuation in
                var calls = 0
                do {
                    try poll.start(.readable) { result in
                        calls += 1
                        poll.stop()
                        continuation.resume(with: result.map { ($0, calls) })
                    }
                } catch { continuation.resume(throwing: error) }
                // Nothing to read yet: the peer writes only after the poll started.
                let byte: [UInt8] = [42]
                _ = write(peer, byte, 1)
            }
            let closeCalls = await withCheckedContinuation { continuation in
                var calls = 0
                poll.onClose { calls += 1 }
                poll.close()
                poll.close()
                poll.onClose { continuation.resume(returning: calls) }
            }
            return (writable, readable, closeCalls)
        }
        #expect(writable.contains(.writable))
        #expect(readable.0 == .readable)
        #expect(readable.1 == 1)
        #expect(closeCalls == 1)
        // The poll never owned the socket: it is still open and holds the peer's byte.
        var byte: UInt8 = 0
        #expect(read(mine, &byte, 1) == 1 && byte == 42)
        #expect(await harness.finish() == 0)
    }
}
