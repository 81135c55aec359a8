#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import WorkflowStore

/// `workflowd migrate`: copies the state of a state directory's SQLite database into an empty
/// PostgreSQL database, or back, while no daemon uses either (both are held as a daemon holds
/// them for the copy's length: a daemon running on either makes it refuse, and none can start
/// meanwhile).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflowd migrate",
        abstract: "Copies the state from a state directory's SQLite database into PostgreSQL, or back.",
        discussion: """
            Stop the daemon first: the copy refuses while a daemon uses either database. The destination \
            must be empty (a new PostgreSQL database, or a state directory without workflowd.sqlite). \
            Then start the daemon with --database (or without it, after copying back).
            """)

    enum Direction: String, ExpressibleByArgument, CaseIterable {
        case postgres
        case sqlite
    }

    @Option(name: .customLong("state-dir"), help: "The state directory whose workflowd.sqlite is copied (default: $STATE_DIRECTORY, else .workflowd).")
    var stateDirectory: String?

    @Option(help: "The PostgreSQL database, as workflowd --database takes it.")
    var database: String

    @Option(help: "A file holding the PostgreSQL password (default: $CREDENTIALS_DIRECTORY/database-password, when there is one).")
    var databasePasswordFile: String?

    @Option(help: "postgres: from SQLite into PostgreSQL; sqlite: from PostgreSQL into SQLite.")
    var to: Direction = .postgres

    func run() async throws {
        let environment = Environment.read()
        let state = stateDirectory ?? environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? ".workflowd"
        let path = state + "/workflowd.sqlite"
        let exists = access(path, F_OK) == 0
        if to == .postgres && !exists { throw ValidationError("there is no \(path) to copy") }
        if to == .sqlite && exists { throw ValidationError("\(path) exists: copy into a state directory without one") }
        if to == .sqlite && mkdir(state, 0o750) != 0 && errno != EEXIST {
            throw ValidationError("cannot make \(state): \(String(cString: strerror(errno)))")
        }
        let location = try Workflowd.postgresLocation(database, passwordFile: databasePasswordFile, environment: environment)
        let sqlite = try await SQLiteStore.open(path: path, exclusive: true)
        let postgres = try await PostgresStore.open(location, exclusive: true, exclusiveWait: .zero)
        defer { postgres.close() }
        let (source, destination): (any SQLStore, any SQLStore) = to == .postgres ? (sqlite, postgres) : (postgres, sqlite)
        let copied = try await StoreCopy.copy(from: source, to: destination)
        let from = to == .postgres ? path : location.description
        let into = to == .postgres ? location.description : path
        print("copied \(from) into \(into):")
        for (table, rows) in copied { print("  \(table): \(rows) rows") }
    }
}
