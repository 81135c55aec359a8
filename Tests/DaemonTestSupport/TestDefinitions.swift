import WorkflowJSON

/// Definitions the daemon tests load (written to a temporary definitions directory).
package enum TestDefinitions {
    /// One executor: the input comes out as the output.
    package static let echo = """
        name: echo
        start: out
        executors:
          out: { kind: output }
        """

    /// Waits two seconds, or for the signal `go`; the wake comes out.
    package static let remind = """
        name: remind
        start: hold
        executors:
          hold: { kind: wait, for: 2s, signal: go }
          out: { kind: output }
        edges:
          - { from: hold, to: out }
        """

    /// A person answers {ok: boolean} within a second, or the answer is {ok: false}.
    package static let impatient = """
        name: impatient
        start: ask
        executors:
          ask:
            kind: request
            prompt: "Quick?"
            schema: { type: object, required: [ok], properties: { ok: { type: boolean } } }
            timeout: 1s
            onTimeout: { respond: { ok: false } }
          out: { kind: output }
        edges:
          - { from: ask, to: out }
        """

    /// Fails (exit 3) until the file its input names exists, then "done" comes out: a failed run
    /// that a retry can take up once the test makes the file.
    package static let flaky = """
        name: flaky
        start: step
        executors:
          step:
            kind: exec
            command: [/usr/bin/python3, -c, "import json, os, sys; path = json.load(sys.stdin)['message']; os.path.exists(path) or sys.exit(3); print(json.dumps('done'))"]
          out: { kind: output }
        edges:
          - { from: step, to: out }
        """

    /// Waits an hour, or for the signal `go`: a wait that is surely still armed when a test
    /// looks, however slow the machine (a sanitizer); the wake comes out.
    package static let later = """
        name: later
        start: hold
        executors:
          hold: { kind: wait, for: 1h, signal: go }
          out: { kind: output }
        edges:
          - { from: hold, to: out }
        """

    /// Waits for the signal `go` only; the wake comes out.
    package static let signalled = """
        name: signalled
        start: hold
        executors:
          hold: { kind: wait, signal: go }
          out: { kind: output }
        edges:
          - { from: hold, to: out }
        """

    /// A person answers {ok: boolean}; the answer comes out.
    package static let ask = """
        name: ask
        start: ask
        executors:
          ask:
            kind: request
            prompt: "Go on?"
            schema: { type: object, required: [ok], properties: { ok: { type: boolean } }, additionalProperties: false }
          out: { kind: output }
        edges:
          - { from: ask, to: out }
        """

    /// A program that waits until the file its input names exists (the test opens the gate with
    /// `DaemonProcess.open(_:)`), then "opened" comes out: a run that is surely still going
    /// however loaded the machine. It gives up when the daemon that started it is gone.
    package static let gated = """
        name: gated
        start: wait
        executors:
          wait: { kind: exec, command: [/bin/sh, -c, \(gateScript)], timeout: 300s }
          out: { kind: output }
        edges:
          - { from: wait, to: out }
        """

    /// A program that never ends on its own: it waits until it is stopped (a cancel, a stop) or
    /// its daemon is gone (runs that tests cancel or crash). No test depends on how long it sleeps.
    package static let forever = """
        name: forever
        start: nap
        executors:
          nap: { kind: exec, command: [/bin/sh, -c, "while kill -0 $PPID 2>/dev/null; do sleep 0.05; done; echo 1"], timeout: 1h }
          out: { kind: output }
        edges:
          - { from: nap, to: out }
        """

    /// Two branches in one superstep: a person is asked while a program waits on the gate its input names (as `gated`).
    package static let branch = """
        name: branch
        start: fan
        executors:
          fan: { kind: transform, expression: "message" }
          ask:
            kind: request
            prompt: "Go on?"
            schema: { type: object, required: [ok], properties: { ok: { type: boolean } } }
          nap: { kind: exec, command: [/bin/sh, -c, \(gateScript)], timeout: 300s }
          out: { kind: output }
        edges:
          - { from: fan, to: [ask, nap] }
          - { from: ask, to: out }
          - { from: nap, to: out }
        """

    /// Counts up to message.to as `count` does, then waits on the gate message.gate names (as
    /// `gated`): a run that is surely still in progress when a test crashes the daemon.
    package static let countGated = """
        name: countgated
        start: step
        maxSupersteps: 100000
        executors:
          step: { kind: transform, expression: "{n: sum([message.n, `1`]), to: message.to, gate: message.gate}" }
          pick: { kind: transform, expression: "message.gate" }
          wait: { kind: exec, command: [/bin/sh, -c, \(gateScript)], timeout: 300s }
          out: { kind: output }
        edges:
          - { from: step, to: step, when: "message.n < message.to" }
          - { from: step, to: pick, when: "message.n >= message.to" }
          - { from: pick, to: wait }
          - { from: wait, to: out }
        """

    /// The program of `gated`, `branch` and `countgated`: it waits until the file its message
    /// names exists (or its daemon is gone), then writes "opened"; one JSON string, which is a
    /// YAML double-quoted scalar.
    package static let gateScript = JSON.string("""
        d=$(cat); f=${d#*'"message":"'}; f=${f%%'"'*}
        while [ ! -e "$f" ] && kill -0 $PPID 2>/dev/null; do sleep 0.01; done
        echo '"opened"'
        """).serialized()

    /// Counts up to message.to, one superstep per step (many events).
    package static let count = """
        name: count
        start: step
        maxSupersteps: 100000
        executors:
          step: { kind: transform, expression: "{n: sum([message.n, `1`]), to: message.to}" }
          out: { kind: output }
        edges:
          - { from: step, to: step, when: "message.n < message.to" }
          - { from: step, to: out, when: "message.n >= message.to" }
        """

    /// Each answer (a number) is followed by the next question: a run per round trip.
    package static let pingpong = """
        name: pingpong
        start: ask
        maxSupersteps: 1000000
        executors:
          ask: { kind: request, prompt: "a number?", schema: { type: number } }
          strip: { kind: transform, expression: "message.response" }
        edges:
          - { from: ask, to: strip }
          - { from: strip, to: ask }
        """

    /// A program that ignores SIGTERM: it writes its pid to `<gate>.pid` and waits for ever,
    /// unless `<gate>.done` exists (then "finished" comes out). Its grace is a minute: only a
    /// kill by the daemon at its stop deadline ends it sooner.
    package static let stubborn = """
        name: stubborn
        start: hold
        executors:
          hold: { kind: exec, command: [/bin/sh, -c, \(stubbornScript)], timeout: 300s, grace: 60s }
          out: { kind: output }
        edges:
          - { from: hold, to: out }
        """

    package static let stubbornScript = JSON.string("""
        d=$(cat); f=${d#*'"message":"'}; f=${f%%'"'*}
        if [ -e "$f.done" ]; then echo '"finished"'; exit 0; fi
        trap '' TERM
        echo $$ > "$f.pid.tmp" && mv "$f.pid.tmp" "$f.pid"
        while kill -0 $PPID 2>/dev/null; do sleep 0.05; done
        """).serialized()

    package static let all: [String: String] = [
        "stubborn.yaml": stubborn, "pingpong.yaml": pingpong, "echo.yaml": echo, "ask.yaml": ask, "forever.yaml": forever, "gated.yaml": gated, "countgated.yaml": countGated, "branch.yaml": branch, "count.yaml": count,
        "remind.yaml": remind, "signalled.yaml": signalled, "impatient.yaml": impatient, "flaky.yaml": flaky, "later.yaml": later,
    ]
}
