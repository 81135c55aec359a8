import NIOCore

/// An event loop as a task executor: a connection's requests run on the event loop that reads
/// them, and so do the instances they call (default actors run on their caller's preferred
/// executor) and the runs they start (``RunExecution``). A request then reaches its instance and
/// its answer leaves without a thread hop; only the store's writer thread is another.
///
/// What runs here must not block: the event loop serves every connection on it. Blocking work
/// (the store, files, child processes) goes to threads of its own, as everywhere in the daemon.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // An event loop is thread-safe; `execute` may be called from any thread.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
