import CLibUV

/// Writes `fd`'s dirty cached pages to the disk and waits for them, without the file's metadata or a cache flush
/// (sync_file_range): what `FileIO.writePaced` paces a bulk write with. False on failure (errno set).
public func writeBack(_ fd: Int32) -> Bool {
    rivulet_write_back(fd) == 0
}
