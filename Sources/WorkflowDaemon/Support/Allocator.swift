#if canImport(Glibc)
import CMalloc
import Glibc
import WorkflowConcurrency
#endif

/// The C allocator's settings for a process that lives for months, and the periodic return of
/// freed memory to the system.
///
/// glibc's defaults suit short programs: up to eight arenas per core, each keeping the pages it
/// once used, and thresholds that grow after a large block is freed (so a burst of big lines keeps
/// its memory). Measured with `Contrib/dev/load` (200 clients, 100 s, release, 2 cores): with the
/// defaults, 16 arenas held 244 MB of which 93 MB were in use (RSS 252 MiB and still growing);
/// with these settings RSS flattened at 148 MiB, at the same throughput.
public enum Allocator {
    /// Fixed thresholds and at most `arenas` arenas. Call it first thing in the process (arenas
    /// made before stay). Does nothing when `GLIBC_TUNABLES` sets malloc tunables (the operator's
    /// choice wins); the caller reads the environment.
    /// - Returns: whether the settings were applied.
    @discardableResult
    public static func configure(arenas: Int, tunables: String?) -> Bool {
        #if canImport(Glibc)
        if let tunables, tunables.contains("glibc.malloc.") { return false }
        _ = mallopt(M_ARENA_MAX, Int32(clamping: max(1, arenas)))
        // Fixed (not sliding) thresholds: a freed 100 MB line goes back at once, and the top of a
        // heap beyond 1 MiB is returned.
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 10)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 20)
        return true
        #else
        return false
        #endif
    }

    /// Returns free pages inside the heaps to the system (`malloc_trim`): memory a burst used
    /// (a thousand slow readers, a large batch) does not stay resident once it is freed. It takes
    /// the arenas' locks while it walks them (a few milliseconds) and reads /proc, so it runs off
    /// the cooperative pool.
    /// - Returns: the resident set before and after, in bytes (nil where it cannot be read).
    static func trim() async -> (before: Int?, after: Int?) {
        #if canImport(Glibc)
        return (try? await BlockingWork.run {
            let before = residentBytes()
            malloc_trim(0)
            return (before, residentBytes())
        }) ?? (nil, nil)
        #else
        return (nil, nil)
        #endif
    }

    /// The process's resident set in bytes (`/proc/self/statm`), or nil where it cannot be read.
    static func residentBytes() -> Int? {
        #if canImport(Glibc)
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard withUnsafeMutablePointer(to: &size, { sizePointer in
            withUnsafeMutablePointer(to: &resident) { residentPointer in
                withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
            }
        }) == 2 else { return nil }
        return resident * sysconf(Int32(_SC_PAGESIZE))
        #else
        return nil
        #endif
    }
}
