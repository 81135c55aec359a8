import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing
import WorkflowEngine
@testable import WorkflowStore
import WorkflowTestSupport

/// What only the PostgreSQL backend has: its location's text, its statements' translation, its
/// migrations, its errors, and its connections coming back.
@Suite("PostgreSQL store", .timeLimit(.minutes(5)))
struct PostgresStoreTests {
    @Test("libpq's URL and keyword forms give host, port, user and database; unset parts take libpq's defaults")
    func locations() throws {
        let socket = try PostgresLocation(parsing: "postgresql:///workflowd?host=/run/postgresql", defaultUser: "wf")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432" && socket.user == "wf" && socket.database == "workflowd")
        let tcp = try PostgresLocation(parsing: "postgres://alice@db.example:6543/flows?sslmode=disable")
        #expect(tcp.host == "db.example" && tcp.port == 6543 && tcp.user == "alice" && tcp.database == "flows" && tcp.unixSocketPath == nil)
        let escaped = try PostgresLocation(parsing: "postgresql://%2Fvar%2Frun%2Fpostgresql/db")
        #expect(escaped.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        let keywords = try PostgresLocation(parsing: "host=/tmp port=5433 dbname='my db' user=bob", password: "pw")
        #expect(keywords.unixSocketPath == "/tmp/.s.PGSQL.5433" && keywords.database == "my db" && keywords.user == "bob" && keywords.password == "pw")
        let defaults = try PostgresLocation(parsing: "", defaultUser: "carol")
        #expect(defaults.host == "/run/postgresql" && defaults.database == "carol")
        let v6 = try PostgresLocation(parsing: "postgresql://[::1]:5432/x")
        #expect(v6.host == "::1" && v6.port == 5432)
        // libpq's connect_timeout, in seconds; 10 when not given.
        let patient = try PostgresLocation(parsing: "host=/tmp connect_timeout=25")
        #expect(v6.connectTimeout == 10 && patient.connectTimeout == 25)
        // The password never shows in the description.
        #expect(!keywords.description.contains("pw"))
    }

    @Test("a password in the text, TLS asked for, a bad port, an unknown parameter or a broken form: each refused, naming it",
          arguments: [("postgresql://u:secret@/db", "password"), ("host=/tmp password=x", "password"),
                      ("postgresql:///db?sslmode=require", "sslmode=require"), ("postgresql://h:99999/db", "99999"),
                      ("postgresql:///db?colour=blue", "colour"), ("host=/tmp dbname", "has no value"), ("dbname='x", "closing quote"),
                      ("postgresql:///db?host=%zz", "bad escape"), ("host=/tmp connect_timeout=0", "connect_timeout '0'"),
                      ("postgresql:///db?connect_timeout=soon", "connect_timeout 'soon'")])
    func badLocations(text: String, named: String) throws {
        let error = #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(parsing: text) }
        #expect(error?.description.contains(named) == true, "\(error.map { "\($0)" } ?? "no error")")
    }

    @Test("statements' value marks become PostgreSQL's: ? counts, ?N names, quoted text is left alone")
    func translation() {
        #expect(PostgresSession.translate("SELECT ? , ?") == "SELECT $1 , $2")
        #expect(PostgresSession.translate("WHERE a = ?2 AND b = ?1 OR c = ?12") == "WHERE a = $2 AND b = $1 OR c = $12")
        #expect(PostgresSession.translate("SELECT '?', \"?x\", ? FROM t") == "SELECT '?', \"?x\", $1 FROM t")
    }

