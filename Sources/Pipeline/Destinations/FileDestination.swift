import Foundation
import Loop
import NodeConfig
import Synchronization
import Templates

/// Events as JSON lines under a directory, one file per table (`<table>.jsonl`), rotated to
/// `<table>-<UTC time>.jsonl` when it passes `max_file_mb`. The embedded default destination, so a node with no
/// database still delivers somewhere. Every batch is fsynced before `store` returns.
public final class FileDestination: Destination, @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        /// `file.path`; relative paths are inside the node's data directory. Default `files/<destination id>`.
        public var path: String?
        /// `file.max_file_mb`: the size past which a table's file is rotated.
        public var maxFileBytes = 100 << 20

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            var section = try reader.section("file")
            path = try section.string("path")
            if let megabytes = try section.int("max_file_mb") {
                guard megabytes >= 1 else { throw ConfigError.invalidValue(path: section.path(of: "max_file_mb"), reason: "must be at least 1") }
                maxFileBytes = megabytes << 20
            }
            try section.finish()
        }
    }

    public let id: String
    /// The directory the files are in.
    public let directory: String
    private let maxFileBytes: Int
    private let work: WorkQueue
    /// Open files by table; touched only inside work items, which `store`'s one-at-a-time contract serializes.
    private let files = Mutex<[String: Int32]>([:])

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        let path = settings.path ?? "files/\(id)"
        directory = path.hasPrefix("/") ? path : "\(context.dataDirectory)/\(path)"
        maxFileBytes = settings.maxFileBytes
        work = WorkQueue(loop: context.loop)
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        do {
            // Encoding a large batch is CPU work for the background threads; the write and fsync go to the pool.
            let bytes = try await BackgroundWork.shared.run {
                var bytes: [UInt8] = []
                for row in batch.rows {
                    row.appendEventJSON(to: &bytes)
                    bytes.append(UInt8(ascii: "\n"))
                }
                return bytes
            }
            try await work.run { [self] in try append(bytes, table: batch.table) }
            return .allStored
        } catch {
            // A full or read-only disk is not the events' fault, and another attempt may succeed.
            return .unreachable("\(error)")
        }
    }

    private func append(_ bytes: [UInt8], table: String) throws {
        try files.withLock { files in
            let path = "\(directory)/\(table).jsonl"
            var fd = files[table] ?? -1
            if fd < 0 {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw FileError(operation: "open \(path)") }
                files[table] = fd
            }
            try FileIO.writePaced(fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw FileError(operation: "fsync \(path)") }
            // The node never reads these files back: their synced pages leave the page cache now, so the memory
            // goes to the next writes instead of each batch taking pages it has never used.
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
            var status = stat()
            if fstat(fd, &status) == 0, Int(status.st_size) >= maxFileBytes {
                Glibc.close(fd)
                files[table] = nil
                let stamp = RFC3339.now().replacingOccurrences(of: ":", with: "-")
                guard rename(path, "\(directory)/\(table)-\(stamp).jsonl") == 0 else { throw FileError(operation: "rotate \(path)") }
            }
        }
    }

    public func testConnection() async throws(DestinationFailure) {
        let directory = directory
        do {
            try await work.run {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let probe = "\(directory)/.rivulet-test-\(UInt64.random(in: 0...UInt64.max))"
                let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw FileError(operation: "create a file in \(directory)") }
                Glibc.close(fd)
                unlink(probe)
            }
        } catch {
            throw DestinationFailure("\(error)")
        }
    }

    public var storesColumns: Bool { false }
    public var readsEvent: Bool { false }

    public func close() async {
        _ = try? await work.run { [self] in
            files.withLock { open in
                for fd in open.values { Glibc.close(fd) }
                open.removeAll()
            }
        }
    }
}
