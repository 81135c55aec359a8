import WorkflowTestSupport

/// The PostgreSQL server the bench's PostgreSQL workloads use: the tests' own (``PostgresServer``:
/// `initdb` in a temporary directory, a Unix socket, stopped when the bench ends), started with
/// durable settings (fsync, synchronous commit), as an operator would run it.
enum PostgresWorkloads {
    /// A new empty database on the server (started at the first call); its libpq URL.
    static func database() async throws -> String {
        let server = try await PostgresServer.shared(durable: true)
        return server.url(database: try await server.makeDatabase())
    }
}
