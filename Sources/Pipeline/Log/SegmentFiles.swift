import Foundation
import Loop
import Synchronization

/// An event log's directory: segment files named by their first offset (`00000000000000001234.seg`).
/// Blocking: every method runs on the work queue. The writer's methods run one at a time (the log starts a flush
/// only when none runs); readers read only below the durable end the loop hands them, through descriptors kept
/// open per segment.
///
/// Recycling (`spareLimit` > 0): a segment every reader has passed becomes a spare (`spare-<base>.seg`) instead of
/// being deleted, and the next segment begins as that file, written over from its start, as PostgreSQL recycles WAL
/// segments. An `fdatasync` after writes that grow a file must also write the file's new size and block map, a
/// second disk write (on a journaling ext4, a journal commit that first writes out other files' pending data: a
/// destination's batch, say); writes over blocks already on disk need only the data itself. The old records a
/// spare still holds cannot pass for new ones (`LogFrame.seal`), so recovery and readers stop where the new records
/// end. Segments written before recycling (`.log`, unbound records) are read as they are and never written again.
///
/// Preparing (`preparesSpares`): while no spare is left, one is made ahead of need, written whole and synced on an
/// I/O thread once the active segment is half full, as PostgreSQL pre-fills WAL segments. A busy node writes a
/// segment in about a second and a delivery trims segments only every few seconds, so without this a fresh node (and
/// one whose destinations lag) grew every segment: on this project's test VM a flush's sync over written blocks took
/// 140 µs against 220-290 µs for one that grows the file, and ingestion ran at 48-53k req/s on spares against
/// 37-46k on growing files. The fill is bytes 0xFF: a length no record can have, so a reader stops at it.
final class SegmentFiles: @unchecked Sendable {
    let directory: String
    /// A segment is closed and a new one begun once it grows past this.
    let maxSegmentBytes: Int
    /// Or once it is this old (seconds), so retention by age can remove a slow log's old records: it removes whole
    /// closed segments only. Nil: by size alone.
    let maxSegmentAge: Int?
    /// How many removed segments are kept as spares.
    let spareLimit: Int
    /// Whether a spare is made when none is left.
    let preparesSpares: Bool
    /// Spare files, ready to become segments.
    private let spares = Mutex<[String]>([])
    /// Whether a spare is being made, and whether the files are closed (no spare is begun then, and the one being
    /// made is abandoned); `prepared` is signalled when a spare ends while the files close.
    private let preparation = Mutex<(running: Bool, closed: Bool)>((false, false))
    private let prepared = DispatchSemaphore(value: 0)
    /// `.log` segments found at recovery; set before the log is used, read-only after.
    private var unbound: Set<UInt64> = []
    private var activeFD: Int32 = -1
    private(set) var activeBase: UInt64 = 0
    private(set) var activeSize = 0
    /// When the active segment was begun or reopened (seconds since 1970).
    private var activeOpenedAt = 0
    /// Read descriptors by segment, open until the segment is removed or the log closed: readers tail the log after
    /// every group commit, and opening the file for each read cost a busy node a tenth of its CPU per request. A
    /// read holds the lock while it uses its descriptor, so removal never closes one under it.
    private let readers = Mutex<[UInt64: Int32]>([:])

    init(directory: String, maxSegmentBytes: Int, maxSegmentAge: Int? = nil, spareLimit: Int = 0, preparesSpares: Bool = false) {
        self.directory = directory
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAge = maxSegmentAge
        self.spareLimit = spareLimit
        self.preparesSpares = preparesSpares && spareLimit > 0
    }

    /// A spare being made; never read as one (a crash may leave it half written).
    private var preparingPath: String { "\(directory)/preparing.tmp" }

