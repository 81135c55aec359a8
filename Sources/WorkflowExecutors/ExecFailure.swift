/// Why one attempt of an `exec` program failed (the text goes into the executor's error).
struct ExecFailure: Error, CustomStringConvertible {
    var description: String
}
