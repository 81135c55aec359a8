import Synchronization

/// Random trace and span ids, fast: xoshiro256** seeded once from the system's generator. The
/// system's generator asks the kernel for every eight bytes (a system call each, three per
/// span); ids need to be unpredictable enough not to collide, not secret.
final class IDGenerator: Sendable {
    static let shared = IDGenerator()

    private let state: Mutex<(UInt64, UInt64, UInt64, UInt64)>

    init() {
        var system = SystemRandomNumberGenerator()
        var seed = (system.next() as UInt64, system.next() as UInt64, system.next() as UInt64, system.next() as UInt64)
        if seed == (0, 0, 0, 0) { seed.0 = 1 }
        state = Mutex(seed)
    }

    /// The next 64 random bits.
    func next() -> UInt64 {
        state.withLock { s in
            let result = (s.1 &* 5).rotatedLeft(7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = s.3.rotatedLeft(45)
            return result
        }
    }

    /// `count` random bytes, not all zero.
    func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while true {
            out.removeAll(keepingCapacity: true)
            while out.count < count {
                var word = next()
                for _ in 0..<min(8, count - out.count) {
                    out.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            if out.contains(where: { $0 != 0 }) { return out }
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
