import CLibUV
import Foundation
import Loop
import Synchronization
import Testing
import TestSupport

@Suite struct LoopTests {
    @Test func tasksWithLoopPreferenceRunOnTheLoopThread() async throws {
        let harness = try LoopHarness()
        let onLoop = try await harness.onLoop {
            await Task.yield()  // Resumes after a suspension must come back to the loop too.
            return harness.loop.isInLoopThread
        }
        #expect(onLoop)
        #expect(await harness.finish() == 0)
    }

    @Test func oneShotTimerFiresOnceAndClosesCleanly() async throws {
        let harness = try LoopHarness()
        let fired = try await harness.onLoop {
            let timer = try LoopTimer(loop: harness.loop)
            let count = await withCheckedContinuation { continuation in
                var count = 0
                timer.start(after: 5) { count += 1 }
                let check = try! LoopTimer(loop: harness.loop)
                check.start(after: 50) {
                    check.close()
                    continuation.resume(returning: count)
                }
            }
            timer.close()
            return count
        }
        #expect(fired == 1)
        #expect(await harness.finish() == 0)
    }

    @Test func closeIsIdempotentAndCallsBackOnce() async throws {
        let harness = try LoopHarness()
        let callbacks = try await harness.onLoop {
            let timer = try LoopTimer(loop: harness.loop)
            return await withCheckedContinuation { continuation in
                var calls = 0
                timer.onClose { calls += 1 }
                timer.close()
                timer.close()
                let later = try! LoopTimer(loop: harness.loop)
                later.start(after: 20) {
                    later.close()
                    continuation.resume(returning: calls)
                }
            }
        }
        #expect(callbacks == 1)
        #expect(await harness.finish() == 0)
    }

    @Test func tcpEchoRoundTripOnEphemeralPort() async throws {
        let harness = try LoopHarness()
        let echoed = try await harness.onLoop {
            let server = try TCPServer(loop: harness.loop)
            try server.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { connection in
                connection.startReading { event in
                    if case .data(let bytes) = event { connection.write(Array(bytes)) { _ in } } else { connection.close() }
                }
            }
            let address = try #require(server.localAddress)
            #expect(address.port != 0)
            let reply: String = try await withCheckedThrowingContinuation { continuation in
                TCPConnection.connect(loop: harness.loop, to: address) { result in
                    switch result {
                    case .failure(let error): continuation.resume(throwing: error)
                    case .success(let client):
                        client.startReading { event in
                            if case .data(let bytes) = event {
                                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                                client.close()
                            }
                        }
                        client.write(Array("hello".utf8)) { _ in }
                    }
                }
            }
            server.close()
            return reply
        }
        #expect(echoed == "hello")
        #expect(await harness.finish() == 0)
    }

    @Test func connectToClosedPortFailsWithConnectionRefused() async throws {
        let harness = try LoopHarness()
        let error = try await harness.onLoop { () -> LoopError? in
            // Bind a port, then close it, so nothing listens there.
            let probe = try TCPServer(loop: harness.loop)
            try probe.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            let address = try #require(probe.localAddress)
            probe.close()
            return await withCheckedContinuation { continuation in
                TCPConnection.connect(loop: harness.loop, to: address) { result in
                    if case .failure(let error) = result { continuation.resume(returning: error) } else { continuation.resume(returning: nil) }
                }
            }
        }
        #expect(error?.name == "ECONNREFUSED")
        #expect(await harness.finish() == 0)
    }

    @Test func udpDatagramCarriesSenderAddress() async throws {
        let harness = try LoopHarness()
        let (text, senderPort, clientPort) = try await harness.onLoop {
            let receiver = try UDPSocket(loop: harness.loop)
            try receiver.bind(to: SocketAddress(ip: "127.0.0.1", port: 0))
            let sender = try UDPSocket(loop: harness.loop)
            try sender.bind(to: SocketAddress(ip: "127.0.0.1", port: 0))
            let target = try #require(receiver.localAddress)
            let result: (String, Int) = try await withCheckedThrowingContinuation { continuation in
                do {
                    try receiver.startReceiving { bytes, from in
                        continuation.resume(returning: (String(decoding: bytes, as: UTF8.self), from.port))
                    }
                } catch { continuation.resume(throwing: error) }
                sender.send(Array("ping".utf8), to: target)
            }
            let clientPort = sender.localAddress?.port ?? -1
            receiver.close()
            sender.close()
            return (result.0, result.1, clientPort)
        }
        #expect(text == "ping")
        #expect(senderPort == clientPort)
        #expect(await harness.finish() == 0)
    }

