#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowEngine

extension Definition {
    /// What checking one file found: its definition, or every problem it has.
    public struct FileCheck: Sendable {
        public var file: String
        public var definition: Definition?
        public var errors: [DefinitionError]
        /// The documents of every definition that loaded beside it (its sub-workflows among them).
        public var documents: [String: JSON]
    }

    /// Checks files as the daemon would load them: each beside the other definition files of its
    /// directory, so the sub-workflows it names resolve as they would there. Only the given
    /// files' problems are reported (a broken neighbour is not theirs).
    public static func check(files: [String]) -> [FileCheck] {
        let library = DefinitionLibrary()
        let named = Set(files)
        for file in files { library.read(file) }
        var directories: [String] = []
        for file in files {
            let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
            if !directories.contains(directory) { directories.append(directory) }
        }
        for directory in directories {
            guard let handle = opendir(directory.isEmpty ? "/" : directory) else { continue }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") { names.append(name) }
            }
            closedir(handle)
            for name in names.sorted() {
                let path = directory == "." && !files.contains(where: { $0.hasPrefix("./") }) ? name : directory + "/" + name
                if !named.contains(path) { library.read(path) }
            }
        }
        let (definitions, errors) = library.compileAll()
        let documents = definitions.mapValues(\.document)
        return files.map { file in
            let own = errors.filter { $0.file == file }
            return FileCheck(file: file, definition: own.isEmpty ? definitions.values.first { $0.file == file } : nil,
                             errors: own.isEmpty && !definitions.values.contains { $0.file == file }
                                 ? [DefinitionError(file: file, path: "", "not loaded (another file defines the same name)")] : own,
                             documents: documents)
        }
    }
}
