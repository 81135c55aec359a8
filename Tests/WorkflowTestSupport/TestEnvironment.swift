import Foundation

/// How the tests are being run, for the few assertions a sanitizer changes the meaning of.
public enum TestEnvironment {
    /// The sanitizer this test process was built with ("address", "thread"), or nil: its runtime's
    /// symbols are looked up, and `WORKFLOWD_TEST_SANITIZER` (set by `Contrib/dev/sanitize`) says too.
    public static let sanitizer: String? = {
        if let named = ProcessInfo.processInfo.environment["WORKFLOWD_TEST_SANITIZER"], !named.isEmpty { return named }
        let everywhere = UnsafeMutableRawPointer(bitPattern: 0)
        if dlsym(everywhere, "__asan_init") != nil { return "address" }
        if dlsym(everywhere, "__tsan_init") != nil { return "thread" }
        return nil
    }()

    /// Whether a process's RSS measures what the code holds. Not under a sanitizer: its shadow
    /// memory, quarantine of freed blocks and redzones are most of it. The memory bounds are
    /// checked by the normal build's run.
    public static var measuresMemory: Bool { sanitizer == nil }

    /// How much longer a wall-clock bound may take: 1, or 4 under a sanitizer (everything runs
    /// several times slower, the children too).
    public static var slowdown: Double { sanitizer == nil ? 1 : 4 }

    /// `duration` stretched by ``slowdown``.
    public static func scaled(_ duration: Duration) -> Duration { duration * slowdown }
}
