/// Where spans go: an OTLP/HTTP traces endpoint (`http://HOST:PORT/v1/traces`).
public struct OTLPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The request path (`/v1/traces` unless the URL named one).
    public var path: String

    /// Why an endpoint was refused.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `http://HOST[:PORT][/PATH]`. A base URL (no path, or `/`) gets OTLP's traces path,
    /// `/v1/traces`, as `OTEL_EXPORTER_OTLP_ENDPOINT` does; a URL with a path is taken as it is,
    /// as `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is. Only plain HTTP: TLS to a collector elsewhere
    /// is for a collector on this machine to do.
    public init(parsing text: String, signalSpecific: Bool = false) throws(Invalid) {
        guard text.hasPrefix("http://") else {
            throw Invalid(description: "'\(text)' is not an http:// URL (OTLP/HTTP without TLS: send to a collector on this machine, which may forward over TLS)")
        }
        var rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        rest = rest.dropFirst(authority.count)
        var host = String(authority)
        var port = 4318
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65_535).contains(number) else { throw Invalid(description: "'\(text)' has a bad port") }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(number) else {
                throw Invalid(description: "'\(text)' has a bad port")
            }
            port = number
        }
        guard !host.isEmpty else { throw Invalid(description: "'\(text)' names no host") }
        self.host = host
        self.port = port
        let path = String(rest)
        if signalSpecific {
            self.path = path.isEmpty ? "/" : path
        } else {
            self.path = (path.isEmpty || path == "/") ? "/v1/traces" : (path.hasSuffix("/v1/traces") ? path : path.trimmingSuffix("/") + "/v1/traces")
        }
    }

    public var description: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)" }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
