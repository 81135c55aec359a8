import Foundation

/// Ends the benchmark if a workload runs past its bound: a hang is reported as a finding (which
/// workload, after how long) with exit status 1, and the daemons it started are killed, instead
/// of a process that waits for ever. Runs on a dispatch queue of its own, so it fires whatever
/// the workload's threads and tasks are doing.
final class Watchdog: @unchecked Sendable {
    private let timer: any DispatchSourceTimer

    init(workload: String, seconds: Double) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "workflowd-bench.watchdog"))
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler {
            FileHandle.standardError.write(Data("workflowd-bench: workload \(workload) did not finish within \(seconds) s; giving up\n".utf8))
            SocketWorkloads.Daemon.killAll()
            exit(1)
        }
        timer.resume()
    }

    func cancel() { timer.cancel() }
}
