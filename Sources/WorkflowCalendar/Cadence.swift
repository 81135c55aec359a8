/// When something recurs: at the times a cron expression names on a zone's wall clock, or
/// every so many seconds. Intervals are counted from the Unix epoch, so `every: 15m` fires at
/// :00, :15, :30 and :45 whenever the schedule was made and however often the daemon restarts.
public enum Cadence: Sendable, Hashable {
    /// The times a cron expression names in a zone.
    case cron(CronExpression, ZoneInfo)
    /// Every so many seconds (whole seconds, at least one), counted from the epoch.
    case every(Int)

    /// The first fire strictly after `time`, or nil if there is none in the years searched.
    /// - Parameter time: Seconds since 1970-01-01T00:00:00Z.
    public func next(after time: Int) -> Int? {
        switch self {
        case .cron(let expression, let zone):
            return expression.next(after: time, in: zone)
        case .every(let interval):
            return (time.floorDivided(by: interval) + 1) * interval
        }
    }

    /// The fires in `range` (both ends included), in order, at most `limit` of them.
    /// - Parameters:
    ///   - range: From and through, in seconds since 1970-01-01T00:00:00Z.
    ///   - limit: The most to return.
    public func fires(in range: ClosedRange<Int>, limit: Int) -> [Int] {
        var fires: [Int] = []
        var cursor = range.lowerBound - 1
        while fires.count < limit, let next = next(after: cursor), next <= range.upperBound {
            fires.append(next)
            cursor = next
        }
        return fires
    }

    /// The last `limit` fires in `range` (both ends included), in order: what a catch-up after
    /// a long absence needs, without listing every fire of the absence for an interval.
    /// - Parameters:
    ///   - range: From and through, in seconds since 1970-01-01T00:00:00Z.
    ///   - limit: The most to return.
    public func lastFires(in range: ClosedRange<Int>, limit: Int) -> [Int] {
        guard limit > 0 else { return [] }
        switch self {
        case .every(let interval):
            let last = range.upperBound.floorDivided(by: interval)
            let first = (range.lowerBound + interval - 1).floorDivided(by: interval)
            guard last >= first else { return [] }
            return (max(first, last - limit + 1)...last).map { $0 * interval }
        case .cron:
            // At most one a minute: a year's absence is half a million steps, once.
            var fires: [Int] = []
            var cursor = range.lowerBound - 1
            while let next = next(after: cursor), next <= range.upperBound {
                fires.append(next)
                if fires.count >= 2 * limit { fires.removeFirst(fires.count - limit) }
                cursor = next
            }
            return Array(fires.suffix(limit))
        }
    }
}
