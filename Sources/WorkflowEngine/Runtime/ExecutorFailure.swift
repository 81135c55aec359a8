/// An executor's error, tagged with the executor (how a failing child task names itself).
struct ExecutorFailure: Error {
    var executor: String
    var error: any Error
}
