extension JSON {
    /// Parses JSON text (see ``JSONParser``).
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONParser.parse(text)
    }

    /// Parses UTF-8 JSON bytes (see ``JSONParser``).
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        self = try JSONParser.parse(bytes)
    }
}
