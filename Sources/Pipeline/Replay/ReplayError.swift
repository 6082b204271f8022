/// Why a replay stopped or was refused. The routes map each case to its status.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request names something that cannot be replayed (a path outside the allowed directories, a symlink
    /// out, an unknown destination): 400.
    case refused(String)
    /// No such file: 404.
    case notFound(String)
    /// The file is being replayed, or was replayed already and `force` is not set: 409.
    case conflict(String)
    /// A malformed line without `skip_malformed`: 400, nothing written.
    case malformed(line: Int, reason: String)
    /// The file cannot be read (I/O error, broken gzip, a line beyond the size limit).
    case unreadable(String)
    /// The destination stayed unreachable, or the fallback file for events failing again could not be written;
    /// what was stored before stays stored.
    case destination(String)

    public var description: String {
        switch self {
        case .refused(let reason), .notFound(let reason), .conflict(let reason), .unreadable(let reason), .destination(let reason):
            reason
        case .malformed(let line, let reason):
            "line \(line) is malformed: \(reason); nothing was replayed (set skip_malformed to skip such lines)"
        }
    }
}
