import Foundation
import Loop
import Templates
import Testing
@testable import Pipeline

@Suite struct EventLogTests {
    private func payload(_ index: Int) -> [UInt8] { Array(#"{"n":\#(index),"pad":"\#(String(repeating: "x", count: index % 50))"}"#.utf8) }

    @Test func appendsReadBackInOrderAcrossSegmentsAndSurviveReopening() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let (ranges, read) = try await fixture.harness.onLoop { () async throws -> ([Range<UInt64>], [Int]) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 2_000)
            var ranges: [Range<UInt64>] = []
            for start in stride(from: 0, to: 300, by: 30) {
                ranges.append(try await log.append((start..<(start + 30)).map(payload)))
            }
            var position = try await log.position(of: 0)
            var seen: [Int] = []
            while true {
                let (entries, next) = try await log.read(from: position, limit: 37)
                if entries.isEmpty { break }
                for entry in entries {
                    guard case .object(let object) = try JSONValue(parsing: String(decoding: entry.payload, as: UTF8.self)),
                          case .number(let n)? = object["n"], UInt64(n) == entry.offset else { throw FileError(operation: "bad entry \(entry.offset)") }
                    seen.append(Int(n))
                }
                position = next
            }
            await log.close()
            return (ranges, seen)
        }
        #expect(ranges.first == 0..<30 && ranges.last == 270..<300)
        #expect(read == Array(0..<300))
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }
        #expect(segments.count > 3, "2 KB segments roll over")

        // Reopened: the end is where it was, and a reader can start in the middle of a middle segment.
        let (end, middle) = try await fixture.harness.onLoop { () async throws -> (UInt64, UInt64?) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 2_000)
            let position = try await log.position(of: 155)
            let first = try await log.read(from: position, limit: 1).entries.first?.offset
            await log.close()
            return (log.endOffset, first)
        }
        #expect(end == 300)
        #expect(middle == 155)
        #expect(await fixture.finish() == 0)
    }

    @Test func recoveryCutsATornTailAndKeepsEveryCompleteRecord() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        try await fixture.harness.onLoop {
            let log = try await EventLog.open(directory: directory, loop: loop)
            _ = try await log.append((0..<10).map(self.payload))
            await log.close()
        }
        // A crash mid-write: half a record's header and body at the end of the file.
        let segment = directory + "/00000000000000000000.log"
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([200, 0, 0, 0, 1, 2, 3, 4]) + Data("{\"n\":".utf8))
        handle.closeFile()

        let (truncated, end, next) = try await fixture.harness.onLoop { () async throws -> (Int, UInt64, Range<UInt64>) in
            let log = try await EventLog.open(directory: directory, loop: loop)
            let next = try await log.append([self.payload(10)])
            await log.close()
            return (log.recoveredTruncatedBytes, log.endOffset, next)
        }
        #expect(truncated == 13)
        #expect(next == 10..<11)
        #expect(end == 11)
        #expect(await fixture.finish() == 0)
    }

    @Test func concurrentAppendsShareFlushesAndTrimDropsCommittedSegments() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let ranges = try await fixture.harness.onLoop { () async throws -> [Range<UInt64>] in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000)
            var ranges: [Range<UInt64>] = []
            // Four rounds of 50 concurrent appends: each round shares a flush or two and fills a segment.
            for round in 0..<4 {
                ranges += try await withThrowingTaskGroup(of: Range<UInt64>.self) { group in
                    for index in (round * 50)..<(round * 50 + 50) {
                        group.addTask(executorPreference: loop) { try await log.append([self.payload(index)]) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(log.flushes < 200, "concurrent appends share fsyncs")
            // Reading every segment keeps a descriptor of each open; trimming closes those of the removed ones.
            var reading = try await log.position(of: 0)
            while reading.offset < 200 { reading = try await log.read(from: reading, limit: 1_000).next }
            #expect(Self.openFiles(in: directory).count > 3)
            await log.trim(below: 150)
            #expect(log.startOffset == 150)
            #expect(Self.openFiles(in: directory).allSatisfy { !$0.hasSuffix("(deleted)") }, "\(Self.openFiles(in: directory))")
            let position = try await log.position(of: 0)
            #expect(position.offset == log.startOffset, "a reader below the trimmed start begins at the start")
            await log.close()
            return ranges
        }
        #expect(Set(ranges.map(\.lowerBound)) == Set(0..<200))
        #expect(Self.openFiles(in: directory).isEmpty, "closing the log closes every descriptor")
        #expect(await fixture.finish() == 0)
    }
}

extension EventLogTests {
    /// What this process's descriptors open under `directory` (`/proc/self/fd`), with ` (deleted)` for removed files.
    static func openFiles(in directory: String) -> [String] {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
            .filter { $0.hasPrefix(directory + "/") }
    }
}

@Suite struct EventLogRetentionTests {
    @Test func retentionRemovesWholeClosedSegmentsBySizeThenByAgeAndReadersResumeAtTheStart() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/topic"
        let loop = fixture.loop
        let (bySize, start, firstRead, byAge, end) = try await fixture.harness.onLoop { () async throws -> (UInt64, UInt64, UInt64?, UInt64, UInt64) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000)
            for start in stride(from: 0, to: 200, by: 20) {
                _ = try await log.append((start..<(start + 20)).map { Array(#"{"n":\#($0),"pad":"\#(String(repeating: "x", count: 40))"}"#.utf8) })
            }
            // Far more than 4 KB are on disk; a fresh age limit removes nothing by age.
            let bySize = await log.retain(maxAge: .seconds(3_600), maxBytes: 4_000)
            let start = log.startOffset
            let first = try await log.read(from: try await log.position(of: 0), limit: 1).entries.first?.offset
            // Every closed segment is older than a negative age; the active one stays.
            let byAge = await log.retain(maxAge: .seconds(-10), maxBytes: .max)
            let end = log.endOffset
            await log.close()
            return (bySize, start, first, byAge, end)
        }
        #expect(bySize > 0 && start == bySize, "removed \(bySize), start \(start)")
        #expect(firstRead == start, "a reader asking for offset 0 resumes at the oldest record kept")
        #expect(byAge > 0)
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }
        #expect(segments.count == 1)
        #expect(end == 200)
    }
}
