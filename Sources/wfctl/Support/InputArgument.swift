#if canImport(Glibc)
import WorkflowProtocol
import WorkflowClient
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowDefinitions
import WorkflowJSON

/// A JSON value given on the command line: as text, `@FILE`, or `-` for standard input.
enum InputArgument {
    static func read(_ argument: String, what: String) throws -> JSON {
        let text: String
        let source: String
        if argument == "-" {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = Glibc.read(STDIN_FILENO, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
            }
            text = String(decoding: bytes, as: UTF8.self)
            source = "standard input"
        } else if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let contents = Definition.readText(path) else {
                throw Failure(.invalidInput, "cannot read \(what) from \(path): \(String(cString: strerror(errno)))")
            }
            text = contents
            source = path
        } else {
            text = argument
            source = "the command line"
        }
        do {
            return try JSON(parsing: text)
        } catch {
            throw Failure(.invalidInput, "\(what) from \(source) is not JSON: \(error)",
                          hint: argument.hasPrefix("@") || argument == "-" ? nil : "Quote it for the shell, e.g. '{\"approved\": true}'; a string needs its JSON quotes: '\"text\"'.")
        }
    }

    /// Whether an argument looks like a value rather than an id (for `respond NAME VALUE`).
    static func looksLikeValue(_ argument: String) -> Bool {
        guard let first = argument.first else { return false }
        return "{[\"@-0123456789".contains(first) || ["true", "false", "null"].contains(argument)
    }
}
