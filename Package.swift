// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "workflowd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "WorkflowConcurrency", targets: ["WorkflowConcurrency"]),
        .library(name: "WorkflowJSON", targets: ["WorkflowJSON"]),
        .library(name: "WorkflowCalendar", targets: ["WorkflowCalendar"]),
        .library(name: "WorkflowEngine", targets: ["WorkflowEngine"]),
        .library(name: "JMESPath", targets: ["JMESPath"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "WorkflowStore", targets: ["WorkflowStore"]),
        .library(name: "WorkflowDefinitions", targets: ["WorkflowDefinitions"]),
        .library(name: "WorkflowProtocol", targets: ["WorkflowProtocol"]),
        .library(name: "WorkflowDaemon", targets: ["WorkflowDaemon"]),
        .library(name: "WorkflowClient", targets: ["WorkflowClient"]),
        .library(name: "WorkflowGraph", targets: ["WorkflowGraph"]),
        .library(name: "WorkflowConsole", targets: ["WorkflowConsole"]),
        .library(name: "WorkflowMCP", targets: ["WorkflowMCP"]),
        .executable(name: "wfctl", targets: ["wfctl"]),
        .executable(name: "workflowd", targets: ["workflowd"]),
        .executable(name: "workflowd-bench", targets: ["workflowd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Metrics: the Prometheus exposition (it records through swift-metrics' handler types).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Traces: the API every library instruments with; the OTLP exporter is our own (WorkflowTelemetry).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // The web console's HTTP server (`wfctl console`); without its default traits (no
        // swift-configuration, which it would only use to read its settings from the environment).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // The `llm` kind's HTTP client (OpenAI-compatible Chat Completions, streaming included).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // `swift package generate-documentation` for the DocC catalogs (no code of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The pure engine: graph, executors, supersteps, state, requests, events, checkpoints.
        // It imports nothing of ours and no NIO, SQLite or libsystemd.
        .target(name: "WorkflowEngine", dependencies: ["WorkflowJSON", "WorkflowConcurrency", .product(name: "Logging", package: "swift-log"),
                                                      .product(name: "Tracing", package: "swift-distributed-tracing")],
                swiftSettings: strictSettings),
        // The JSON value, its parser and serializer, timestamps and ids: shared by the engine, the
        // expression and schema libraries, the protocol and the client (which need no engine).
        .target(name: "WorkflowJSON", dependencies: ["WorkflowConcurrency"], swiftSettings: strictSettings),
        // What threads and tasks share outside actors: a lock (Locked), a value that arrives once
        // (Promise), blocking work off the cooperative pool (BlockingWork, QueueWork). No
        // dependency at all.
        .target(name: "WorkflowConcurrency", swiftSettings: strictSettings),
        // Wall clocks: time zones from the system's zoneinfo, cron expressions, cadences. No
        // dependency at all (schedules compute their fire times with it).
        .target(name: "WorkflowCalendar", swiftSettings: strictSettings),
        // JMESPath over JSON values (conditions, selections, transforms).
        .target(name: "JMESPath", dependencies: ["WorkflowJSON"], swiftSettings: strictSettings),
        // The definition language: definition files (YAML or JSON) -> engine graphs, checked.
        .target(name: "WorkflowDefinitions", dependencies: ["WorkflowEngine", "WorkflowExecutors", "WorkflowConcurrency", "JMESPath", "JSONSchema", "WorkflowCalendar",
                                                          .product(name: "Yams", package: "Yams")],
                swiftSettings: strictSettings),
        // The built-in executor kinds (request, transform, join, output, workflow) and process
        // supervision for the kinds that run programs (exec, worker, their process groups).
        .target(name: "WorkflowExecutors", dependencies: ["WorkflowEngine", "WorkflowConcurrency", "JMESPath", "JSONSchema", "WorkflowTelemetry",
                                                        .product(name: "Tracing", package: "swift-distributed-tracing"),
                                                        .product(name: "Subprocess", package: "swift-subprocess"),
                                                        .product(name: "SystemPackage", package: "swift-system"),
                                                        .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                        .product(name: "NIOCore", package: "swift-nio"),
                                                        .product(name: "NIOHTTP1", package: "swift-nio")],
                swiftSettings: strictSettings),
        // Durable persistence: checkpoints, the event log, runs, the inbox, recovery. The store's
        // logic is written once over SQL sessions; SQLite (GRDB) is the embedded backend,
        // PostgreSQL (postgres-nio) the one several hosts share.
        .target(name: "WorkflowStore", dependencies: ["WorkflowEngine", "WorkflowConcurrency", .product(name: "GRDB", package: "GRDB.swift"),
                                                     .product(name: "PostgresNIO", package: "postgres-nio"),
                                                     .product(name: "Logging", package: "swift-log")],
                swiftSettings: strictSettings),
        // A process the crash test kills with SIGKILL while it writes through the store.
        .executableTarget(name: "workflowd-store-crasher",
                          dependencies: ["WorkflowEngine", "WorkflowStore", "WorkflowTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                          path: "Tests/StoreCrasher", swiftSettings: strictSettings),
        // JSON Schema draft 2020-12 validation over the engine's JSON values (responses, inputs).
        .target(name: "JSONSchema", dependencies: ["WorkflowJSON"], swiftSettings: strictSettings),
        // JSON-RPC 2.0 over NDJSON: the envelope, the method catalogue, error codes, the OpenRPC
        // document. Shared by the daemon and the client, so they cannot drift; no NIO, no engine.
        .target(name: "WorkflowProtocol", dependencies: ["WorkflowJSON"], swiftSettings: strictSettings),
        // libsystemd (sd_notify, socket activation, the watchdog, the journal), through pkg-config.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // glibc's <malloc.h> (mallopt, malloc_trim): the daemon's allocator settings.
        .systemLibrary(name: "CMalloc"),
        // The only code that imports CSystemd: the notifier, listen fds, the watchdog, journal logging.
        .target(name: "SystemdSupport", dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strictSettings),
        // The daemon: instance registry, RPC handlers, subscriptions, the socket server, services.
        // Traces out: W3C Trace Context, a tracer, OTLP/HTTP export in protocol buffers.
        .target(name: "WorkflowTelemetry", dependencies: [
            "WorkflowConcurrency", "WorkflowJSON", .product(name: "Tracing", package: "swift-distributed-tracing"), .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strictSettings),
        .target(name: "WorkflowDaemon", dependencies: [
            "CMalloc", "WorkflowConcurrency", "WorkflowCalendar",
            "WorkflowEngine", "WorkflowDefinitions", "WorkflowExecutors", "WorkflowStore", "WorkflowProtocol", "JSONSchema", "SystemdSupport",
            "WorkflowTelemetry", .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strictSettings),
        // The async Swift client over the socket: every method, typed errors, resuming event streams.
        .target(name: "WorkflowClient", dependencies: [
            "WorkflowProtocol", "WorkflowJSON",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOExtras", package: "swift-nio-extras"),
        ], swiftSettings: strictSettings),
        // A workflow definition as a picture (Mermaid, Graphviz DOT, text): pure, from the document.
        .target(name: "WorkflowGraph", dependencies: ["WorkflowJSON"], swiftSettings: strictSettings),
        // The web console for the people who answer (`wfctl console`): pages rendered from the
        // daemon's answers, forms from JSON Schema, live events as server-sent events. It talks to
        // the daemon through WorkflowClient as the user who runs it, so ownership holds.
        .target(name: "WorkflowConsole", dependencies: [
            "WorkflowClient", "WorkflowProtocol", "WorkflowJSON", "WorkflowGraph", "JSONSchema", "WorkflowConcurrency",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strictSettings),
        // `wfctl mcp`: the Model Context Protocol over stdio, through WorkflowClient.
        .target(name: "WorkflowMCP", dependencies: ["WorkflowClient", "WorkflowProtocol", "WorkflowJSON", "WorkflowGraph"],
                swiftSettings: strictSettings),
        // The command line: wfctl drives the daemon through WorkflowClient; validate works offline.
        .executableTarget(name: "wfctl", dependencies: [
            "WorkflowClient", "WorkflowProtocol", "WorkflowGraph", "WorkflowJSON", "JSONSchema", "WorkflowDefinitions", "WorkflowConsole", "WorkflowMCP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSettings),
        .executableTarget(name: "workflowd", dependencies: [
            "WorkflowDaemon", "WorkflowDefinitions", "WorkflowProtocol", "WorkflowEngine", "WorkflowStore", "SystemdSupport", "WorkflowTelemetry",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], swiftSettings: strictSettings),
        // The benchmarks; the PostgreSQL ones start their server as the tests do (WorkflowTestSupport).
        .executableTarget(name: "workflowd-bench", dependencies: ["WorkflowEngine", "WorkflowConcurrency", "JMESPath", "JSONSchema", "WorkflowStore", "WorkflowDefinitions",
                                                                  "WorkflowProtocol", "WorkflowClient", "WorkflowTestSupport", "WorkflowTelemetry",
                                                                  .product(name: "GRDB", package: "GRDB.swift"),
                                                                  .product(name: "Tracing", package: "swift-distributed-tracing"),
                                                                  .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strictSettings),
        // Helpers shared by the test targets (latches that tests await instead of sleeping).
        .target(name: "WorkflowTestSupport", dependencies: ["WorkflowEngine", "WorkflowConcurrency"], path: "Tests/WorkflowTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "WorkflowTelemetryTests", dependencies: ["WorkflowTelemetry", "WorkflowTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowCalendarTests", dependencies: ["WorkflowCalendar"], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowConcurrencyTests", dependencies: ["WorkflowConcurrency"], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowEngineTests", dependencies: ["WorkflowEngine", "WorkflowConcurrency", "WorkflowTestSupport",
                                                          .product(name: "Tracing", package: "swift-distributed-tracing")], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowDefinitionsTests", dependencies: ["WorkflowDefinitions", "WorkflowEngine", "JSONSchema", "WorkflowTestSupport", "WorkflowCalendar"],
                    swiftSettings: strictSettings),
        .testTarget(name: "WorkflowExecutorsTests", dependencies: ["WorkflowExecutors", "WorkflowDefinitions", "WorkflowEngine", "JSONSchema", "JMESPath",
                                                                   "WorkflowTestSupport"],
                    swiftSettings: strictSettings),
        .testTarget(name: "WorkflowStoreTests", dependencies: ["WorkflowStore", "WorkflowConcurrency", "WorkflowEngine", "WorkflowTestSupport",
                                                               .product(name: "GRDB", package: "GRDB.swift"),
                                                               .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                                                               .product(name: "PostgresNIO", package: "postgres-nio")],
                    swiftSettings: strictSettings),
        .testTarget(name: "WorkflowProtocolTests", dependencies: ["WorkflowProtocol", "WorkflowJSON", "JSONSchema"],
                    swiftSettings: strictSettings),
        // What the daemon, client, wfctl and systemd tests share: the real workflowd started on a
        // temporary socket, a raw JSON-RPC client, test definitions, a booted systemd machine.
        .target(name: "DaemonTestSupport", dependencies: [
            "WorkflowJSON", "WorkflowProtocol", "WorkflowClient", "WorkflowConcurrency", "WorkflowTestSupport",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOExtras", package: "swift-nio-extras"),
        ], path: "Tests/DaemonTestSupport", swiftSettings: strictSettings),
        // An OpenAI-compatible Chat Completions server on loopback for the `llm` kind's tests
        // (no model can run here): scripted answers, streamed or whole, and the requests it got,
        // each checked against the published request shape.
        .target(name: "ModelTestServer", dependencies: [
            "WorkflowJSON", "WorkflowConcurrency",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/ModelTestServer", swiftSettings: strictSettings),
        .testTarget(name: "WorkflowDaemonTests", dependencies: [
            "DaemonTestSupport", "ModelTestServer",
            "WorkflowProtocol", "WorkflowDaemon", "WorkflowJSON", "WorkflowConcurrency", "JSONSchema", "WorkflowTestSupport", "WorkflowStore", "WorkflowEngine",
            "WorkflowClient", "WorkflowGraph",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowClientTests", dependencies: ["WorkflowClient", "DaemonTestSupport", "WorkflowJSON", "WorkflowProtocol", "WorkflowTestSupport",
                                                            .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
                    swiftSettings: strictSettings),
        // wfctl as its users run it: the built binary against a real daemon.
        .testTarget(name: "WfctlTests", dependencies: ["DaemonTestSupport", "ModelTestServer", "WorkflowJSON", "WorkflowTestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strictSettings),
        // sd_notify, socket activation, the watchdog and the journal: under systemd-socket-activate,
        // and under a real systemd as PID 1 in a booted machine.
        .testTarget(name: "SystemdSupportTests", dependencies: ["SystemdSupport", "DaemonTestSupport", "WorkflowJSON", "WorkflowTestSupport"],
                    swiftSettings: strictSettings),
        .testTarget(name: "WorkflowMCPTests", dependencies: ["WorkflowMCP", "WorkflowJSON"], swiftSettings: strictSettings),
        .testTarget(name: "WorkflowConsoleTests", dependencies: ["WorkflowConsole", "WorkflowJSON", "JSONSchema", "WorkflowGraph"],
                    swiftSettings: strictSettings),
        .testTarget(name: "WorkflowGraphTests", dependencies: ["WorkflowGraph", "WorkflowJSON", "WorkflowDefinitions", "WorkflowTestSupport"],
                    swiftSettings: strictSettings),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "WorkflowJSON"], exclude: ["Fixtures"],
                    swiftSettings: strictSettings),
        .testTarget(name: "JMESPathTests", dependencies: ["JMESPath", "WorkflowJSON"], exclude: ["Fixtures"],
                    swiftSettings: strictSettings),
    ]
)
