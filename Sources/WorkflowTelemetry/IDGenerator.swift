import WorkflowJSON

/// Random trace and span ids, fast: the 64-bit words of ``Identifier/randomWord()`` (the system's
/// generator asks the kernel for every eight bytes, a system call each, three per span; ids need
/// to be unpredictable enough not to collide, not secret).
enum IDGenerator {
    /// `count` random bytes, not all zero.
    static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while true {
            out.removeAll(keepingCapacity: true)
            while out.count < count {
                var word = Identifier.randomWord()
                for _ in 0..<min(8, count - out.count) {
                    out.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            if out.contains(where: { $0 != 0 }) { return out }
        }
    }
}
