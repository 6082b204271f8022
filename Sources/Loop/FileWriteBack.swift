import CLibUV

/// Writes `count` bytes of `fd`'s cached pages from `offset` to the disk and waits for them, without the file's
/// metadata (sync_file_range). A bulk write paced by it holds the disk a chunk at a time, so another file's fsync
/// never queues behind all of it. False on failure (errno set).
public func writeBack(_ fd: Int32, offset: Int, count: Int) -> Bool {
    rivulet_write_back(fd, Int64(offset), Int64(count)) == 0
}
