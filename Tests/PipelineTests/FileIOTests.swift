import Foundation
import Testing
@testable import Pipeline

@Suite struct FileIOTests {
    /// A bulk write goes out a megabyte at a time: every byte lands, after what the file held, in order.
    @Test func pacedWritesAppendEveryByteAcrossTheirChunks() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-fileio-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        let head = Array("first line\n".utf8)
        try FileIO.writeAll(fd, head, path: path)
        // Two whole chunks and part of a third, each byte telling its place.
        let bulk = (0..<((5 << 20) / 2)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 16) }
        try FileIO.writePaced(fd, bulk, path: path)
        try FileIO.writePaced(fd, [], path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(head + bulk))
    }

    @Test func aPacedWriteToAClosedDescriptorFailsNamingTheFile() {
        let error = #expect(throws: FileError.self) { try FileIO.writePaced(-1, [1, 2, 3], path: "/nowhere/out.jsonl") }
        #expect(error?.description.hasPrefix("write /nowhere/out.jsonl: ") == true, "\(String(describing: error))")
    }
}
