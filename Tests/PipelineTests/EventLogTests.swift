import Foundation
import Synchronization
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
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }
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
        let segment = directory + "/00000000000000000000.seg"
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
            // The segment holding record 150 stays; those before it go. Where it begins depends on how the
            // flusher split round three's appends: a flush that finds the segment full begins the next one.
            #expect((101...150).contains(log.startOffset), "start \(log.startOffset)")
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

    private struct Refused: Error {}

    @Test func encodedAppendsRunOffTheLoopAndARefusedOneLeavesNoGapInTheirFlush() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let encodedOnLoop = Atomic<Bool>(false)
        let (outcomes, read, end) = try await fixture.harness.onLoop { () async throws -> ([String], [String], UInt64) in
            let log = try await EventLog.open(directory: directory, loop: loop)
            @Sendable func encoded(_ names: [String]) -> @Sendable () throws -> [[UInt8]] {
                { [payload = names.map { Array(#"{"n":"\#($0)"}"#.utf8) }] in
                    if loop.isInLoopThread { encodedOnLoop.store(true, ordering: .relaxed) }
                    if names.isEmpty { throw Refused() }
                    return payload
                }
            }
            // Started together, they gather while the flusher starts, so the refused one usually shares a flush with
            // accepted ones; either way the accepted offsets must come out contiguous.
            let appends: [(String, @Sendable () async throws -> Range<UInt64>)] = [
                ("a", { try await log.append([Array(#"{"n":"a"}"#.utf8)]) }),
                ("b c", { try await log.append(encodedBy: encoded(["b", "c"])) }),
                ("refused", { try await log.append(encodedBy: encoded([])) }),
                ("d", { try await log.append([Array(#"{"n":"d"}"#.utf8)]) }),
                ("e", { try await log.append(encodedBy: encoded(["e"])) }),
            ]
            let outcomes = await withTaskGroup(of: (Int, String).self) { group in
                for (index, (name, append)) in appends.enumerated() {
                    group.addTask(executorPreference: loop) {
                        do { return (index, "\(name) \(try await append())") } catch { return (index, "\(name) \(type(of: error))") }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.map(\.value)
            }
            // A flush whose every append is refused writes nothing.
            let refusedAlone = try? await log.append(encodedBy: encoded([]))
            #expect(refusedAlone == nil)
            let position = try await log.position(of: 0)
            let entries = try await log.read(from: position, limit: 100).entries
            await log.close()
            return (outcomes, entries.map { String(decoding: $0.payload, as: UTF8.self) + "@\($0.offset)" }, log.endOffset)
        }
        #expect(outcomes == ["a 0..<1", "b c 1..<3", "refused Refused", "d 3..<4", "e 4..<5"])
        #expect(read == [#"{"n":"a"}@0"#, #"{"n":"b"}@1"#, #"{"n":"c"}@2"#, #"{"n":"d"}@3"#, #"{"n":"e"}@4"#])
        #expect(end == 5)
        let ranOnLoop = encodedOnLoop.load(ordering: .relaxed)
        #expect(!ranOnLoop, "encoding runs on the flush's I/O thread")
        #expect(await fixture.finish() == 0)
    }

    @Test func aSegmentThatCannotBeBegunFailsItsAppendAndClosesNoOtherFile() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let (refused, reusedStaysOpen, later) = try await fixture.harness.onLoop { () async throws -> (Bool, Bool, Range<UInt64>) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 100)
            _ = try await log.append((0..<5).map(self.payload))
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
            let appending = try #require(descriptors.first { name in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) == directory + "/00000000000000000000.seg"
            }.flatMap { Int32($0) })
            // The segment is full: the next append begins segment 5, whose name a directory holds.
            let blocker = directory + "/00000000000000000005.seg"
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
            let refused = (try? await log.append([self.payload(5)])) == nil
            // Another file gets the descriptor number the full segment had.
            let other = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if other != appending {
                #expect(dup2(other, appending) == appending)
                close(other)
            }
            try FileManager.default.removeItem(atPath: blocker)
            let later = try await log.append([self.payload(5)])
            // Closed and reopened, the number would now name the new segment.
            let reusedStaysOpen = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(appending)")) == "/dev/null"
            close(appending)
            await log.close()
            return (refused, reusedStaysOpen, later)
        }
        #expect(refused)
        #expect(reusedStaysOpen, "beginning the segment again closed a descriptor the log no longer owned")
        #expect(later == 5..<6)
        #expect(await fixture.finish() == 0)
    }
}

@Suite struct EventLogRecyclingTests {
    /// Records of one size, so a recycled file's old records sit exactly where the new ones' successors would.
    private func record(_ index: Int) -> [UInt8] { Array(String(format: #"{"n":%08d}"#, index).utf8) }

    private func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private func names(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// Every record from the log's start, checked against its offset.
    private func readAll(_ log: EventLog) async throws -> [UInt64] {
        var position = try await log.position(of: 0)
        var offsets: [UInt64] = []
        while true {
            let (entries, next) = try await log.read(from: position, limit: 7)
            if entries.isEmpty { return offsets }
            for entry in entries {
                #expect(entry.payload == record(Int(entry.offset)), "record \(entry.offset)")
                offsets.append(entry.offset)
            }
            position = next
        }
    }

    @Test func trimmedSegmentsBecomeSparesThatNewSegmentsWriteOverWithoutReadingTheirOldRecords() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let (spareInodes, read) = try await fixture.harness.onLoop { () async throws -> (Set<UInt64>, [UInt64]) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000, spareSegments: 2)
            // 50 records of 22 bytes per flush: one segment of 1,100 bytes each.
            for start in stride(from: 0, to: 250, by: 50) {
                _ = try await log.append((start..<(start + 50)).map(record))
            }
            await log.trim(below: 200)
            let read = try await readAll(log)
            await log.close()
            return (Set(try names(in: directory).filter { $0.hasPrefix("spare-") }.compactMap { inode(directory + "/" + $0) }), read)
        }
        let afterTrim = try names(in: directory)
        #expect(spareInodes.count == 2, "two of the four trimmed segments kept: \(afterTrim)")
        #expect(read == Array(200..<250))

        // New segments take the spares; 10 records fill only part of the second, whose old records follow them.
        let (afterReuse, end) = try await fixture.harness.onLoop { () async throws -> ([UInt64], UInt64) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000, spareSegments: 2)
            _ = try await log.append((250..<300).map(record))
            _ = try await log.append((300..<310).map(record))
            // Not closed: as after a crash, the active segment still holds the spare's old records after its own.
            return (try await readAll(log), log.endOffset)
        }
        #expect(afterReuse == Array(200..<310))
        #expect(end == 310)
        let segments = try names(in: directory).filter { $0.hasSuffix(".seg") && !$0.hasPrefix("spare-") }
        #expect(Set(segments.compactMap { inode(directory + "/" + $0) }).isSuperset(of: spareInodes), "\(segments)")
        #expect(try names(in: directory).allSatisfy { !$0.hasPrefix("spare-") })
        let last = directory + "/" + segments.last!
        let size = try #require(try FileManager.default.attributesOfItem(atPath: last)[.size] as? Int)
        #expect(size > 10 * 22, "the recycled file is longer than its new records")

        // Recovery stops at the end of the new records: the old ones are intact but bound to other offsets.
        let (cut, recovered, next) = try await fixture.harness.onLoop { () async throws -> (Int, [UInt64], Range<UInt64>) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000, spareSegments: 2)
            let next = try await log.append([self.record(310)])
            let recovered = try await readAll(log)
            await log.close()
            return (log.recoveredTruncatedBytes, recovered, next)
        }
        #expect(cut == size - 10 * 22)
        #expect(next == 310..<311)
        #expect(recovered == Array(200..<311))
        #expect(await fixture.finish() == 0)
    }

    @Test func withNoSpareLeftTheLogWritesOneAheadAndItsNextSegmentWritesOverIt() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Left by a crash while a spare was being made: never taken for a spare.
        FileManager.default.createFile(atPath: directory + "/preparing.tmp", contents: Data([1, 2, 3]))
        let loop = fixture.loop
        @Sendable func spares() throws -> [String] { try names(in: directory).filter { $0.hasPrefix("spare-") } }
        let (prepared, read, size) = try await fixture.harness.onLoop { () async throws -> (UInt64?, [UInt64], Int) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000, spareSegments: 2,
                                              preparesSpares: true)
            #expect(try self.names(in: directory) == ["00000000000000000000.seg"])
            // 1,100 bytes: past half the first segment, so a spare is made on an I/O thread.
            _ = try await log.append((0..<50).map(self.record))
            let deadline = ContinuousClock.now + .seconds(10)
            while try spares().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let spare = try #require(try spares().first)
            let contents = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + spare))
            #expect(contents.count == 1_000 && contents.allSatisfy { $0 == 0xFF }, "written whole, with no record in it")
            let prepared = self.inode(directory + "/" + spare)
            // The first segment is full: the next append begins a segment, over the spare. 220 bytes stay under
            // half of it, so no other spare is made.
            _ = try await log.append((50..<60).map(self.record))
            let read = try await readAll(log)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/00000000000000000050.seg")
            // Not closed: as after a crash, the segment still holds the rest of the spare's fill.
            return (prepared, read, try #require(attributes[.size] as? Int))
        }
        #expect(prepared != nil && inode(directory + "/00000000000000000050.seg") == prepared)
        #expect(read == Array(0..<60))
        #expect(size == 1_000)
        #expect(try spares().isEmpty)

        // Recovery stops where the records end and the fill begins.
        let (cut, recovered) = try await fixture.harness.onLoop { () async throws -> (Int, [UInt64]) in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 1_000, spareSegments: 2,
                                              preparesSpares: true)
            _ = try await log.append([self.record(60)])
            let recovered = try await readAll(log)
            await log.close()
            return (log.recoveredTruncatedBytes, recovered)
        }
        #expect(cut == 1_000 - 10 * 22)
        #expect(recovered == Array(0..<61))
        #expect(!FileManager.default.fileExists(atPath: directory + "/preparing.tmp"))
        #expect(await fixture.finish() == 0)
    }

    /// Closing while a spare is being made waits for it: the file is finished and kept, or abandoned and removed,
    /// never left half written beside the log.
    @Test func closingWhileASpareIsMadeLeavesItWholeOrGone() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let segmentBytes = 16 << 20
        try await fixture.harness.onLoop { () async throws in
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: segmentBytes, spareSegments: 2,
                                              preparesSpares: true)
            // Past half the segment: a 16 MiB spare starts, and the log closes while it is written.
            _ = try await log.append((0..<9).map { _ in [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20) })
            await log.close()
        }
        let names = try names(in: directory)
        #expect(!names.contains("preparing.tmp"), "\(names)")
        for spare in names where spare.hasPrefix("spare-") {
            let size = try FileManager.default.attributesOfItem(atPath: directory + "/" + spare)[.size] as? Int
            #expect(size == segmentBytes, "\(spare) is whole")
        }
        #expect(await fixture.finish() == 0)
    }

    @Test func segmentsOfTheUnboundFormatAreReadAndAppendsGoToANewSegment() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Written before records were bound to offsets: `.log` files, the last with a torn record at its end.
        var first: [UInt8] = []
        for index in 0..<20 { LogFrame.append(record(index), to: &first) }
        LogFrame.seal(&first, from: nil)
        var second: [UInt8] = []
        for index in 20..<25 { LogFrame.append(record(index), to: &second) }
        LogFrame.seal(&second, from: nil)
        second += [30, 0, 0, 0, 9, 9]
        FileManager.default.createFile(atPath: directory + "/00000000000000000000.log", contents: Data(first))
        FileManager.default.createFile(atPath: directory + "/00000000000000000020.log", contents: Data(second))
        let loop = fixture.loop
        let (cut, range, read) = try await fixture.harness.onLoop { () async throws -> (Int, Range<UInt64>, [UInt64]) in
            // Segments this small would be kept as spares if they were `.seg` files.
            let log = try await EventLog.open(directory: directory, loop: loop, maxSegmentBytes: 100, spareSegments: 2)
            let range = try await log.append([self.record(25), self.record(26)])
            let read = try await readAll(log)
            await log.trim(below: 25)
            await log.close()
            return (log.recoveredTruncatedBytes, range, read)
        }
        #expect(cut == 6)
        #expect(range == 25..<27)
        #expect(read == Array(0..<27))
        #expect(try names(in: directory).filter { $0.contains("0000") } == ["00000000000000000025.seg"],
                "trimmed `.log` segments are deleted, not kept as spares")
        #expect(await fixture.finish() == 0)
    }
}

@Suite struct LogFrameTests {
    @Test func aBoundRecordDecodesOnlyAtItsOwnOffset() {
        var frames: [UInt8] = []
        LogFrame.append(Array("abc".utf8), to: &frames)
        LogFrame.append(Array("defg".utf8), to: &frames)
        var unbound = frames
        LogFrame.seal(&unbound, from: nil)
        LogFrame.seal(&frames, from: 41)
        guard case .record(let payload, let size) = LogFrame.decode(frames, at: 11, offset: 42) else {
            Issue.record("record 42 does not decode")
            return
        }
        #expect(Array(payload) == Array("defg".utf8) && size == 12)
        #expect(corrupt(LogFrame.decode(frames, at: 0, offset: 42)))
        #expect(!corrupt(LogFrame.decode(frames, at: 11, offset: 42 + (1 << 32))), "the low 32 bits bind")
        #expect(!corrupt(LogFrame.decode(unbound, at: 0, offset: nil)))
        #expect(corrupt(LogFrame.decode(unbound, at: 0, offset: 41)))
    }

    private func corrupt(_ decoded: LogFrame.Decoded) -> Bool {
        if case .corrupt = decoded { return true }
        return false
    }

    /// CRC-32 a bit at a time, as the IEEE 802.3 polynomial defines it.
    private func bitwiseCRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Segments on disk keep their checksums: whichever way the CPU computes them, they are the CRC-32 written
    /// before, for every length (the fast path folds whole 16-byte blocks of 64 bytes or more) and alignment.
    @Test func checksumsAreTheIEEECRC32AtEveryLengthAndAlignment() {
        let bytes = (0..<2_200).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        #expect(LogFrame.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926, "the standard check value")
        for length in 0...2_100 {
            let start = length % 16
            let slice = bytes[start..<(start + length)]
            guard LogFrame.checksum(slice) == bitwiseCRC32(slice) else {
                Issue.record("length \(length) at \(start)")
                return
            }
        }
        let ones = [UInt8](repeating: 0xFF, count: 1_024)
        #expect(LogFrame.checksum(ones[...]) == bitwiseCRC32(ones[...]))
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
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }
        #expect(segments.count == 1)
        #expect(end == 200)
    }
}
