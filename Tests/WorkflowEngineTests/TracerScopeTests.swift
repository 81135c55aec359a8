import Dispatch
import Testing
import Tracing
import WorkflowConcurrency
import WorkflowEngine

/// `Tracer.inSpan` on an actor: the span's body runs where the caller runs. A span that took its
/// body off the actor and back cost each traced superstep and step two jobs on the actor's
/// executor and two on the task's, a tenth of a trivial run's time.
@Suite("Engine: spans keep the caller's isolation")
struct TracerScopeTests {
    /// A serial executor that counts the jobs it is given.
    final class CountingExecutor: SerialExecutor {
        let jobs = Locked(0)
        private let queue = DispatchQueue(label: "counting-executor")

        func enqueue(_ job: consuming ExecutorJob) {
            jobs.withLock { $0 += 1 }
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
        }

        func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
    }

    actor Spanner {
        let executor = CountingExecutor()
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        var bodies = 0

        func open(_ count: Int, tracer: any Tracer) async {
            for _ in 0..<count {
                await tracer.inSpan("s") { _ in bodies += 1 }
            }
        }
    }

    @Test("a hundred spans opened on an actor enqueue no job on its executor beyond the call's own (each hopped off and back before)")
    func spansStayOnTheActor() async {
        let spanner = Spanner()
        await spanner.open(100, tracer: NoOpTracer())
        let jobs = spanner.executor.jobs.withLock { $0 }
        #expect(await spanner.bodies == 100)
        #expect(jobs <= 3, "\(jobs) jobs on the actor's executor for 100 spans")
    }
}
