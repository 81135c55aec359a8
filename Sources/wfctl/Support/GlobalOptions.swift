/// The options every command that talks to the daemon takes (``ClientOptions``), written before
/// the command.
enum GlobalOptions {
    /// `arguments` with the client's options that come before the command moved to its end (or
    /// just before a `--`), where the command's parser takes them. Anything else is left as it
    /// is, so that a misplaced option still gets the parser's own error.
    static func movedAfterCommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" || first.hasPrefix("--socket=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        var moved = Array(rest)
        moved.insert(contentsOf: leading, at: moved.firstIndex(of: "--") ?? moved.endIndex)
        return moved
    }
}
