import Testing
@testable import WorkflowDaemon

/// The timer service's schedule, without I/O: what it holds, in what order it gives instances
/// back, and its bound.
@Suite("Timer schedule")
struct TimerScheduleTests {
    @Test("due instances come back soonest first and once; a later change replaces an earlier time; nil forgets")
    func order() {
        var schedule = TimerSchedule(horizon: 60, capacity: 100)
        schedule.set("c", to: 30, now: 0)
        schedule.set("a", to: 10, now: 0)
        schedule.set("b", to: 20, now: 0)
        schedule.set("b", to: 5, now: 0)
        schedule.set("d", to: 25, now: 0)
        schedule.set("d", to: nil, now: 0)
        #expect(schedule.nextDue() == 5)
        #expect(schedule.takeDue(now: 4).isEmpty)
        #expect(schedule.takeDue(now: 20) == ["b", "a"])
        #expect(schedule.takeDue(now: 20).isEmpty, "taken once")
        #expect(schedule.nextDue() == 30)
        #expect(schedule.takeDue(now: 1_000) == ["c"])
        #expect(schedule.nextDue() == nil)
    }

    @Test("only waits within the horizon are held; an overdue one is due at once")
    func horizon() {
        var schedule = TimerSchedule(horizon: 60, capacity: 100)
        schedule.set("far", to: 1_000, now: 0)
        schedule.set("late", to: -5, now: 0)
        #expect(schedule.due.keys.sorted() == ["late"])
        #expect(schedule.takeDue(now: 0) == ["late"])
    }

    @Test("at capacity the soonest are kept: an earlier wait makes room by letting the latest go, a later one is not taken")
    func capacity() {
        var schedule = TimerSchedule(horizon: 1_000, capacity: 3)
        for (name, time) in [("a", 10.0), ("b", 20), ("c", 30)] { schedule.set(name, to: time, now: 0) }
        schedule.set("late", to: 40, now: 0)
        #expect(schedule.due.keys.sorted() == ["a", "b", "c"])
        schedule.set("early", to: 5, now: 0)
        #expect(schedule.due.keys.sorted() == ["a", "b", "early"])
        #expect(schedule.takeDue(now: 100) == ["early", "a", "b"])
    }

    @Test("10,000 changes to a few instances leave a heap that stays small")
    func heapStaysBounded() {
        var schedule = TimerSchedule(horizon: 1_000_000, capacity: 100)
        for n in 0..<10_000 { schedule.set("i\(n % 10)", to: Double(n), now: 0) }
        #expect(schedule.due.count == 10)
        #expect(schedule.heapSize <= 4 * 64, "stale entries are dropped, not kept: \(schedule.heapSize)")
        #expect(schedule.takeDue(now: 1_000_000).count == 10)
    }
}
