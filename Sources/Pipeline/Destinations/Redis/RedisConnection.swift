import CHiredis
import Loop

/// One hiredis asynchronous connection, attached to the node's loop with hiredis' libuv adapter. Loop-bound.
///
/// Lifetime rules (hiredis 0.14 `async.c`): hiredis frees the context itself after a failed connect (once the
/// connect callback returns) and after the connection breaks (once the disconnect callback returns); failing every
/// pending command with a NULL reply first. `close()` frees it with `redisAsyncFree`, which does the same at once.
/// So every path ends in `contextGone`, the one place that forgets the pointer and drops the retain the context's
/// `data` holds on its owner. Nothing here runs Swift code from inside a hiredis callback beyond bookkeeping and
/// resuming continuations, so `redisAsyncFree` is never called from one (hiredis would defer it).
package final class RedisConnection: @unchecked Sendable {
    private let loop: EventLoop
    /// `host:port`, for messages.
    let address: String
    private var context: UnsafeMutablePointer<redisAsyncContext>?
    private let timer: LoopTimer
    private var connecting: CheckedContinuation<Result<Void, RedisError>, Never>?
    /// Why the connection ended or is ending, when rivulet ended it (a timeout, `close()`).
    private var closeReason: RedisError?

    /// Resolves `host` on the thread pool (hiredis would block the loop in getaddrinfo), connects to the first
    /// address, and waits up to `timeout` milliseconds for the connection.
    package static func open(loop: EventLoop, host: String, port: Int, timeout: UInt64) async throws(RedisError) -> RedisConnection {
        let address = "\(host):\(port)"
        let ip: String
        do {
            guard let first = try await loop.resolve(host: host, port: port).first else { throw LoopError(code: -2, operation: "uv_getaddrinfo") }
            ip = first.host
        } catch {
            throw .unreachable("cannot resolve Redis host \(host): \(error)")
        }
        guard let context = redisAsyncConnect(ip, Int32(port)) else { throw .unreachable("cannot allocate a Redis connection") }
        if context.pointee.err != 0 {
            let reason = Self.errorText(context)
            redisAsyncFree(context)
            throw .unreachable("cannot connect to Redis at \(address): \(reason)")
        }
        let timer: LoopTimer
        do {
            timer = try LoopTimer(loop: loop)
        } catch {
            redisAsyncFree(context)
            throw .unreachable("\(error)")
        }
        guard rivulet_redis_attach(context, loop.unsafeLoopPointer) == REDIS_OK else {
            redisAsyncFree(context)
            timer.close()
            throw .unreachable("cannot attach the Redis connection to the loop")
        }
        let connection = RedisConnection(loop: loop, address: address, context: context, timer: timer)
        try await connection.waitUntilConnected(timeout: timeout)
        return connection
    }

    private init(loop: EventLoop, address: String, context: UnsafeMutablePointer<redisAsyncContext>, timer: LoopTimer) {
        self.loop = loop
        self.address = address
        self.context = context
        self.timer = timer
        context.pointee.data = Unmanaged.passRetained(self).toOpaque()
        _ = redisAsyncSetConnectCallback(context) { context, status in  // Fails only when already set.
            RedisConnection.owner(of: context)?.didConnect(status == REDIS_OK ? nil : RedisConnection.errorText(context))
        }
        _ = redisAsyncSetDisconnectCallback(context) { context, status in
            let reason = status == REDIS_OK ? nil : RedisConnection.errorText(context)
            RedisConnection.owner(of: context)?.contextGone(.unreachable("Redis at \(RedisConnection.address(of: context)) closed the connection\(reason.map { ": \($0)" } ?? "")"))
        }
    }

    /// Whether commands can still be sent.
    package var isOpen: Bool { context != nil }

    private func waitUntilConnected(timeout: UInt64) async throws(RedisError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, RedisError>, Never>) in
            connecting = continuation
            timer.start(after: timeout) { [unowned self] in
                close(because: .unreachable("timed out connecting to Redis at \(address) after \(timeout) ms"))
            }
        }
        try result.get()
    }

    private func didConnect(_ failure: String?) {
        timer.stop()
        if let failure {
            // hiredis frees the context when this callback returns, without a disconnect callback.
            contextGone(.unreachable("cannot connect to Redis at \(address): \(failure)"))
        } else {
            connecting?.resume(returning: .success(()))
            connecting = nil
        }
    }

    /// Sends `commands` pipelined (all written before any reply is read) and returns their replies in order.
    /// Error replies are values; a broken connection or no reply within `timeout` milliseconds throws and
    /// closes the connection.
    package func send(_ commands: [[String]], timeout: UInt64) async throws(RedisError) -> [RedisReply] {
        loop.assertInLoop()
        guard let context else { throw closeReason ?? .unreachable("Redis connection to \(address) is closed") }
        guard !commands.isEmpty else { return [] }
        let pending = PendingReplies(count: commands.count)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>) in
            pending.continuation = continuation
            timer.start(after: timeout) { [unowned self] in
                close(because: .unreachable("timed out waiting for Redis at \(address) after \(timeout) ms"))
            }
            for (index, command) in commands.enumerated() {
                let slot = Unmanaged.passRetained(ReplySlot(pending: pending, index: index)).toOpaque()
                let code = Self.withArgv(command) { count, argv, lengths in
                    redisAsyncCommandArgv(context, { context, reply, slot in
                        let slot = Unmanaged<ReplySlot>.fromOpaque(slot!).takeRetainedValue()
                        if let reply {
                            slot.pending.receive(.success(RedisReply(reply.assumingMemoryBound(to: redisReply.self))), at: slot.index)
                        } else {
                            // NULL: the connection is going away; its reason is known before the disconnect callback.
                            let context = UnsafePointer(context)
                            let reason = context!.pointee.err != 0
                                ? RedisError.unreachable("Redis at \(RedisConnection.address(of: context)): \(RedisConnection.errorText(context))")
                                : RedisConnection.owner(of: context)?.closeReason
                                    ?? .unreachable("Redis at \(RedisConnection.address(of: context)) closed the connection")
                            slot.pending.receive(.failure(reason), at: slot.index)
                        }
                    }, slot, count, argv, lengths)
                }
                if code != REDIS_OK {
                    // hiredis refused the command (the context is closing): the callback will never run.
                    Unmanaged<ReplySlot>.fromOpaque(slot).release()
                    pending.receive(.failure(closeReason ?? .unreachable("Redis connection to \(address) is closing")), at: index)
                }
            }
        }
        if isOpen { timer.stop() }
        return try result.get()
    }

    /// Sends AUTH when `password` is set and SELECT when `database` is not 0. An error reply closes the connection
    /// and throws `.refused` with Redis' words.
    package func logIn(password: String?, database: Int, timeout: UInt64) async throws(RedisError) {
        var commands: [[String]] = []
        if let password { commands.append(["AUTH", password]) }
        if database != 0 { commands.append(["SELECT", String(database)]) }
        do {
            try RedisReply.expectNoErrors(await send(commands, timeout: timeout))
        } catch {
            close()
            throw error
        }
    }

    /// Frees the connection; pending commands fail. Idempotent.
    package func close() { close(because: .unreachable("Redis connection to \(address) was closed")) }

    private func close(because reason: RedisError) {
        guard let context else { return }
        closeReason = reason
        // Calls back pending commands and, when connected, the disconnect callback (which runs contextGone).
        redisAsyncFree(context)
        contextGone(reason)
    }

    /// The context is freed or about to be: forget it, end whoever waits, and drop the context's retain of self.
    private func contextGone(_ reason: RedisError) {
        guard let context else { return }
        self.context = nil
        closeReason = closeReason ?? reason
        context.pointee.data = nil
        timer.close()
        connecting?.resume(returning: .failure(closeReason!))
        connecting = nil
        Unmanaged.passUnretained(self).release()
    }

    private static func owner(of context: UnsafePointer<redisAsyncContext>?) -> RedisConnection? {
        guard let data = context?.pointee.data else { return nil }
        return Unmanaged<RedisConnection>.fromOpaque(data).takeUnretainedValue()
    }

    private static func address(of context: UnsafePointer<redisAsyncContext>?) -> String {
        owner(of: context)?.address ?? "?"
    }

    private static func errorText(_ context: UnsafePointer<redisAsyncContext>?) -> String {
        guard let context, let text = context.pointee.errstr else { return "unknown error" }
        return String(cString: text)
    }

    /// Calls `body` with the C argument vector hiredis wants (binary-safe: pointers and lengths into one buffer);
    /// hiredis copies the arguments before returning.
    private static func withArgv(_ command: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Int32) -> Int32 {
        var bytes: [CChar] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in command {
            offsets.append(bytes.count)
            lengths.append(argument.utf8.count)
            bytes.append(contentsOf: argument.utf8.map { CChar(bitPattern: $0) })
        }
        bytes.append(0)  // Never empty, so the buffer has a base address.
        return bytes.withUnsafeBufferPointer { buffer in
            var argv: [UnsafePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { body(Int32(command.count), argv.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}

/// The replies of one `send`, filled in as hiredis calls back; resumes the sender once all arrived.
private final class PendingReplies {
    var continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>?
    private var replies: [RedisReply]
    private var remaining: Int
    private var failure: RedisError?

    init(count: Int) {
        replies = Array(repeating: .null, count: count)
        remaining = count
    }

    func receive(_ result: Result<RedisReply, RedisError>, at index: Int) {
        switch result {
        case .success(let reply): replies[index] = reply
        case .failure(let error): failure = failure ?? error
        }
        remaining -= 1
        if remaining == 0 {
            continuation?.resume(returning: failure.map { .failure($0) } ?? .success(replies))
            continuation = nil
        }
    }
}

/// What one command's callback needs: its batch and its place in it. Retained in the command's privdata and
/// taken back exactly once, by the callback or, when hiredis refused the command, right away.
private final class ReplySlot {
    let pending: PendingReplies
    let index: Int

    init(pending: PendingReplies, index: Int) {
        self.pending = pending
        self.index = index
    }
}
