
/// Where a PostgreSQL database is and who logs in, from libpq's two forms: a URL
/// (`postgresql://user@host:5432/db`, `postgresql:///db?host=/run/postgresql`) or keywords
/// (`host=/run/postgresql dbname=workflowd user=workflowd`).
///
/// A password is never taken from this text: the text sits on command lines and in unit files,
/// which other users can read (`ps`, `systemctl show`). It comes from a file or a systemd
/// credential instead, given to ``init(parsing:password:)``.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// A host name or address, or a directory holding the server's Unix socket (starts with `/`).
    public var host: String
    /// The TCP port, which also names the Unix socket (`.s.PGSQL.PORT`).
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The database.
    public var database: String
    /// The password, if the server asks for one.
    public var password: String?
    /// How long a connection may take to open, in seconds (libpq's `connect_timeout`; 10 when
    /// not given). libpq's 0 ("for ever") is refused: a daemon that cannot reach its database
    /// says so instead of waiting.
    public var connectTimeout: Int

    /// The Unix socket's path, when ``host`` is a directory.
    public var unixSocketPath: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }

    /// The location without its password (for logs and `daemon.status`).
    public var description: String {
        host.hasPrefix("/") ? "postgresql:///\(database)?host=\(host)&port=\(port)&user=\(user)"
                            : "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    /// Parses `text` (URL or keywords). Unset parts take libpq's defaults: the socket directory
    /// `/run/postgresql`, port 5432, the database named as the user; `defaultUser` is the user
    /// when the text names none (the executable passes the user it runs as).
    /// - Throws: ``Invalid`` naming what is wrong (a password in the text
    ///   among it, or TLS asked for: this build speaks to PostgreSQL on a Unix socket or plain TCP).
    public init(parsing text: String, password: String? = nil, defaultUser: String = "postgres") throws {
        var fields: [String: String] = [:]
        let trimmed = text.trimmingCharacters(in: " \t\n")
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            fields = try Self.urlFields(trimmed)
        } else {
            fields = try Self.keywordFields(trimmed)
        }
        if fields["password"] != nil {
            throw PostgresLocation.Invalid("the database location holds a password; give it in a file (--database-password-file) or as the systemd credential 'database-password' instead")
        }
        if let mode = fields["sslmode"], !["disable", "allow", "prefer"].contains(mode) {
            throw PostgresLocation.Invalid("sslmode=\(mode) is not supported: connect over the Unix socket, or with sslmode=disable on a trusted network")
        }
        for key in fields.keys where !["host", "port", "user", "dbname", "sslmode", "application_name", "connect_timeout"].contains(key) {
            throw PostgresLocation.Invalid("the database location has an unknown parameter '\(key)'")
        }
        host = fields["host"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/postgresql"
        if let text = fields["port"] {
            guard let number = Int(text), (1...65_535).contains(number) else {
                throw PostgresLocation.Invalid("the database port '\(text)' is not a number from 1 to 65535")
            }
            port = number
        } else {
            port = 5432
        }
        if let text = fields["connect_timeout"] {
            guard let seconds = Int(text), seconds >= 1 else {
                throw PostgresLocation.Invalid("connect_timeout '\(text)' is not a whole number of seconds, at least 1")
            }
            connectTimeout = seconds
        } else {
            connectTimeout = 10
        }
        user = fields["user"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultUser
        database = fields["dbname"].flatMap { $0.isEmpty ? nil : $0 } ?? user
        self.password = password
    }

    private static func urlFields(_ text: String) throws -> [String: String] {
        var rest = text.drop { $0 != ":" }.dropFirst(3)
        var fields: [String: String] = [:]
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            fields["dbname"] = try decode(String(rest[rest.index(after: slash)...]))
        }
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                fields["user"] = try decode(String(credentials[..<colon]))
                fields["password"] = String(credentials[credentials.index(after: colon)...])
            } else {
                fields["user"] = try decode(String(credentials))
            }
        }
        if !authority.isEmpty {
            if authority.hasPrefix("[") {  // an IPv6 address
                guard let close = authority.firstIndex(of: "]") else { throw PostgresLocation.Invalid("the database URL's host '\(authority)' has no closing ]") }
                fields["host"] = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { fields["port"] = String(after.dropFirst()) }
            } else if let colon = authority.lastIndex(of: ":") {
                fields["host"] = try decode(String(authority[..<colon]))
                fields["port"] = String(authority[authority.index(after: colon)...])
            } else {
                fields["host"] = try decode(String(authority))
            }
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            guard let equals = pair.firstIndex(of: "=") else { throw PostgresLocation.Invalid("the database URL's parameter '\(pair)' has no value") }
            fields[try decode(String(pair[..<equals]))] = try decode(String(pair[pair.index(after: equals)...]))
        }
        return fields
    }

    private static func keywordFields(_ text: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        var characters = Array(text)
        characters.append(" ")
        var index = 0
        func skipSpaces() { while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 } }
        while true {
            skipSpaces()
            guard index < characters.count else { break }
            var key = ""
            while index < characters.count, characters[index] != "=", characters[index] != " " {
                key.append(characters[index])
                index += 1
            }
            skipSpaces()
            guard index < characters.count, characters[index] == "=" else {
                throw PostgresLocation.Invalid("the database location '\(text)' is neither a postgresql:// URL nor key=value pairs ('\(key)' has no value)")
            }
            index += 1
            skipSpaces()
            var value = ""
            if index < characters.count, characters[index] == "'" {
                index += 1
                var closed = false
                while index < characters.count {
                    let character = characters[index]
                    index += 1
                    if character == "\\", index < characters.count {
                        value.append(characters[index])
                        index += 1
                    } else if character == "'" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw PostgresLocation.Invalid("the database location's value of '\(key)' has no closing quote") }
            } else {
                while index < characters.count, characters[index] != " " {
                    value.append(characters[index])
                    index += 1
                }
            }
            fields[key] = value
        }
        return fields
    }

    /// Percent-decoding, as in a URL.
    private static func decode(_ text: String) throws -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                throw PostgresLocation.Invalid("the database URL has a bad escape in '\(text)'")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresLocation {
    /// What is wrong with a database location's text.
    public struct Invalid: Error, CustomStringConvertible {
        /// The problem, naming the part of the text it concerns.
        public var description: String
        init(_ description: String) { self.description = description }
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
