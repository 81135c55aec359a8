/// An instance's idempotency keys, bounded by count and by age: a lookup of an expired key finds
/// nothing, and adding a key beyond the count drops the oldest. A value, so ``RunLifecycle``
/// decides with it synchronously and tests need no clock.
struct IdempotencyKeys: Sendable, Equatable {
    private var byKey: [String: IdempotencyKey] = [:]
    /// Keys in the order they were added (oldest first); `start` skips the removed prefix.
    private var order: [String] = []
    private var start = 0
    let limit: Int
    let lifetime: Double

    init(limit: Int, lifetime: Double) {
        self.limit = max(0, limit)
        self.lifetime = lifetime
    }

    var count: Int { byKey.count }
    var all: [IdempotencyKey] { order[start...].compactMap { byKey[$0] } }
    /// The runs some key still refers to (their results are kept).
    var runIDs: Set<String> { Set(byKey.values.map(\.runID)) }

    /// The run `key` started, unless the key is unknown or has expired.
    mutating func lookup(_ key: String, now: Double) -> String? {
        expire(now: now)
        return byKey[key]?.runID
    }

    /// Records `key` for `runID`; the oldest keys go if there are more than `limit`.
    mutating func insert(_ entry: IdempotencyKey, now: Double) {
        expire(now: now)
        guard limit > 0 else { return }
        if byKey.updateValue(entry, forKey: entry.key) == nil { order.append(entry.key) }
        while byKey.count > limit, start < order.count {
            byKey[order[start]] = nil
            start += 1
        }
        compact()
    }

    /// Forgets the keys of `runID` (a run that never started).
    mutating func remove(runID: String) {
        for (key, entry) in byKey where entry.runID == runID { byKey[key] = nil }
        order.removeAll { byKey[$0] == nil }
        start = 0
    }

    mutating func removeAll() {
        byKey = [:]
        order = []
        start = 0
    }

    private mutating func expire(now: Double) {
        while start < order.count {
            guard let entry = byKey[order[start]] else {
                start += 1
                continue
            }
            guard now - entry.createdAt >= lifetime else { break }
            byKey[order[start]] = nil
            start += 1
        }
        compact()
    }

    private mutating func compact() {
        if start > 64 && start * 2 > order.count {
            order.removeFirst(start)
            start = 0
        }
    }
}