    private static func digits(_ base: UInt64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    func path(of base: UInt64) -> String {
        "\(directory)/\(Self.digits(base)).\(unbound.contains(base) ? "log" : "seg")"
    }

    /// The offset the checksum of record `offset` in segment `base` is bound to (nil in a `.log` segment).
    private func binding(_ offset: UInt64, in base: UInt64) -> UInt64? {
        unbound.contains(base) ? nil : offset
    }

    /// What recovery found: the segments' first offsets in order, and the next offset to assign.
    struct Recovery {
        var segments: [UInt64]
        var nextOffset: UInt64
        /// Bytes cut after the last segment's last record: a write torn by a crash (never acknowledged), or a
        /// recycled file's old records.
        var truncatedBytes: Int
    }

    /// Opens the log for appending: lists the segments and spares, scans the last segment record by record, and
    /// cuts what follows its last record (torn by a crash, or left from the file's earlier use). Earlier segments
    /// were fsynced whole before the next one began, so they are not rescanned. A last segment of the `.log` format
    /// is cut the same way and closed: appends go to a new segment.
    func recover() throws -> Recovery {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var segments: [UInt64] = []
        var found: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            if name.hasPrefix("spare-"), name.hasSuffix(".seg") {
                found.append("\(directory)/\(name)")
            } else if name.count == 24, let base = UInt64(name.prefix(20)), name.hasSuffix(".seg") || name.hasSuffix(".log") {
                segments.append(base)
                if name.hasSuffix(".log") { unbound.insert(base) }
            }
        }
        for extra in found.dropFirst(spareLimit) { unlink(extra) }
        unlink(preparingPath)
        spares.withLock { $0 = Array(found.prefix(spareLimit)) }
        segments.sort()
        if segments.isEmpty { segments = [0] }
        let base = segments.last!
        let path = path(of: base)
        let bytes = (try? Array(Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        var position = 0
        var count: UInt64 = 0
        scan: while true {
            switch LogFrame.decode(bytes, at: position, offset: binding(base + count, in: base)) {
            case .record(_, let size):
                position += size
                count += 1
            case .incomplete, .corrupt:
                break scan
            }
        }
        let next = base + count
        if unbound.contains(base) {
            if count == 0 {
                unlink(path)
                unbound.remove(base)
                segments.removeLast()
            } else {
                try cut(path, to: position)
            }
            segments.append(next)
            try openActive(base: next, at: 0)
        } else {
            try openActive(base: base, at: position)
        }
        return Recovery(segments: segments, nextOffset: next, truncatedBytes: bytes.count - position)
    }

    private func cut(_ path: String, to size: Int) throws {
        guard truncate(path, off_t(size)) == 0 else { throw FileError(operation: "truncate \(path)") }
    }

    /// Makes segment `base` the active one, appending at byte `size`. `truncates`: cut the file there first (not a
    /// spare, whose blocks the appends are to write over).
    private func openActive(base: UInt64, at size: Int, truncates: Bool = true) throws {
        if activeFD >= 0 { close(activeFD) }
        // Not left naming a closed descriptor if the open fails: the next begin would close it again, by then
        // perhaps another file's or a socket's.
        activeFD = -1
        let path = path(of: base)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(operation: "open \(path)") }
        guard !truncates || ftruncate(fd, off_t(size)) == 0, lseek(fd, off_t(size), SEEK_SET) >= 0 else {
            let error = FileError(operation: "truncate \(path)")
            close(fd)
            throw error
        }
        activeFD = fd
        activeBase = base
        activeSize = size
        activeOpenedAt = time(nil)
        try syncDirectory()
    }

    /// Begins segment `base`, from a spare when there is one.
    private func beginSegment(_ base: UInt64) throws {
        if let spare = spares.withLock({ $0.popLast() }) {
            if rename(spare, path(of: base)) == 0 { return try openActive(base: base, at: 0, truncates: false) }
            unlink(spare)
        }
        try openActive(base: base, at: 0)
    }

    /// Appends `frames` (records `firstOffset...`) and waits for them to reach the disk. Starts a new segment first
    /// when the active one is full. On a failed write the segment is cut back, so a later append never follows a
    /// half-written record.
    /// - Returns: the first offset of a segment begun by this call, if any.
    func append(_ frames: [UInt8], firstOffset: UInt64) throws -> UInt64? {
        var started: UInt64?
        let aged = maxSegmentAge.map { activeSize > 0 && time(nil) - activeOpenedAt >= $0 } ?? false
        if activeSize >= maxSegmentBytes || aged {
            try beginSegment(firstOffset)
            started = firstOffset
        }
        let path = path(of: activeBase)
        do {
            try FileIO.writeAll(activeFD, frames, path: path)
            guard fdatasync(activeFD) == 0 else { throw FileError(operation: "fdatasync \(path)") }
        } catch {
            // Cut, not only rewound: the records of a failed flush get their offsets again in the next one.
            _ = ftruncate(activeFD, off_t(activeSize))
            _ = lseek(activeFD, off_t(activeSize), SEEK_SET)
            throw error
        }
        activeSize += frames.count
        if preparesSpares, activeSize >= maxSegmentBytes / 2 { prepareSpareIfNone() }
        return started
    }

    /// Starts making a spare on an I/O thread when none is left and none is being made.
    private func prepareSpareIfNone() {
        guard spares.withLock({ $0.isEmpty }), preparation.withLock({ state in
            guard !state.running, !state.closed else { return false }
            state.running = true
            return true
        }) else { return }
        let name = "\(directory)/spare-\(Self.digits(activeBase))-new.seg"
        BackgroundWork.blocking.submit { [self] in
            let kept = makeSpare() && spares.withLock { spares in
                // Trims may have left spares meanwhile.
                guard spares.count < spareLimit, rename(preparingPath, name) == 0 else { return false }
                spares.append(name)
                return true
            }
            if !kept { unlink(preparingPath) }
            if preparation.withLock({ state in
                state.running = false
                return state.closed
            }) { prepared.signal() }
        }
    }

    /// Writes `preparingPath` whole (`maxSegmentBytes` of 0xFF) and syncs it, so that the blocks are allocated on
    /// disk before a segment's syncs rely on it. False when a write fails or the files close meanwhile.
    /// Paced (`FileIO.writePaced`): written in one go, the fill held the disk in front of the group commits' syncs
    /// (ingestion p99 17-34 ms against 4-6), and an `fdatasync` per megabyte instead committed the journal each
    /// time, which slowed ingestion by a third.
    private func makeSpare() -> Bool {
        let fd = open(preparingPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xFF, count: min(1 << 20, maxSegmentBytes))
        var left = maxSegmentBytes
        while left > 0 {
            let part = left >= chunk.count ? chunk : Array(chunk[..<left])
            guard !preparation.withLock({ $0.closed }), (try? FileIO.writePaced(fd, part, path: preparingPath)) != nil else {
                return false
            }
            left -= part.count
        }
        return fdatasync(fd) == 0
    }

    /// Makes a new segment's directory entry durable, so a crash cannot lose a whole file of acknowledged records.
    private func syncDirectory() throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open \(directory)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync \(directory)") }
    }

