// libuv, from Debian's libuv1-dev. Only Loop imports this module.
#include <uv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <malloc.h>

// Takes the lowest-numbered CPU out of the calling thread's affinity when it may run on two or more, and returns how
// many CPUs it keeps (or -1). libuv has thread affinity only from 1.45 (Debian ships 1.44), and Swift sees neither
// glibc's sched_setaffinity (a GNU extension) nor its CPU_* macros, hence the system calls on a plain mask.
static inline int rivulet_leave_first_cpu(void) {
    unsigned long mask[1024 / (8 * sizeof(unsigned long))] = {0};
    if (syscall(SYS_sched_getaffinity, 0, sizeof mask, mask) < 0) return -1;
    const int bits = 8 * sizeof(unsigned long);
    int count = 0, first = -1;
    for (int cpu = 0; cpu < 1024; cpu++) {
        if (mask[cpu / bits] >> (cpu % bits) & 1UL) {
            if (first < 0) first = cpu;
            count++;
        }
    }
    if (count < 2) return count;
    mask[first / bits] &= ~(1UL << (first % bits));
    return syscall(SYS_sched_setaffinity, 0, sizeof mask, mask) == 0 ? count - 1 : -1;
}

// glibc malloc settings (`HeapTuning`): Swift does not import <malloc.h>.
static inline void rivulet_tune_heap(int mmap_threshold, int trim_threshold, int arena_max) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_ARENA_MAX, arena_max);
}

// sync_file_range(fd, 0, 0, WAIT_BEFORE | WRITE | WAIT_AFTER), the whole file, for `writeBack`: Swift sees neither
// the call (a GNU extension) nor the variadic syscall(2).
static inline int rivulet_write_back(int fd) {
    return syscall(SYS_sync_file_range, fd, 0LL, 0LL, 1 | 2 | 4);
}
