import Foundation
import Testing
@testable import Pipeline

@Suite struct FileIOTests {
    /// A new file in the temporary directory, open for appending.
    private func temporaryFile() throws -> (fd: Int32, path: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-fileio-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        return (fd, path)
    }

    private func removeFile(_ fd: Int32, _ path: String) {
        close(fd)
        unlink(path)
    }

    /// A bulk write goes out a megabyte at a time: every byte lands, after what the file held, in order.
    @Test func pacedWritesAppendEveryByteAcrossTheirChunks() throws {
        let (fd, path) = try temporaryFile()
        defer { removeFile(fd, path) }
        let head = Array("first line\n".utf8)
        try FileIO.writeAll(fd, head, path: path)
        // Two whole chunks and part of a third, each byte telling its place.
        let bulk = (0..<((5 << 20) / 2)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 16) }
        try FileIO.writePaced(fd, bulk, path: path)
        try FileIO.writePaced(fd, [], path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(head + bulk))
    }

    /// Whether files in the temporary directory have pages for the disk to write: not on tmpfs, where nothing is
    /// dirty and the test below would prove nothing.
    static let temporaryDirectoryIsOnADisk: Bool = {
        let directory = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path + "/"
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        // The mount holding the directory is the one with the longest path that begins it (fields: device, path, type).
        var holding: (path: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 3 else { continue }
            let path = fields[1].hasSuffix("/") ? fields[1] : fields[1] + "/"
            if directory.hasPrefix(path), path.count > (holding?.path.count ?? 0) { holding = (path, fields[2]) }
        }
        return holding.map { $0.type != "tmpfs" } ?? false
    }()

    /// The machine's pages written but not yet on disk (`Dirty` and `Writeback` of /proc/meminfo), in KiB.
    private func unwrittenKiB() throws -> Int {
        try String(contentsOfFile: "/proc/meminfo", encoding: .utf8).split(separator: "\n").reduce(0) { sum, line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[0] == "Dirty:" || fields[0] == "Writeback:" else { return sum }
            return sum + (Int(fields[1]) ?? 0)
        }
    }

    /// A paced write returns with its bytes on the disk (a sync after it has no data left to write), where a plain
    /// write of as much leaves it all to the kernel's writeback.
    @Test(.enabled(if: temporaryDirectoryIsOnADisk)) func aPacedWriteLeavesNoPagesForTheDiskToWrite() throws {
        let (fd, path) = try temporaryFile()
        defer { removeFile(fd, path) }
        let bulk = [UInt8](repeating: 0x5A, count: 64 << 20)
        let start = try unwrittenKiB()
        try FileIO.writePaced(fd, bulk, path: path)
        let paced = try unwrittenKiB()
        try FileIO.writeAll(fd, bulk, path: path)
        let plain = try unwrittenKiB()
        #expect(paced - start < 8 << 10, "a paced write left \(paced - start) KiB unwritten")
        #expect(plain - paced > 32 << 10, "a plain write left \(plain - paced) KiB unwritten")
    }

    @Test func aPacedWriteToAClosedDescriptorFailsNamingTheFile() {
        let error = #expect(throws: FileError.self) { try FileIO.writePaced(-1, [1, 2, 3], path: "/nowhere/out.jsonl") }
        #expect(error?.description.hasPrefix("write /nowhere/out.jsonl: ") == true, "\(String(describing: error))")
    }
}