    /// Removes segment `base`, keeping it as a spare while fewer than `spareLimit` are kept (a full-sized segment
    /// of the current format only).
    func remove(base: UInt64) {
        readers.withLock { if let fd = $0.removeValue(forKey: base) { close(fd) } }
        let path = path(of: base)
        let kept = !unbound.contains(base) && spares.withLock { spares in
            var info = stat()
            guard spares.count < spareLimit, stat(path, &info) == 0, Int(info.st_size) >= maxSegmentBytes else { return false }
            let spare = "\(directory)/spare-\(Self.digits(base)).seg"
            guard rename(path, spare) == 0 else { return false }
            spares.append(spare)
            return true
        }
        if !kept { unlink(path) }
    }

    /// `body` with a read descriptor of segment `base`, opened on first use.
    private func withReader<T>(_ base: UInt64, _ body: (Int32) throws -> T) throws -> T {
        try readers.withLock { descriptors throws -> T in
            if let fd = descriptors[base] { return try body(fd) }
            let path = path(of: base)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileError(operation: "open \(path)") }
            descriptors[base] = fd
            return try body(fd)
        }
    }

    /// The closed segments (all of `segments` but the last) that retention removes, oldest first: those last
    /// written before `cutoff` (seconds since 1970), then the oldest while the log holds more than `maxBytes`.
    func expired(_ segments: [UInt64], cutoff: Int, maxBytes: Int) -> [UInt64] {
        var sizes: [(base: UInt64, bytes: Int, modified: Int)] = segments.map { base in
            var info = stat()
            guard stat(path(of: base), &info) == 0 else { return (base, 0, 0) }
            return (base, Int(info.st_size), Int(info.st_mtim.tv_sec))
        }
        var total = sizes.reduce(0) { $0 + $1.bytes }
        var removed: [UInt64] = []
        while sizes.count > 1, sizes[0].modified < cutoff || total > maxBytes {
            let oldest = sizes.removeFirst()
            total -= oldest.bytes
            removed.append(oldest.base)
        }
        return removed
    }

    /// Closes every descriptor; the active segment is cut to its records, so a restart finds nothing after them.
    func closeFiles() {
        if preparation.withLock({ state in
            state.closed = true
            return state.running
        }) { prepared.wait() }
        if activeFD >= 0 {
            _ = ftruncate(activeFD, off_t(activeSize))
            close(activeFD)
        }
        activeFD = -1
        readers.withLock { descriptors in
            for fd in descriptors.values { close(fd) }
            descriptors.removeAll()
        }
    }

    /// Reads records from `position` up to `limit` records or about `maxBytes`, never past `durableEnd` (offset and
    /// byte of the active segment's end). Moves to the next segment (`next`) at the end of a finished one.
    func read(from position: LogPosition, durableEnd: LogPosition, segments: [UInt64], limit: Int, maxBytes: Int) throws -> (entries: [LogEntry], next: LogPosition) {
        var position = position
        var entries: [LogEntry] = []
        var bytesRead = 0
        // At least one whole record fits the window; a record larger than it widens the window to its size.
        var window = 1 << 20
        while entries.count < limit, bytesRead < maxBytes, position.offset < durableEnd.offset {
            let isActive = position.segment == durableEnd.segment
            // A closed segment's records end where the next segment's begin; a recycled file may hold older ones after.
            var segmentEnd = durableEnd.offset
            if !isActive, let index = segments.firstIndex(of: position.segment), index + 1 < segments.count {
                segmentEnd = segments[index + 1]
                if position.offset >= segmentEnd {
                    position = LogPosition(offset: position.offset, segment: segmentEnd, byte: 0)
                    continue
                }
            }
            let path = path(of: position.segment)
            var chunk: [UInt8] = []
            let end = try withReader(position.segment) { fd throws -> Int in
                var info = stat()
                guard isActive || fstat(fd, &info) == 0 else { throw FileError(operation: "stat \(path)") }
                let end = isActive ? durableEnd.byte : Int(info.st_size)
                let want = min(end - position.byte, max(maxBytes - bytesRead, window))
                guard want > 0 else { throw FileError(operation: "read \(path): log ends at offset \(position.offset)", code: EIO) }
                var got = 0
                // Uninitialized: zeroing megabytes that pread overwrites showed in delivery profiles.
                chunk = [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
                    got = pread(fd, buffer.baseAddress, want, off_t(position.byte))
                    count = max(got, 0)
                }
                guard got > 0 else { throw FileError(operation: "read \(path)") }
                return end
            }
            var at = 0
            decoding: while entries.count < limit, position.offset < segmentEnd {
                switch LogFrame.decode(chunk, at: at, offset: binding(position.offset, in: position.segment)) {
                case .record(let payload, let size):
                    entries.append(LogEntry(offset: position.offset, payload: Array(payload)))
                    at += size
                    position.offset += 1
                    position.byte += size
                    bytesRead += size
                case .incomplete where at == 0:
                    let needed = chunk.count >= LogFrame.headerSize ? LogFrame.frameSize(chunk) : LogFrame.headerSize
                    guard needed > chunk.count, position.byte + needed <= end else {
                        throw FileError(operation: "read \(path): record at byte \(position.byte) is cut short", code: EIO)
                    }
                    window = needed
                    break decoding
                case .incomplete:
                    break decoding
                case .corrupt:
                    throw FileError(operation: "read \(path): corrupt record at byte \(position.byte)", code: EIO)
                }
            }
        }
        return (entries, position)
    }

    /// The position of `offset`: found by scanning its segment from the start (once per reader, at start).
    func locate(_ offset: UInt64, segments: [UInt64], durableEnd: LogPosition) throws -> LogPosition {
        let base = segments.last { $0 <= offset } ?? segments.first ?? 0
        var position = LogPosition(offset: max(offset, base), segment: base, byte: 0)
        if offset < base { return position }
        position.offset = base
        while position.offset < offset {
            let (entries, next) = try read(from: position, durableEnd: durableEnd, segments: segments,
                                           limit: Int(min(offset - position.offset, 10_000)), maxBytes: 16 << 20)
            if entries.isEmpty { break }
            position = next
        }
        return position
    }
}
