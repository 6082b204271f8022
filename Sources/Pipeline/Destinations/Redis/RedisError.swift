/// Why a Redis call failed: the server could not be reached (the runner retries), or it refused the command.
package enum RedisError: Error, Equatable, CustomStringConvertible {
    /// Not resolved, refused, reset, timed out, or closed: worth another try later.
    case unreachable(String)
    /// The server answered with an error reply (`WRONGPASS ...`, `NOAUTH ...`).
    case refused(String)

    package var description: String {
        switch self {
        case .unreachable(let reason), .refused(let reason): reason
        }
    }
}
