import ArgumentParser
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "List, show, create, pause, resume, trigger, backfill or delete schedules.",
        discussion: """
        A schedule starts runs on an instance at the times a cron expression names in a time zone (`--cron '0 2 * * *' \
        --time-zone Europe/Paris`) or at an interval (`--every 15m`, counted from the epoch). Each fire's run has the \
        idempotency key schedule:NAME:TIME, so a fire starts one run however often the daemon restarts. Schedules are also \
        declared in definition files (`schedules:`), and reloaded with them.
        """,
        subcommands: [List.self, Show.self, Create.self, Pause.self, Resume.self, Trigger.self, Backfill.self, Delete.self],
        defaultSubcommand: List.self)

    /// One schedule as lines: what it is, when it fires next, what its last fire did.
    static func describe(_ info: ScheduleInfo, _ t: Terminal) {
        t.line("schedule \(info.name)" + (info.paused ? " (paused)" : ""))
        t.line("  instance:  \(info.instance)" + (info.definition.map { " (created from \($0) when missing)" } ?? ""))
        if let cron = info.cron { t.line("  cron:      \(cron) in \(info.timeZone ?? "UTC")") }
        if let every = info.every { t.line("  every:     \(every)") }
        t.line("  overlap:   \(info.overlap); catch up: \(info.catchUp) within \(info.catchUpWindow)" + (info.jitter.map { "; jitter \($0)" } ?? ""))
        if let input = info.input, input != .null { t.line("  input:     \(input.serialized())") }
        t.line("  declared:  " + (info.file.map { "in \($0)" } ?? "with schedule.create by uid \(info.owner)"))
        if info.nextFires.isEmpty {
            t.line("  next:      -" + (info.paused ? " (paused)" : ""))
        } else {
            for (index, time) in info.nextFires.enumerated() {
                t.line((index == 0 ? "  next:      " : "             ") + "\(time) (\(Time.ahead(time)))")
            }
        }
        if let fire = info.lastFire { t.line("  last fire: " + line(fire)) }
    }

    static func line(_ fire: ScheduleInfo.Fire) -> String {
        var text = "\(fire.scheduledFor) \(fire.outcome)"
        if let runId = fire.runId { text += " run \(runId)" }
        if let error = fire.error { text += ": \(error)" }
        return text
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The schedules you may see, with their next fire.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await Session.run(options) { session in
                let schedules = try await session.client.schedules()
                if session.json {
                    session.terminal.json(["schedules": try JSONValueEncoder().encode(schedules)])
                    return .success
                }
                let t = session.terminal
                guard !schedules.isEmpty else {
                    t.line("no schedules")
                    return .success
                }
                var table = Table("NAME", "INSTANCE", "WHEN", "NEXT", "LAST")
                for info in schedules {
                    let when = info.cron.map { "\($0) \(info.timeZone ?? "UTC")" } ?? "every \(info.every ?? "?")"
                    let next = info.paused ? "paused" : info.nextFires.first.map { "\($0) (\(Time.ahead($0)))" } ?? "-"
                    table.add(info.name, info.instance, when, next, info.lastFire.map { "\($0.outcome) \(Time.relative($0.firedAt))" } ?? "-")
                }
                t.line(table.render(t))
                return .success
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One schedule: its declaration, next fire times, last fire.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let info = try await session.client.schedule(name)
                if session.json { session.terminal.json(try JSONValueEncoder().encode(info)) } else { ScheduleCommand.describe(info, session.terminal) }
                return .success
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a schedule (you own it; its runs start with your rights).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        @Option(name: .long, help: "The instance its runs start on.") var instance: String
        @Option(name: .long, help: "Create the instance from this definition when it does not exist.") var definition: String?
        @Option(name: .long, help: "Five cron fields, or @hourly, @daily, @weekly, @monthly, @yearly.") var cron: String?
        @Option(name: .long, help: "An interval instead of cron (30s, 15m, 2h, 1d).") var every: String?
        @Option(name: .customLong("time-zone"), help: "The zone cron reads (default UTC).") var timeZone: String?
        @Option(name: .long, help: ArgumentHelp("Each run's input: JSON, @FILE, or - for standard input.", valueName: "input")) var input: String?
        @Option(name: .long, help: "When the instance is busy: skip (default), queue, cancelPrevious, allow.") var overlap: String?
        @Option(name: .customLong("catch-up"), help: "Fires missed while the daemon was down: none, latest (default), all.") var catchUp: String?
        @Option(name: .customLong("catch-up-window"), help: "How far back missed fires count (default 24h).") var catchUpWindow: String?
        @Option(name: .long, help: "Delay each fire by up to this much.") var jitter: String?
        @Flag(name: .long, help: "Create it paused.") var paused = false

        func validate() throws {
            if (cron == nil) == (every == nil) { throw ValidationError("give --cron or --every (one of them)") }
        }

        func run() async throws {
            try await Session.run(options) { session in
                let value = try input.map { try InputArgument.read($0, what: "the input") }
                let info = try await session.client.createSchedule(.init(
                    name: name, instance: instance, definition: definition, cron: cron, every: every, timeZone: timeZone, input: value,
                    overlap: overlap, catchUp: catchUp, catchUpWindow: catchUpWindow, jitter: jitter, paused: paused ? true : nil))
                if session.json { session.terminal.json(try JSONValueEncoder().encode(info)) } else { ScheduleCommand.describe(info, session.terminal) }
                return .success
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a schedule (runs already started go on).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let info = try await session.client.pauseSchedule(name)
                if session.json { session.terminal.json(try JSONValueEncoder().encode(info)) } else { session.terminal.line("schedule \(name) paused") }
                return .success
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume", abstract: "Resume a schedule from now.",
            discussion: "The fires the pause skipped are not run; `wfctl schedule backfill` runs them if they are wanted.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let info = try await session.client.resumeSchedule(name)
                if session.json {
                    session.terminal.json(try JSONValueEncoder().encode(info))
                } else {
                    session.terminal.line("schedule \(name) resumed; next fire " + (info.nextFires.first.map { "\($0) (\(Time.ahead($0)))" } ?? "-"))
                }
                return .success
            }
        }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trigger", abstract: "Fire a schedule now (paused or not), with its overlap policy.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let fire = try await session.client.triggerSchedule(name)
                if session.json { session.terminal.json(try JSONValueEncoder().encode(fire)) } else { session.terminal.line("schedule \(name): " + ScheduleCommand.line(fire)) }
                return fire.outcome == "failed" ? .failure : .success
            }
        }
    }

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backfill", abstract: "Fire a schedule for each of its times in a past range, queued in order.",
            discussion: "At most 1000 fires. A time whose run exists already finds it (while the instance keeps its key).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String
        @Option(name: .long, help: "The range's start (RFC 3339), included.") var from: String
        @Option(name: .long, help: "The range's end (RFC 3339), included.") var to: String

        func run() async throws {
            try await Session.run(options) { session in
                let fires = try await session.client.backfillSchedule(name, from: from, to: to)
                if session.json {
                    session.terminal.json(["fires": try JSONValueEncoder().encode(fires)])
                } else if fires.isEmpty {
                    session.terminal.line("schedule \(name) has no time in that range")
                } else {
                    for fire in fires { session.terminal.line(ScheduleCommand.line(fire)) }
                }
                return fires.contains { $0.outcome == "failed" } ? .failure : .success
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a schedule made with create (its runs stay).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule.") var name: String

        func run() async throws {
            try await Session.run(options) { session in
                let deleted = try await session.client.deleteSchedule(name)
                if session.json { session.terminal.json(["deleted": .bool(deleted)]) } else { session.terminal.line("schedule \(name) deleted") }
                return .success
            }
        }
    }
}
