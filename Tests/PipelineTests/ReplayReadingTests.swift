import Foundation
import Testing
@testable import Pipeline
import Templates

/// What replay reads: fallback file names, lines of plain and gzip files, the two line formats, and which paths a
/// replay may open at all.
@Suite struct ReplayReadingTests {
    private let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/fallback", withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func lines(of reader: LineReader, max: Int = 1000) throws -> [(Int, String)] {
        var all: [(Int, String)] = []
        while let chunk = try reader.next(maxLines: max) {
            #expect(chunk.lines.count <= max)
            all += chunk.lines.map { ($0.number, String(decoding: chunk.bytes[$0.range], as: UTF8.self)) }
        }
        return all
    }

    @Test func fallbackFileNamesGiveInstanceDestinationAndRotation() {
        let rotated = FallbackFileName("node-1-errors-pg-main-2026-11-25T09-57-10.411.log")
        #expect(rotated?.instance == "node-1")
        #expect(rotated?.destinationID == "pg-main")
        #expect(rotated?.rotatedAt == "2026-11-25T09-57-10.411")
        #expect(rotated?.gzipped == false)
        let active = FallbackFileName("n1-errors-pg.log")
        #expect(active?.rotatedAt == nil)
        #expect(active?.destinationID == "pg")
        #expect(FallbackFileName("n1-errors-pg-2026-11-25T09-57-10.411.log.gz")?.gzipped == true)
        #expect(FallbackFileName.rotated(instance: "a", destinationID: "b", stamp: "2026-11-25T09-57-10.411") == "a-errors-b-2026-11-25T09-57-10.411.log")
        for bad in ["n1-errors-.log", "-errors-pg.log", "n1-errors-pg.txt", "../n1-errors-pg.log", "n1-pg.log"] {
            #expect(FallbackFileName(bad) == nil, "\(bad)")
        }
    }

    @Test func theLastLineWithoutANewlineIsReadAndBlankLinesAndCarriageReturnsAreNot() throws {
        let path = try write("plain.log", Array("{\"a\":1}\r\n\n  \n{\"a\":2}\n{\"a\":3}".utf8))
        let read = try lines(of: LineReader(path: path), max: 2)
        #expect(read.map(\.0) == [1, 4, 5])
        #expect(read.map(\.1) == ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"])
    }

    @Test func manyChunksOfAFileBiggerThanOneReadComeBackWhole() throws {
        let line = "{\"padding\":\"" + String(repeating: "x", count: 300) + "\"}"
        let count = 10_000  // about 3 MB: several 1 MiB reads, lines split across them
        let path = try write("big.log", Array((0..<count).map { _ in line }.joined(separator: "\n").utf8))
        let reader = try LineReader(path: path)
        let read = try lines(of: reader, max: 777)
        #expect(read.count == count)
        #expect(read.allSatisfy { $0.1 == line })
        #expect(read.last?.0 == count)
        #expect(reader.bytesRead == reader.size)
        // A byte budget ends chunks before the line count does, in whole lines.
        let budgeted = try LineReader(path: path)
        let chunk = try #require(try budgeted.next(maxLines: 5_000, maxBytes: 4_096))
        #expect(chunk.lines.count == 4_096 / (line.utf8.count + 1) + 1)
    }

    @Test func gzipFilesAreInflatedIncludingSeveralMembersInARow() throws {
        let first = try Gzip.compress(Array("{\"n\":1}\n{\"n\":2}\n".utf8))
        let second = try Gzip.compress(Array("{\"n\":3}".utf8))
        let path = try write("n1-errors-pg-2026-11-25T09-57-10.411.log.gz", first + second)
        let reader = try LineReader(path: path)
        #expect(try lines(of: reader).map(\.1) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        #expect(reader.bytesRead == UInt64(first.count + second.count))
    }

    @Test func aGzipFileCutShortFailsInsteadOfEndingQuietly() throws {
        let whole = try Gzip.compress(Array(String(repeating: "{\"n\":1}\n", count: 1000).utf8))
        let path = try write("cut.gz", Array(whole.prefix(whole.count / 2)))
        #expect(throws: ReplayError.self) { try self.lines(of: LineReader(path: path)) }
    }

    @Test func fallbackLinesGiveTheirEventAndRawLinesThemselves() throws {
        let fallback = Array(#"{"error":"x","event":{"a":1},"event_id":"e"}"#.utf8)
        #expect(try ReplayFormat.fallback.event(in: fallback).get() == ["a": .number(1)])
        #expect(try ReplayFormat.raw_json.event(in: fallback).get()["error"] == .string("x"))
        if case .failure(let malformed) = ReplayFormat.fallback.event(in: Array(#"{"error":"x","malformed_event":"{"}"#.utf8)) {
            #expect(malformed.reason.contains("malformed_event"))
        } else {
            Issue.record("a malformed_event line holds no event")
        }
        for bad in ["{\"a\":", "[1]", "{\"event\":[1]}", "{\"event\":\"text\"}"] {
            #expect((try? ReplayFormat.fallback.event(in: Array(bad.utf8)).get()) == nil, "\(bad)")
        }
        #expect((try? ReplayFormat.raw_json.event(in: Array("[1]".utf8)).get()) == nil)
    }

    @Test func theScanBeforeAReplayJudgesLinesAsTheParserDoes() throws {
        let lines = [
            #"{"error":"x","event":{"a":1},"event_id":"e"}"#, #"{"event":{}}"#, #"{"event":{"a":[1,{"b":null}]},"x":"\u00e9"}"#,
            #"{"error":"x","malformed_event":"{"}"#, "{\"a\":", "[1]", "1", #"{"event":[1]}"#, #"{"event":"text"}"#, #"{"event":{"a":1},"event":2}"#,
            #"{"event":{"a":1}} x"#, #"{"a":"\q"}"#, "{\"a\":\"\u{1}\"}", #"{"a":01}"#, #"{"a":1.}"#, "{}",
            #"{"event":1,"event":{"b":2}}"#, #"{"event":{"a":1},"event":{"b":{"c":2}}}"#, #" { "event" : { "a" : 1 } , "malformed_event" : 1 } "#,
        ].map { Array($0.utf8) } + [[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]]  // invalid UTF-8 in a string
        for format in ReplayFormat.allCases {
            for line in lines {
                let parsed = format.event(in: line)
                let scanned = line.withUnsafeBufferPointer { format.check($0) }
                #expect(((try? parsed.get()) != nil) == (scanned == nil), "\(format) \(String(decoding: line, as: UTF8.self))")
                // The one-pass path, on a line inside a larger buffer as a chunk holds it: the same event or reason.
                let buffer = Array("{\"x\":\n".utf8) + line + Array("\n]".utf8)
                var shapes = ColumnShapes()
                switch format.flatEvent(in: buffer, line: 6..<(6 + line.count), shapes: &shapes) {
                case .success(let flat):
                    #expect(try flat.row.event == parsed.get(), "\(format) \(String(decoding: line, as: UTF8.self))")
                    #expect(try flat.row.columns == Flattener.flatten(parsed.get()))
                case .failure(let malformed):
                    #expect(malformed == scanned, "\(format) \(String(decoding: line, as: UTF8.self))")
                }
            }
        }
    }

    @Test func replayReadsOnlyFallbackFilesAndFilesInAllowedDirectories() throws {
        let fallback = directory + "/fallback"
        let allowed = directory + "/archive"
        let outside = directory + "/outside"
        for folder in [allowed, outside] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        _ = try write("fallback/n1-errors-pg-2026-11-25T09-57-10.411.log", Array("{}".utf8))
        _ = try write("archive/events.jsonl", Array("{}".utf8))
        _ = try write("outside/secret.log", Array("{}".utf8))
        try FileManager.default.createSymbolicLink(atPath: fallback + "/n1-errors-pg-2026-11-25T09-57-10.412.log", withDestinationPath: outside + "/secret.log")
        try FileManager.default.createSymbolicLink(atPath: allowed + "/link.jsonl", withDestinationPath: outside + "/secret.log")
        func resolve(_ name: String) throws(ReplayError) -> String {
            try ReplayPath.resolve(name, fallbackDirectory: fallback, allowedDirectories: [allowed])
        }
        #expect(try resolve("n1-errors-pg-2026-11-25T09-57-10.411.log").hasSuffix("/fallback/n1-errors-pg-2026-11-25T09-57-10.411.log"))
        #expect(try resolve(allowed + "/events.jsonl").hasSuffix("/archive/events.jsonl"))
        func refused(_ name: String) -> Bool {
            do {
                _ = try resolve(name)
                return false
            } catch {
                if case .refused = error { return true }
                return false
            }
        }
        #expect(refused("../outside/secret.log"))
        #expect(refused("n1-errors-pg-2026-11-25T09-57-10.412.log"))  // a symlink out of the fallback directory
        #expect(refused(allowed + "/link.jsonl"))  // a symlink out of the allowed directory
        #expect(refused(allowed + "/../outside/secret.log"))
        #expect(refused(outside + "/secret.log"))
        #expect(refused("archive/events.jsonl"))
        #expect(refused("/etc/passwd"))
        #expect(refused("secret.log"))
        #expect(refused("n1-errors-pg-2026-11-25T09-57-10.411.log.replay.json"))
        #expect(refused(""))
        #expect(throws: ReplayError.notFound("no file 'n1-errors-pg-2026-11-25T09-57-10.999.log' on this node")) {
            try resolve("n1-errors-pg-2026-11-25T09-57-10.999.log")
        }
        // Without allowed directories, no absolute path is readable.
        #expect(throws: ReplayError.self) { try ReplayPath.resolve(allowed + "/events.jsonl", fallbackDirectory: fallback, allowedDirectories: []) }
    }
}
