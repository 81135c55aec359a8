/// Decodes `Decodable` values straight from ``JSON`` values (no text in between). Errors say where
/// and what: ``JSONShapeError`` with a dotted path such as `params.instance: expected a string`.
///
/// ```swift
/// struct Params: Decodable { var instance: String; var limit: Int? }
/// let params = try JSONValueDecoder().decode(Params.self, from: ["instance": "review"], path: "params")
/// ```
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// Decodes `type` from `json`; `path` names the value in errors.
    public func decode<T: Decodable>(_ type: T.Type, from json: JSON, path: String = "") throws -> T {
        do {
            return try T(from: ValueDecoder(value: json, codingPath: []))
        } catch let error as DecodingError {
            throw Self.shapeError(error, root: path)
        }
    }

    static func shapeError(_ error: DecodingError, root: String) -> JSONShapeError {
        func describe(_ path: [any CodingKey]) -> String {
            var text = root
            for key in path {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return JSONShapeError(path: describe(context.codingPath + [key]), "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return JSONShapeError(path: describe(context.codingPath), context.debugDescription)
        @unknown default:
            return JSONShapeError(path: root, "\(error)")
        }
    }
}

// The decoding machinery behind the public type, nested in it.
extension JSONValueDecoder {
    private struct ValueDecoder: Decoder {
        let value: JSON
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func expected(_ what: String) -> DecodingError {
            .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(what), got \(value.typeName)"))
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let object) = value else { throw expected("an object") }
            return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let array) = value else { throw expected("an array") }
            return UnkeyedContainer(array: array, codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }
    }

    private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: JSONObject
        let codingPath: [any CodingKey]
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

        func child(_ key: Key) throws -> ValueDecoder {
            guard let value = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return ValueDecoder(value: value, codingPath: codingPath + [key])
        }

        func decodeNil(forKey key: Key) throws -> Bool { object[key.stringValue]?.isNull ?? true }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let decoder = try child(key)
            if T.self == JSON.self { return decoder.value as! T }
            return try T(from: decoder)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(object), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    private struct UnkeyedContainer: UnkeyedDecodingContainer {
        let array: [JSON]
        let codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        init(array: [JSON], codingPath: [any CodingKey]) {
            self.array = array
            self.codingPath = codingPath
        }

        mutating func next() throws -> ValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array ends too soon"))
            }
            defer { currentIndex += 1 }
            return ValueDecoder(value: array[currentIndex], codingPath: codingPath + [AnyCodingKey(intValue: currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, array[currentIndex].isNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let decoder = try next()
            if T.self == JSON.self { return decoder.value as! T }
            return try T(from: decoder)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    private struct SingleContainer: SingleValueDecodingContainer {
        let decoder: ValueDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.value.isNull }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let value) = decoder.value else { throw decoder.expected("true or false") }
            return value
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let value) = decoder.value else { throw decoder.expected("a string") }
            return value
        }

        func decode(_ type: Double.Type) throws -> Double {
            guard case .number(let value) = decoder.value else { throw decoder.expected("a number") }
            return value
        }

        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard case .number(let value) = decoder.value else { throw decoder.expected("an integer") }
            guard let exact = T(exactly: value) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected an integer that fits \(T.self), got \(JSON.number(value))"))
            }
            return exact
        }

        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == JSON.self { return decoder.value as! T }
            return try T(from: decoder)
        }
    }
}
