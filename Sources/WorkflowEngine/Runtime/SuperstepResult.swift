/// A superstep's work for one executor, returned to the actor for the boundary commit.
struct SuperstepResult: Sendable {
    var index: Int
    var executor: any Executor
    var context: ExecutorContext
}
