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
        .library(name: "WorkflowEngine", targets: ["WorkflowEngine"]),
        .library(name: "JMESPath", targets: ["JMESPath"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .executable(name: "workflowd", targets: ["workflowd"]),
        .executable(name: "workflowd-bench", targets: ["workflowd-bench"]),
    ],
    targets: [
        // The pure engine: graph, executors, supersteps, state, requests, events, checkpoints.
        // It imports nothing of ours and no NIO, SQLite or libsystemd.
        .target(name: "WorkflowEngine", swiftSettings: strictSettings),
        // JMESPath over the engine's JSON values (conditions, selections, transforms).
        .target(name: "JMESPath", dependencies: ["WorkflowEngine"], swiftSettings: strictSettings),
        // JSON Schema draft 2020-12 validation over the engine's JSON values (responses, inputs).
        .target(name: "JSONSchema", dependencies: ["WorkflowEngine"], swiftSettings: strictSettings),
        .executableTarget(name: "workflowd", dependencies: ["WorkflowEngine"], swiftSettings: strictSettings),
        .executableTarget(name: "workflowd-bench", dependencies: ["WorkflowEngine", "JMESPath", "JSONSchema"],
                          swiftSettings: strictSettings),
        .testTarget(name: "WorkflowEngineTests", dependencies: ["WorkflowEngine"], swiftSettings: strictSettings),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "WorkflowEngine"], exclude: ["Fixtures"],
                    swiftSettings: strictSettings),
        .testTarget(name: "JMESPathTests", dependencies: ["JMESPath", "WorkflowEngine"], exclude: ["Fixtures"],
                    swiftSettings: strictSettings),
    ]
)
