#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging
import ServiceLifecycle
import SystemdSupport
import UnixSignals
import WorkflowDaemon
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore

/// The process environment, read here (and only in the executables).
enum Environment {
    static func read() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            pointer += 1
        }
        return result
    }
}
