import Foundation

/// Where the repository is (its Contrib, systemd units and builds), from this file's place in it.
package enum Repository {
    /// The repository's root directory.
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}
