import Loop

/// One libpq connection opened on first use and again after it broke, for a user that talks to one server over
/// time (a destination, a source driver). Loop-bound.
package final class PostgresLink: @unchecked Sendable {
    package let settings: PostgresDestination.Settings
    private let loop: EventLoop
    private var connection: PostgresConnection?

    package init(loop: EventLoop, settings: PostgresDestination.Settings) {
        self.loop = loop
        self.settings = settings
    }

    /// The open connection, or a new one.
    package func connected() async throws(PostgresError) -> PostgresConnection {
        if let connection, connection.isUsable { return connection }
        drop()
        let fresh = try await PostgresConnection.connect(loop: loop, settings: settings)
        connection = fresh
        return fresh
    }

    /// Closes the connection; the next `connected()` opens another.
    package func drop() {
        connection?.close()
        connection = nil
    }
}
