import Foundation

/// What the last replay of a fallback file did, kept beside it in `<file>.replay.json` so the listing shows it on
/// every node and after restarts, and so a second replay of an uploaded file needs `force`.
public struct ReplayMark: Codable, Sendable, Equatable {
    /// Every line was stored or written to a new fallback file.
    public var uploaded: Bool
    /// Why the last replay failed; nil after a success.
    public var error: String?
    /// When the last replay ended, RFC 3339.
    public var at: String
    public var replayed: Int
    public var failed_again: Int
    public var skipped_malformed: Int
    /// After a failed replay: every line up to this one (1-based) is stored durably or in a new fallback file, so
    /// the next replay (without `force`) starts after it instead of storing those events twice.
    public var done_through_line: Int?

    public init(uploaded: Bool, error: String?, at: String, replayed: Int, failed_again: Int, skipped_malformed: Int, done_through_line: Int? = nil) {
        self.uploaded = uploaded
        self.error = error
        self.at = at
        self.replayed = replayed
        self.failed_again = failed_again
        self.skipped_malformed = skipped_malformed
        self.done_through_line = done_through_line
    }

    public static let suffix = ".replay.json"

    /// The mark of the file at `path`, nil when it was never replayed (or the mark cannot be read). Blocking.
    static func read(for path: String) -> ReplayMark? {
        guard let data = FileManager.default.contents(atPath: path + suffix) else { return nil }
        return try? JSONDecoder().decode(ReplayMark.self, from: data)
    }

    /// Blocking.
    func write(for path: String) throws {
        try FileIO.replace(path + Self.suffix, with: Array(try JSONEncoder().encode(self)))
    }
}
