import CLibPQ
import Loop

extension PostgresConnection {
    /// Why libpq cannot be used, or nil once it is open (it is opened on first use, not when the node starts).
    static var libpqFailure: String? {
        cpq_load().map { "PostgreSQL needs libpq, which cannot be opened: \(String(cString: $0))" }
    }

    /// Opens a connection with `PQconnectStartParams` and `PQconnectPoll`, within `settings.connectTimeout`.
    ///
    /// The host name is resolved on the loop's thread pool first and handed to libpq as `hostaddr`, because libpq
    /// would otherwise call the blocking `getaddrinfo` itself. Throws `.unreachable` when no server answered in
    /// time (host not found, refused, timeout) and `.loginRefused` when one answered with an error.
    package static func connect(loop: EventLoop, settings: PostgresDestination.Settings) async throws(PostgresError) -> PostgresConnection {
        loop.assertInLoop()
        // The same answer every time, as a refused login is.
        if let failure = libpqFailure { throw .loginRefused(failure) }
        let deadline = loop.now + settings.connectTimeout.milliseconds
        let target = "\(settings.host):\(settings.port)"
        let timedOut = "connecting to \(target) timed out after \(settings.connectTimeout.milliseconds / 1000) s"
        var options = settings.parameters
        options["host"] = settings.host
        if !settings.host.hasPrefix("/") {
            let addresses = try await resolve(settings.host, port: settings.port, loop: loop)
            guard loop.now < deadline else { throw .unreachable(timedOut) }
            // One host entry per address: libpq tries them in turn, as it would after its own lookup.
            options["host"] = Array(repeating: settings.host, count: addresses.count).joined(separator: ",")
            options["hostaddr"] = addresses.map(\.host).joined(separator: ",")
        }
        options["port"] = String(settings.port)
        options["dbname"] = settings.database
        options["user"] = settings.username
        options["password"] = settings.password
        // COPY text and every value rivulet sends are UTF-8, whatever the database's encoding.
        options["client_encoding"] = "UTF8"
        options["fallback_application_name"] = "rivulet"
        let keys = options.keys.sorted()
        let started = withCStrings(keys) { keywords in
            withCStrings(keys.map { options[$0] }) { values in
                (keywords + [nil]).withUnsafeBufferPointer { keywords in
                    (values + [nil]).withUnsafeBufferPointer { PQconnectStartParams(keywords.baseAddress, $0.baseAddress, 0) }
                }
            }
        }
        guard let conn = started else { throw .unreachable("libpq could not allocate a connection") }
        if PQstatus(conn) == CONNECTION_BAD {
            defer { PQfinish(conn) }
            throw .connectFailure(String(cString: PQerrorMessage(conn)))
        }
        // Verbose errors carry the SQLSTATE that tells a refused login from a busy server (see connectFailure).
        PQsetErrorVerbosity(conn, PQERRORS_VERBOSE)
        let connection = try PostgresConnection(loop: loop, conn: conn, queryTimeout: settings.queryTimeout)
        do throws(PostgresError) {
            try await connection.finishConnecting(until: deadline, timedOut: timedOut)
        } catch {
            connection.close()
            throw error
        }
        PQsetErrorVerbosity(conn, PQERRORS_DEFAULT)
        guard PQsetnonblocking(conn, 1) == 0 else {
            defer { connection.close() }
            throw connection.libpqFailure()
        }
        return connection
    }

    /// Drives `PQconnectPoll` to the end. Before the first call libpq wants a writable socket (libpq "Database
    /// Connection Control Functions"); the socket may change at every step, so each wait watches it afresh.
    private func finishConnecting(until deadline: UInt64, timedOut: String) async throws(PostgresError) {
        var state = PGRES_POLLING_WRITING
        while state != PGRES_POLLING_OK {
            switch state {
            case PGRES_POLLING_FAILED: throw .connectFailure(String(cString: PQerrorMessage(conn)))
            case PGRES_POLLING_READING:
                renewPoll()
                try await wait(for: .readable, until: deadline, timeoutReason: timedOut)
            default:
                renewPoll()
                try await wait(for: .writable, until: deadline, timeoutReason: timedOut)
            }
            state = PQconnectPoll(conn)
        }
        renewPoll()
    }

    private static func resolve(_ host: String, port: Int, loop: EventLoop) async throws(PostgresError) -> [SocketAddress] {
        let addresses: [SocketAddress]
        do {
            addresses = try await loop.resolve(host: host, port: port)
        } catch let error as LoopError {
            throw .unreachable("could not resolve host \"\(host)\": \(error.name)")
        } catch {
            throw .unreachable("could not resolve host \"\(host)\": \(error)")
        }
        guard !addresses.isEmpty else { throw .unreachable("could not resolve host \"\(host)\": no addresses") }
        return addresses
    }
}
