import Foundation
import Loop
import Templates

/// One destination's fallback file on this node: `<data_dir>/fallback/<node>-errors-<destination>.log`, rotated
/// to `<node>-errors-<destination>-<YYYY-MM-DDTHH-MM-SS.mmm>.log` (UTC) every `rotation` when not empty. Lines
/// are fsynced before `write` returns, so the runner commits an event's offset only once its line is safe.
/// Loop-bound.
public final class FallbackWriter: @unchecked Sendable {
    public let path: String
    private let directory: String
    private let nodeName: String
    private let destinationID: String
    private let serial: SerialWork
    private let timer: LoopTimer
    private let rotation: Duration

    public init(loop: EventLoop, directory: String, nodeName: String, destinationID: String, rotation: Duration) throws {
        self.directory = directory
        self.nodeName = nodeName
        self.destinationID = destinationID
        path = "\(directory)/\(FallbackFileName.active(instance: nodeName, destinationID: destinationID))"
        serial = SerialWork(loop: loop)
        timer = try LoopTimer(loop: loop)
        self.rotation = rotation
        scheduleRotation()
    }

    private func scheduleRotation() {
        timer.start(after: rotation.milliseconds) { [self] in
            Task.immediate(executorPreference: timer.loop) { [self] in
                _ = try? await rotate()
                if !timer.isClosed { scheduleRotation() }
            }
        }
    }

    /// Appends `lines` and waits for the disk.
    public func write(_ lines: [FallbackLine]) async throws {
        guard !lines.isEmpty else { return }
        let bytes = lines.flatMap { $0.bytes + [UInt8(ascii: "\n")] }
        let (path, directory) = (path, directory)
        try await serial.run {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError(operation: "open \(path)") }
            defer { Glibc.close(fd) }
            try FileIO.writeAll(fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw FileError(operation: "fsync \(path)") }
        }
    }

    /// Renames a non-empty active file to its timestamped name now (also what the timer does).
    /// - Returns: the rotated file's path, or nil when there was nothing to rotate.
    @discardableResult
    public func rotate() async throws -> String? {
        let (path, directory, nodeName, destinationID) = (path, directory, nodeName, destinationID)
        return try await serial.run { () throws -> String? in
            var status = stat()
            guard stat(path, &status) == 0, status.st_size > 0 else { return nil }
            let stamp = String(RFC3339.now().prefix(23)).replacingOccurrences(of: ":", with: "-")
            let target = "\(directory)/\(FallbackFileName.rotated(instance: nodeName, destinationID: destinationID, stamp: stamp))"
            guard rename(path, target) == 0 else { throw FileError(operation: "rename \(path)") }
            return target
        }
    }

    public func close() {
        timer.close()
    }
}
