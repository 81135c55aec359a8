// swift-tools-version:6.1
// libFuzzer targets for workflowd's parsers. Not part of the main build: `Contrib/fuzz/run`
// builds them with `-sanitize=fuzzer,address` and runs each (see README.md here).
import PackageDescription

let package = Package(
    name: "workflowd-fuzz",
    dependencies: [.package(name: "workflowd", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzRPC", dependencies: [.product(name: "WorkflowProtocol", package: "workflowd"),
                                                          .product(name: "WorkflowJSON", package: "workflowd")]),
        .executableTarget(name: "FuzzDefinition", dependencies: [.product(name: "WorkflowDefinitions", package: "workflowd")]),
        .executableTarget(name: "FuzzJMESPath", dependencies: [.product(name: "JMESPath", package: "workflowd"),
                                                               .product(name: "WorkflowJSON", package: "workflowd")]),
        .executableTarget(name: "FuzzSchema", dependencies: [.product(name: "JSONSchema", package: "workflowd"),
                                                             .product(name: "WorkflowJSON", package: "workflowd")]),
    ]
)
