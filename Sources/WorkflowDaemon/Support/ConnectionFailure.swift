/// A connection could not be set up (the text says why; it is logged, not sent).
struct ConnectionFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
