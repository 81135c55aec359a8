#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import Logging

/// swift-log into the systemd journal with structured fields (sd_journal_sendv): `MESSAGE`,
/// `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and the metadata as
/// fields: `instance` → `INSTANCE`, `run` → `RUN`, `executor` → `EXECUTOR`, `rpc.method` →
/// `RPC_METHOD`, `peer.uid` → `PEER_UID` (any key: upper-cased, other characters as `_`), so
/// `journalctl -u workflowd INSTANCE=review` finds what happened to one instance.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let identifier: String
    /// Adds metadata to every entry (the trace ids of a traced request or run).
    public var metadataProvider: Logger.MetadataProvider?

    /// The journal's socket; when it is missing, journald is not running.
    public static let socketPath = "/run/systemd/journal/socket"

    /// A handler writing as `identifier` the entries at `level` and above, with what
    /// `metadataProvider` adds.
    public init(identifier: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.identifier = identifier
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Whether journald listens here.
    public static func isAvailable() -> Bool {
        var info = stat()
        return stat(socketPath, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// A metadata key as a journal field name: upper case letters, digits and `_`, not starting
    /// with `_` (those are trusted fields only journald may set) or a digit, at most 64 bytes.
    public static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        if name.first?.isNumber == true || name.isEmpty { name = "F" + name }
        return String(name.prefix(64))
    }

    /// The fields of one entry.
    public func fields(_ event: LogEvent) -> [String] {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var fields = ["MESSAGE=\(event.message)", "PRIORITY=\(SyslogPriority.of(event.level))", "SYSLOG_IDENTIFIER=\(identifier)",
                      "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)"]
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        return fields
    }

    public func log(event: LogEvent) {
        let fields = fields(event)
        let strings = fields.map { strdup($0)! }
        defer { strings.forEach { free($0) } }
        var vectors = strings.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        _ = sd_journal_sendv(&vectors, Int32(vectors.count))
    }
}

