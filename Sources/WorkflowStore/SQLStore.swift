import WorkflowConcurrency
import WorkflowEngine

/// A store whose rules are written once, over SQL sessions: ``SQLiteStore`` (the embedded
/// default) and ``PostgresStore`` (several hosts, one database) differ only in how they reach
/// their database and in their schema; commits, the event projection, checkpoints and their
/// parts, retention, recovery, schedules and wakes are this protocol's extensions, so both pass
/// one conformance suite by construction and a rule changed is changed for both.
///
/// Its files, by concern: `+Commits` (transactions and the event projection), `+Reads`
/// (checkpoints and the log), `+Checkpoints` (how a checkpoint is stored, labels), `+Lineage`
/// (lineage and runs), `+Retention`, `+Instances`, `+Definitions`, `+Recovery`, `+Schedules`,
/// `+Wakes` (when instances' waits are due).
public protocol SQLStore: InstanceStore, AnyObject {
    /// What the store's rules keep beside the database: its configuration and counters.
    var shared: SQLStoreState { get }
    /// Runs `body` on the connection that writes (the store's commit thread), outside any
    /// transaction, to its end: the awaiting task's cancellation does not interrupt it (a commit
    /// is wholly in or out, decided by the database, not by who happened to wait for it).
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// Runs `body` on a connection that reads, in one consistent view of the database.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
}

extension SQLStore {
    /// The store's retention limits and durability.
    var configuration: StoreConfiguration { shared.configuration }

    /// Runs `body` in one transaction on the writer: committed if it returns, rolled back if it throws.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await write { db in try db.transaction { try body(db) } }
    }
}
