/// Why a driver could not read a source, sorted by what the runner does about it. Messages keep the system's own
/// words (libpq's, the server's, Redis').
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The system could not be reached or the connection broke (refused, reset, timed out): a later run may succeed.
    case unreachable(String)
    /// The system answered with an error (login refused, missing table or column, malformed query, `NOAUTH`): runs
    /// fail the same way until someone changes the configuration or the system.
    case refused(String)

    public var description: String {
        switch self {
        case .unreachable(let reason), .refused(let reason): reason
        }
    }
}
