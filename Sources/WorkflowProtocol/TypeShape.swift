import WorkflowJSON

/// The shape of a wire type as its Swift declaration gives it: each member it reads, whether it
/// must be there (a non-optional property) and what JSON it is. Read from the type itself, by
/// running its `Decodable` initializer against a decoder that records what is asked of it, so
/// that a wire type is written once: the OpenRPC document's schemas (``Schema/of(_:_:)``), the
/// params' schemas and `required` flags all come from here, with refinements only where a schema
/// says more than a Swift type can (a date-time, bounds, a pattern). A test checks every method's
/// params and result and every shared schema against it.
public indirect enum TypeShape: Sendable, Hashable {
    case string
    case integer
    case number
    case boolean
    /// Any JSON value.
    case any
    /// One of these strings (a ``WireEnum``).
    case oneOf([String])
    case array(TypeShape)
    /// An object with string keys and values of one shape.
    case map(TypeShape)
    /// An object with these members.
    case object([String: Member])

    /// A member of an object.
    public struct Member: Sendable, Hashable {
        public var shape: TypeShape
        public var required: Bool
    }

    /// The JSON Schema `type` this shape has (nil for any JSON value).
    public var jsonType: String? {
        switch self {
        case .string, .oneOf: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .any: nil
        case .array: "array"
        case .map, .object: "object"
        }
    }

    /// The shape of `type`.
    public static func of(_ type: any Decodable.Type) -> TypeShape {
        if type == String.self { return .string }
        if type == Bool.self { return .boolean }
        if type == Double.self || type == Float.self { return .number }
        if type is any FixedWidthInteger.Type { return .integer }
        if type == JSON.self { return .any }
        if let wire = type as? any WireEnum.Type { return .oneOf(wire.rawValues) }
        if let optional = type as? any OptionalShape.Type { return of(optional.wrappedType) }
        if let array = type as? any ArrayShape.Type { return .array(of(array.elementType)) }
        if let map = type as? any MapShape.Type { return .map(of(map.valueType)) }
        let recorder = ShapeRecorder()
        do {
            _ = try type.init(from: recorder)
        } catch {
            // A type whose initializer checks more than its members: its own JSON, unconstrained.
            return .any
        }
        return recorder.members.isEmpty && !recorder.keyed ? .any : .object(recorder.members)
    }
}

extension WireEnum {
    fileprivate static var rawValues: [String] { allCases.map(\.rawValue) }
}

private protocol OptionalShape { static var wrappedType: any Decodable.Type { get } }
extension Optional: OptionalShape where Wrapped: Decodable { static var wrappedType: any Decodable.Type { Wrapped.self } }
private protocol ArrayShape { static var elementType: any Decodable.Type { get } }
extension Array: ArrayShape where Element: Decodable { static var elementType: any Decodable.Type { Element.self } }
private protocol MapShape { static var valueType: any Decodable.Type { get } }
extension Dictionary: MapShape where Key == String, Value: Decodable { static var valueType: any Decodable.Type { Value.self } }

/// A decoder that answers every question with a placeholder and remembers the keys asked for.
private final class ShapeRecorder: Decoder {
    var members: [String: TypeShape.Member] = [:]
    var keyed = false
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        keyed = true
        return KeyedDecodingContainer(Keyed<Key>(recorder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw Unshaped() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw Unshaped() }

    struct Unshaped: Error {}

    /// A value of `type` to hand back (its content does not matter, only that decoding goes on).
    static func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self { return "" as! T }
        if type == Bool.self { return false as! T }
        if type == Double.self { return 0.0 as! T }
        if type == Float.self { return Float(0) as! T }
        if let integer = type as? any FixedWidthInteger.Type { return integer.init(0) as! T }
        if type == JSON.self { return JSON.null as! T }
        if let wire = type as? any WireEnum.Type { return wire.allCases.first! as! T }
        if let array = type as? any ExpressibleByArrayLiteral.Type, type is any ArrayShape.Type { return emptyArray(array) as! T }
        if type is any MapShape.Type, let map = type as? any ExpressibleByDictionaryLiteral.Type { return emptyDictionary(map) as! T }
        return try T(from: ShapeRecorder())
    }

    private static func emptyArray<A: ExpressibleByArrayLiteral>(_ type: A.Type) -> A { [] }
    private static func emptyDictionary<D: ExpressibleByDictionaryLiteral>(_ type: D.Type) -> D { [:] }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: ShapeRecorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }

        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            recorder.members[key.stringValue] = .init(shape: TypeShape.of(type), required: true)
            return try ShapeRecorder.placeholder(type)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            recorder.members[key.stringValue] = .init(shape: TypeShape.of(type), required: false)
            return nil
        }

        private func optional<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
            recorder.members[key.stringValue] = .init(shape: TypeShape.of(type), required: false)
            return nil
        }

        // The standard library's own overloads for these types would ask decode(_:forKey:) (and
        // record the member as required): each says itself that it is optional.
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { optional(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { optional(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { optional(type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { optional(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { optional(type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { optional(type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { optional(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { optional(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { optional(type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { optional(type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { optional(type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { optional(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { optional(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { optional(type, key) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw Unshaped()
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw Unshaped() }
        func superDecoder() throws -> any Decoder { throw Unshaped() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw Unshaped() }
    }
}
