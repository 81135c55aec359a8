/// A random number generator with a seed a test prints, so that a failure can be replayed:
/// `WORKFLOWD_TEST_SEED=<seed> swift test --filter ...` runs the same choices again.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    /// Seeds from `WORKFLOWD_TEST_SEED` if it is set, else from the system generator.
    public init(environment: [String: String]) {
        var system = SystemRandomNumberGenerator()
        self.init(seed: environment["WORKFLOWD_TEST_SEED"].flatMap { UInt64($0) } ?? system.next())
    }

    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    /// splitmix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