    @Test func workQueueRunsOffTheLoopAndReturnsOnIt() async throws {
        let harness = try LoopHarness()
        let (workerWasLoop, resumedOnLoop, value) = try await harness.onLoop {
            let loop = harness.loop
            let (flag, value) = try await WorkQueue(loop: loop).run { (loop.isInLoopThread, 21 * 2) }
            return (flag, loop.isInLoopThread, value)
        }
        #expect(!workerWasLoop)
        #expect(resumedOnLoop)
        #expect(value == 42)
        #expect(await harness.finish() == 0)
    }

    @Test func workQueuePropagatesErrors() async throws {
        struct Boom: Error {}
        let harness = try LoopHarness()
        let threw = try await harness.onLoop {
            do {
                _ = try await WorkQueue(loop: harness.loop).run { () throws -> Int in throw Boom() }
                return false
            } catch is Boom { return true }
        }
        #expect(threw)
        #expect(await harness.finish() == 0)
    }

    @Test func wakeupSignalledFromAnotherThreadCallsBackOnTheLoopThread() async throws {
        let harness = try LoopHarness()
        let calls = Mutex(0)
        let offLoop = Mutex(0)
        let wakeup = try await harness.onLoop {
            try Wakeup(loop: harness.loop) {
                calls.withLock { $0 += 1 }
                if !harness.loop.isInLoopThread { offLoop.withLock { $0 += 1 } }
            }
        }
        for _ in 0..<100 { wakeup.signal() }
        // Wait (polling, bounded) until at least one callback ran.
        for _ in 0..<200 where calls.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let count = calls.withLock { $0 }
        #expect(count >= 1 && count <= 100)  // libuv may merge signals, never multiply them.
        #expect(offLoop.withLock { $0 } == 0)
        #expect(await harness.finish() == 0)  // stop() closes the still-open wake-up.
    }

    @Test func unsafeLoopPointerRunsForeignHandlesOnTheLoop() async throws {
        let harness = try LoopHarness()
        let (sameClock, fired) = try await harness.onLoop {
            // What a C library's adapter does with the pointer: its own handle, its own callbacks.
            let loop = harness.loop.unsafeLoopPointer.assumingMemoryBound(to: uv_loop_t.self)
            let timer = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
            _ = uv_timer_init(loop, timer)  // Cannot fail on a running loop.
            let fired = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                timer.pointee.data = Unmanaged.passRetained(Box(continuation)).toOpaque()
                _ = uv_timer_start(timer, { timer in  // Fails only on a closing handle.
                    Unmanaged<Box<CheckedContinuation<Bool, Never>>>.fromOpaque(timer!.pointee.data).takeRetainedValue().value.resume(returning: true)
                }, 1, 0)
            }
            uv_close(UnsafeMutableRawPointer(timer).assumingMemoryBound(to: uv_handle_t.self)) { $0?.deallocate() }
            return (uv_now(loop) == harness.loop.now, fired)
        }
        #expect(sameClock && fired)
        #expect(await harness.finish() == 0)
    }

    @Test func socketAddressParsesAndPrintsV4AndV6() throws {
        #expect(try SocketAddress(parsing: "127.0.0.1:8001").description == "127.0.0.1:8001")
        #expect(try SocketAddress(parsing: "[::1]:7001").description == "[::1]:7001")
        for ip in ["0.0.0.0", "10.200.3.255", "255.255.255.255", "192.168.0.10"] {
            #expect(try SocketAddress(ip: ip, port: 1).host == ip)
        }
        #expect(try SocketAddress(ip: "2001:db8::ff00:42:8329", port: 1).host == "2001:db8::ff00:42:8329")
        #expect(throws: LoopError.self) { try SocketAddress(parsing: "localhost") }
        #expect(throws: LoopError.self) { try SocketAddress(parsing: "1.2.3.4:99999") }
    }

    @Test func resolveFindsLocalhost() async throws {
        let harness = try LoopHarness()
        let addresses = try await harness.onLoop { try await harness.loop.resolve(host: "localhost", port: 80) }
        #expect(addresses.contains { $0.host == "127.0.0.1" || $0.host == "::1" })
        #expect(addresses.allSatisfy { $0.port == 80 })
        #expect(await harness.finish() == 0)
    }
}

/// Carries a value through a C `void *`.
private final class Box<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}
