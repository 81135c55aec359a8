#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
import WorkflowConcurrency

@Suite("WorkerThread")
struct WorkerThreadTests {
    struct Failure: Error, Equatable { let code: Int }

    @Test("jobs run one at a time, in the order they were given, on one thread")
    func jobsRunInOrderOnOneThread() async throws {
        let worker = WorkerThread(name: "test")
        defer { worker.stop() }
        let seen = Locked<(order: [Int], threads: Set<UInt>, running: Int, overlap: Bool)>(([], [], 0, false))
        for n in 0..<200 {
            worker.submit {
                seen.withLock {
                    $0.running += 1
                    if $0.running > 1 { $0.overlap = true }
                    $0.order.append(n)
                    $0.threads.insert(UInt(pthread_self()))
                }
                seen.withLock { $0.running -= 1 }
            }
        }
        // A job given after the 200 runs after them: when it answers, they have all run.
        try await worker.run { () }
        let result = seen.withLock { $0 }
        #expect(result.order == Array(0..<200))
        #expect(result.threads.count == 1)
        #expect(!result.overlap)
    }

    @Test("run returns the job's value and throws the job's error")
    func runReturnsValueOrError() async throws {
        let worker = WorkerThread(name: "test")
        defer { worker.stop() }
        #expect(try await worker.run { 6 * 7 } == 42)
        await #expect(throws: Failure(code: 3)) { try await worker.run { () throws -> Int in throw Failure(code: 3) } }
        // The thread goes on after a job that threw.
        #expect(try await worker.run { "after" } == "after")
    }

    @Test("a job runs to its end even when the task awaiting it is cancelled")
    func cancellationDoesNotInterruptAJob() async throws {
        let worker = WorkerThread(name: "test")
        defer { worker.stop() }
        let gate = DispatchSemaphore(value: 0)
        let finished = Locked(false)
        let task = Task {
            try await worker.run {
                // Held until the test has cancelled the awaiting task.
                gate.wait()
                finished.withLock { $0 = true }
                return 1
            }
        }
        task.cancel()
        gate.signal()
        #expect(try await task.value == 1)
        #expect(finished.withLock { $0 })
    }

    @Test("callers on many tasks at once all get their own answer")
    func concurrentCallersGetTheirOwnAnswers() async throws {
        let worker = WorkerThread(name: "test")
        defer { worker.stop() }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for n in 0..<500 { group.addTask { (n, try await worker.run { n * 2 }) } }
            var answers: [Int: Int] = [:]
            for try await (n, answer) in group { answers[n] = answer }
            return answers
        }
        #expect(answers.count == 500)
        #expect(answers.allSatisfy { $0.value == $0.key * 2 })
    }

    @Test("stop lets the jobs already given finish")
    func stopFinishesGivenJobs() async throws {
        let worker = WorkerThread(name: "test")
        let done = Locked(0)
        let gate = DispatchSemaphore(value: 0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            worker.submit { gate.wait() }
            for _ in 0..<50 { worker.submit { done.withLock { $0 += 1 } } }
            worker.submit { continuation.resume() }
            // Stopped while all of them wait behind the first.
            worker.stop()
            gate.signal()
        }
        #expect(done.withLock { $0 } == 50)
    }
}

@Suite("WorkerThread after stop")
struct WorkerThreadStoppedTests {
    @Test("a job given after stop is refused, and run throws Stopped instead of waiting forever")
    func jobsAfterStopAreRefused() async throws {
        let worker = WorkerThread(name: "late")
        worker.stop()
        #expect(worker.submit {} == false)
        await #expect(throws: WorkerThread.Stopped.self) { try await worker.run { 1 } }
    }
}