    @Test("the schema migrates once, records its version, and a database from a newer workflowd is refused")
    func migrations() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let location = try PostgresLocation(parsing: server.url(database: database))
        _ = try await PostgresStore.open(location)
        _ = try await PostgresStore.open(location)
        let applied = try await server.sql("SELECT string_agg(version::text || ':' || name, ',' ORDER BY version) FROM workflowd_migration", database: database)
        #expect(applied == PostgresSchema.migrations.enumerated().map { "\($0.offset + 1):\($0.element.name)" }.joined(separator: ","))
        try await server.sql("INSERT INTO workflowd_migration (version, name) VALUES (99, 'from the future')", database: database)
        await #expect {
            _ = try await PostgresStore.open(location)
        } throws: { error in
            (error as? WorkflowError)?.message.contains("version 99, newer than this workflowd knows") == true
        }
    }

    @Test("a database that does not exist and a server that is not there are errors that say so")
    func unreachable() async throws {
        let server = try await PostgresServer.shared()
        await #expect {
            _ = try await PostgresStore.open(try PostgresLocation(parsing: server.url(database: "absent")))
        } throws: { error in
            let failure = error as? WorkflowError
            return failure?.code == .storeFailed && failure?.message.contains(#"database "absent" does not exist"#) == true
        }
        await #expect {
            _ = try await PostgresStore.open(try PostgresLocation(parsing: "postgresql:///x?host=/nonexistent-socket-dir"))
        } throws: { error in
            (error as? WorkflowError)?.message.contains("could not be reached") == true
        }
    }

    @Test("an exclusive store (the daemon's) holds the database: a second is refused, naming the cause; once the first is closed, one opens")
    func oneDaemonPerDatabase() async throws {
        let server = try await PostgresServer.shared()
        let location = try PostgresLocation(parsing: server.url(database: try await server.makeDatabase()))
        let first = try await PostgresStore.open(location, exclusive: true)
        await #expect {
            _ = try await PostgresStore.open(location, exclusive: true, exclusiveWait: .milliseconds(300))
        } throws: { error in
            (error as? WorkflowError)?.message.contains("another workflowd uses the database") == true
        }
        // A store that is not exclusive (a tool reading the database) is not held up.
        _ = try await PostgresStore.open(location).instanceCount()
        first.close()
        _ = try await PostgresStore.open(location, exclusive: true, exclusiveWait: .seconds(30))
    }

    @Test("daemons' stores share the database under different host ids; a second under the same id is refused, naming it; the whole database (migrate) is refused while a host holds it")
    func hostsShareTheDatabase() async throws {
        let server = try await PostgresServer.shared()
        let location = try PostgresLocation(parsing: server.url(database: try await server.makeDatabase()))
        let a = try await PostgresStore.open(location, configuration: StoreConfiguration(host: "a"), exclusive: true)
        let b = try await PostgresStore.open(location, configuration: StoreConfiguration(host: "b"), exclusive: true)
        await #expect {
            _ = try await PostgresStore.open(location, configuration: StoreConfiguration(host: "a"), exclusive: true, exclusiveWait: .milliseconds(300))
        } throws: { error in
            (error as? WorkflowError)?.message.contains("another workflowd runs as host 'a'") == true
        }
        await #expect {
            _ = try await PostgresStore.open(location, exclusive: true, exclusiveWait: .milliseconds(300))
        } throws: { error in
            (error as? WorkflowError)?.message.contains("another workflowd uses the database") == true
        }
        a.close()
        b.close()
        _ = try await PostgresStore.open(location, exclusive: true, exclusiveWait: .seconds(30))
    }

    @Test("a session's statements do not pile up callbacks on its connection: its end is heard once, however many statements were waited for")
    func closeCallbackPerConnection() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let worker = PostgresWorker(name: "test-pg", location: try PostgresLocation(parsing: server.url(database: database)), logger: .init(label: "test"))
        defer { worker.stop() }
        let notices = try await worker.run(retryingLostConnection: false) { session in
            for _ in 0..<300 { try session.execute("SELECT 1", []) }
            for _ in 0..<300 { try session.enqueue("SELECT 1", []) }
            session.settle()
            try session.connection.close().wait()
            let deadline = ContinuousClock.now + .seconds(30)  // the close callbacks run on the event loop
            while session.closeNotices == 0, ContinuousClock.now < deadline { usleep(1_000) }
            usleep(50_000)
            return session.closeNotices
        }
        #expect(notices == 1)
    }

    @Test("connections the server ends (a restart, an administrator) are opened again: the next read and write succeed, nothing committed is lost")
    func reconnects() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let store = try await PostgresStore.open(try PostgresLocation(parsing: server.url(database: database)))
        try await store.createInstance(InstanceRecord(name: "before", definition: "d", definitionHash: "h", createdAt: 1))
        #expect(try await store.instanceCount() == 1)
        let ended = try await server.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
        #expect(ended == "2")  // the store's writer and reader
        // A read finds its connection gone and tries once more on a new one.
        #expect(try await store.instance(named: "before")?.name == "before")
        // A write that finds its connection gone fails (whether it landed is not known to it)...
        let first = await Result { try await store.createInstance(InstanceRecord(name: "after", definition: "d", definitionHash: "h", createdAt: 2)) }
        if case .failure(let error) = first { #expect(PostgresFailure.isConnectionLost(error), "\(error)") }
        // ...and the next one goes through a new connection.
        try await store.createInstance(InstanceRecord(name: "later", definition: "d", definitionHash: "h", createdAt: 3))
        let names = try await store.instances(after: nil, limit: 10, owner: nil, definition: nil).map(\.name)
        #expect(names.contains("before") && names.contains("later"))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
