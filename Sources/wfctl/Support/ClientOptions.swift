import WorkflowJSON
import WorkflowProtocol
import WorkflowClient
import ArgumentParser

/// Options every command that talks to the daemon takes.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's socket.", discussion: "Default: $WORKFLOWD_SOCKET, then $XDG_RUNTIME_DIR/workflowd/workflowd.sock, /run/workflowd/workflowd.sock, and .workflowd/workflowd.sock in this directory or a parent (the Quick start's daemon).", valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print JSON: one document per result, one line per event when following.")
    var json = false
}
