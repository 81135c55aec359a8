import Foundation
import Testing
import WorkflowEngine
@testable import WorkflowStore
import WorkflowTestSupport

/// The two backends every store rule is checked against (the conformance suite): a test given
/// one of these runs once on SQLite and once on PostgreSQL.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Where a test's store lives: a fresh SQLite file, or a fresh database on the tests' PostgreSQL
/// server. ``open(_:)`` opens a store on it; opening again is a daemon's restart (a second
/// connection to the same data).
final class StorePlace: Sendable {
    let backend: StoreBackend
    private let file: TemporaryDatabase?
    private let location: PostgresLocation?

    init(_ backend: StoreBackend) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            file = try TemporaryDatabase()
            location = nil
        case .postgres:
            let server = try await PostgresServer.shared()
            file = nil
            location = try PostgresLocation(parsing: server.url(database: try await server.makeDatabase()))
        }
    }

    /// Runs SQL on this place's PostgreSQL database (a test that plays a host's death).
    func sql(_ statement: String) async throws {
        guard let location else { throw WorkflowError(.storeFailed, "not a PostgreSQL place") }
        try await PostgresServer.shared().sql(statement, database: location.database)
    }

    /// A store on this place's data.
    func open(_ configuration: StoreConfiguration = .init()) async throws -> any SQLStore {
        if let file { return try await SQLiteStore.open(path: file.path, configuration: configuration) }
        return try await PostgresStore.open(location!, configuration: configuration)
    }
}

extension TemporaryDatabase: @unchecked Sendable {}
