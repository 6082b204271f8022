import Foundation
import Loop
import Templates

/// The fallback files on this node's disk, as `GET /api/v1/fallback` lists them. Listing only reads: it never
/// deletes or renames anything. Loop-bound.
public final class FallbackCatalog: @unchecked Sendable {
    /// One file, in the listing's JSON shape (Jitsu's fields plus size, events, modified and instance).
    public struct File: Codable, Sendable, Equatable {
        public let file_name: String
        public let destination_id: String
        /// The node whose disk holds it: where a replay of it runs.
        public let instance: String
        public let uploaded: Bool
        /// The last replay's error; absent when none failed.
        public let error: String?
        public let size: UInt64
        /// Non-blank lines.
        public let events: Int
        /// RFC 3339.
        public let modified: String
    }

    let directory: String
    let instance: String
    private let work: WorkQueue
    /// Line counts by path, valid while size and modification time are unchanged: rotated files never change, so
    /// each is counted once.
    private var counts: [String: (size: UInt64, modified: Int, events: Int)] = [:]

    public init(directory: String, instance: String, loop: EventLoop) {
        self.directory = directory
        self.instance = instance
        work = WorkQueue(loop: loop)
    }

    /// The files of the given destinations (all when nil), sorted by name; active files only with `includeActive`.
    public func list(destinationIDs: Set<String>?, includeActive: Bool) async throws -> [File] {
        let (directory, instance, known) = (directory, instance, counts)
        let found = try await work.run { () throws -> [(File, modified: Int)] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            var files: [(File, modified: Int)] = []
            for name in names.sorted() {
                guard let parsed = FallbackFileName(name), includeActive || parsed.rotatedAt != nil,
                      destinationIDs?.contains(parsed.destinationID) ?? true else { continue }
                let path = "\(directory)/\(name)"
                var status = stat()
                guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
                let size = UInt64(status.st_size)
                let modified = Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec)
                let events: Int
                if let cached = known[path], cached.size == size, cached.modified == modified {
                    events = cached.events
                } else {
                    // A file that cannot be read (removed meanwhile, broken gzip) is listed with what is known.
                    events = (try? Self.countLines(path)) ?? 0
                }
                let mark = ReplayMark.read(for: path)
                files.append((File(file_name: name, destination_id: parsed.destinationID, instance: instance,
                                   uploaded: mark?.uploaded ?? false, error: mark?.error, size: size, events: events,
                                   modified: RFC3339.format(seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int32(status.st_mtim.tv_nsec))),
                              modified))
            }
            return files
        }
        for (file, modified) in found {
            counts["\(directory)/\(file.file_name)"] = (file.size, modified, file.events)
        }
        return found.map(\.0)
    }

    /// Non-blank lines of the file, through the replay reader (so `.gz` files count their lines too). Blocking.
    static func countLines(_ path: String) throws -> Int {
        let reader = try LineReader(path: path)
        var count = 0
        while let chunk = try reader.next(maxLines: 100_000) { count += chunk.lines.count }
        return count
    }
}
