import WorkflowConcurrency

/// Random identifiers: a type letter and 14 base-32 characters (70 random bits), e.g.
/// `r7kq2m9xv4c8td3`. Fifteen bytes fit in Swift's small-string form, so an id costs no
/// allocation or reference counting however often events and contexts copy it; 70 bits make a
/// collision among even billions of ids improbable.
public enum Identifier {
    /// A new id starting with `prefix` (`r` runs, `c` checkpoints, `q` requests).
    public static func make(_ prefix: Character = "x") -> String {
        // 14 characters of 5 bits: 12 from one 64-bit draw (60 bits), 2 from a second (10 bits).
        let (first, second) = generator.withLock { ($0.next(), $0.next()) }
        return spelled(prefix, first, second)
    }

    /// An id derived from `digest` (at least 9 bytes, e.g. a SHA-256 of what names the thing):
    /// the same input always gives the same id, in the same form as ``make(_:)``.
    /// 64 random bits from the same generator as the ids (xoshiro256** seeded once from the
    /// system's): for other ids that must not collide but need not be secret (trace and span ids).
    public static func randomWord() -> UInt64 { generator.withLock { $0.next() } }

    public static func derived(_ prefix: Character, from digest: [UInt8]) -> String {
        precondition(digest.count >= 9, "a derived id needs at least 70 bits")
        var first: UInt64 = 0
        for byte in digest[0..<8] { first = first << 8 | UInt64(byte) }
        let second = UInt64(digest[8]) << 2 | UInt64(digest.count > 9 ? digest[9] >> 6 : 0)
        return spelled(prefix, first, second)
    }

    /// `prefix`, then 12 base-32 characters from `first` (60 bits) and 2 from `second` (10 bits).
    private static func spelled(_ prefix: Character, _ first: UInt64, _ second: UInt64) -> String {
        let alphabet: StaticString = "0123456789abcdefghjkmnpqrstvwxyz"
        return String(unsafeUninitializedCapacity: 15) { buffer in
            buffer[0] = prefix.asciiValue ?? UInt8(ascii: "x")
            alphabet.withUTF8Buffer { letters in
                var value = first
                for index in 1...12 {
                    buffer[index] = letters[Int(value & 31)]
                    value >>= 5
                }
                value = second
                for index in 13...14 {
                    buffer[index] = letters[Int(value & 31)]
                    value >>= 5
                }
            }
            return 15
        }
    }

    /// xoshiro256** seeded once from the system generator (a syscall per id would cost more
    /// than the superstep it names).
    struct Xoshiro: Sendable {
        var s: (UInt64, UInt64, UInt64, UInt64)

        init() {
            var system = SystemRandomNumberGenerator()
            s = (system.next(), system.next(), system.next(), system.next())
            if s == (0, 0, 0, 0) { s.0 = 1 }
        }

        mutating func next() -> UInt64 {
            let result = rotl(s.1 &* 5, 7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = rotl(s.3, 45)
            return result
        }

        private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    }

    static let generator = Locked(Xoshiro())
}
