/// Where a reader is in the incoming log: the next record's offset, and where it starts on disk.
public struct LogPosition: Sendable, Equatable {
    /// The offset (record number, from 0 when the log was created) of the next record to read.
    public var offset: UInt64
    /// The first offset of the segment file holding that record.
    var segment: UInt64
    /// Its byte position in that file.
    var byte: Int
}

/// One record read back: its offset and payload.
public struct LogEntry: Sendable {
    public let offset: UInt64
    public let payload: [UInt8]
}
