/// What a console serves and where.
public struct ConsoleConfiguration: Sendable {
    /// The daemon's socket: the console talks to the daemon as the user who runs it.
    public var socketPath: String
    /// The address to listen on: loopback by default (the token keeps other local users out).
    public var host: String
    /// The port; 0 takes a free one.
    public var port: Int
    /// The secret a browser must show, once in the address and then as a cookie.
    public var token: String
    /// At most this many live event streams at once (each holds a subscription on the daemon);
    /// one more is answered 503 and the browser retries.
    public var maximumEventStreams: Int
    /// Largest form a browser may post.
    public var maximumBody: Int

    /// A configuration; a random token unless one is given.
    public init(socketPath: String, host: String = "127.0.0.1", port: Int = 0, token: String = ConsoleConfiguration.randomToken(),
                maximumEventStreams: Int = 32, maximumBody: Int = 1 << 20) {
        self.socketPath = socketPath
        self.host = host
        self.port = port
        self.token = token
        self.maximumEventStreams = maximumEventStreams
        self.maximumBody = maximumBody
    }

    /// 128 random bits as 32 hexadecimal digits (from the system's generator).
    public static func randomToken() -> String { ConsoleToken.random() }
}
