/// Encodes `Encodable` values straight to ``JSON`` values. Optional properties that are nil are
/// left out (as `JSONEncoder` does); numbers become doubles.
///
/// ```swift
/// struct Result: Encodable { var runId: String; var status: String }
/// let json = try JSONValueEncoder().encode(Result(runId: "r1", status: "idle"))
/// ```
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        if let json = value as? JSON { return json }
        let root = Box()
        try value.encode(to: ValueEncoder(box: root, codingPath: []))
        return root.resolved()
    }
}

// The encoding machinery behind the public type, nested in it.
extension JSONValueEncoder {
    /// Where an encoder writes its value (a reference, so nested containers fill their parent).
    private final class Box {
        enum Kind { case unset, single, object, array }

        var kind: Kind = .unset
        var value: JSON = .null
        var children: [String: Box] = [:]
        var elements: [Box] = []

        func resolved() -> JSON {
            switch kind {
            case .unset, .single: return value
            case .object: return .object(children.mapValues { $0.resolved() })
            case .array: return .array(elements.map { $0.resolved() })
            }
        }
    }

    private struct ValueEncoder: Encoder {
        let box: Box
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if box.kind != .object { box.kind = .object }
            return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if box.kind != .array { box.kind = .array }
            return UnkeyedContainer(box: box, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            box.kind = .single
            return SingleContainer(box: box, codingPath: codingPath)
        }
    }

    private static func encodeValue<T: Encodable>(_ value: T, into box: Box, codingPath: [any CodingKey]) throws {
        if let json = value as? JSON {
            box.kind = .single
            box.value = json
            return
        }
        try value.encode(to: ValueEncoder(box: box, codingPath: codingPath))
    }

    private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        let codingPath: [any CodingKey]

        func child(_ key: Key) -> Box {
            let child = Box()
            box.children[key.stringValue] = child
            return child
        }

        mutating func encodeNil(forKey key: Key) throws {
            let child = child(key)
            child.kind = .single
            child.value = .null
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try JSONValueEncoder.encodeValue(value, into: child(key), codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            ValueEncoder(box: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            ValueEncoder(box: child(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { ValueEncoder(box: box, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(box: child(key), codingPath: codingPath + [key]) }
    }

    private struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: Box
        let codingPath: [any CodingKey]
        var count: Int { box.elements.count }

        func next() -> Box {
            let child = Box()
            box.elements.append(child)
            return child
        }

        mutating func encodeNil() throws {
            let child = next()
            child.kind = .single
            child.value = .null
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try JSONValueEncoder.encodeValue(value, into: next(), codingPath: codingPath + [AnyCodingKey(intValue: count)])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            ValueEncoder(box: next(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            ValueEncoder(box: next(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { ValueEncoder(box: next(), codingPath: codingPath) }
    }

    private struct SingleContainer: SingleValueEncodingContainer {
        let box: Box
        let codingPath: [any CodingKey]

        func set(_ value: JSON) {
            box.kind = .single
            box.value = value
        }

        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.bool(value)) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws {
            guard value.isFinite else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no \(value)"))
            }
            set(.number(value))
        }
        mutating func encode(_ value: Float) throws { try encode(Double(value)) }
        mutating func encode(_ value: Int) throws { set(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { set(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { set(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { set(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { set(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { set(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { set(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { set(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { set(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { set(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try JSONValueEncoder.encodeValue(value, into: box, codingPath: codingPath) }
    }
}
