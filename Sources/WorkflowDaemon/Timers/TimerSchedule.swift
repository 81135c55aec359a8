/// Which instances have a wait due soon, and when: the timer service's state, as a value that
/// does no I/O (tested on its own). It holds at most ``capacity`` instances, those due within
/// ``horizon`` of now, the soonest first when it is full: the store keeps every other one, and
/// the service reads them again as they come near.
struct TimerSchedule {
    /// How far ahead the schedule holds waits, in seconds.
    let horizon: Double
    /// How many instances it holds at most.
    let capacity: Int
    /// Each held instance's soonest wait.
    private(set) var due: [String: Double] = [:]
    /// A binary min-heap of (time, instance); entries that no longer match ``due`` are skipped.
    private var heap: [(time: Double, instance: String)] = []

    /// Entries in the heap, stale ones included (bounded by a rebuild at 4 × the held count).
    var heapSize: Int { heap.count }

    init(horizon: Double, capacity: Int) {
        self.horizon = horizon
        self.capacity = max(1, capacity)
    }

    /// Instance `instance`'s soonest wait is now `time` (nil: none armed). Held if it is due
    /// within the horizon and there is room (a later one makes room for it when full).
    mutating func set(_ instance: String, to time: Double?, now: Double) {
        guard let time, time <= now + horizon else {
            due[instance] = nil
            return
        }
        if due[instance] == nil && due.count >= capacity {
            // Full: keep the soonest. The one that leaves is still in the store.
            guard let latest = due.max(by: { $0.value < $1.value }), time < latest.value else { return }
            due[latest.key] = nil
        }
        due[instance] = time
        push((time, instance))
        if heap.count > 4 * max(64, due.count) { rebuild() }
    }

    /// When the soonest held wait is due (nil: none held).
    mutating func nextDue() -> Double? {
        dropStale()
        return heap.first?.time
    }

    /// The instances due at `now`, soonest first, taken off the schedule (the service puts each
    /// back with its next wait once it has fired).
    mutating func takeDue(now: Double) -> [String] {
        var taken: [String] = []
        while true {
            dropStale()
            guard let top = heap.first, top.time <= now else { return taken }
            pop()
            due[top.instance] = nil
            taken.append(top.instance)
        }
    }

    // MARK: The heap

    private mutating func dropStale() {
        while let top = heap.first, due[top.instance] != top.time { pop() }
    }

    private mutating func push(_ entry: (time: Double, instance: String)) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].time < heap[parent].time else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].time < heap[smallest].time { smallest = left }
            if right < heap.count, heap[right].time < heap[smallest].time { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func rebuild() {
        heap = []
        for (instance, time) in due { push((time, instance)) }
    }
}
