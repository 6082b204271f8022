import CLibUV

/// glibc malloc settings for a node, applied once at start, before the loop's threads exist.
///
/// By default glibc serves every allocation over 128 KiB (adapting upward) with its own `mmap` and gives it back on
/// free, and returns free memory at a heap's top once 128 KiB gather there. A node's bulk work allocates megabytes
/// per batch (log reads, a destination's rows), so every batch faulted its buffers in afresh, each page zeroed by
/// the kernel: the delivering thread took over ten thousand page faults a second under ingestion. Kept in the
/// heap, the same pages serve the next batch. The sixteen I/O threads would each get an arena of their own; four
/// arenas bound what the heaps keep after a burst.
public enum HeapTuning {
    public static func apply() {
        rivulet_tune_heap(32 << 20, 64 << 20, 4)  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit.
    }
}
