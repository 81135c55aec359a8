/// A model type with a canonical JSON form. Checkpoints, events and requests use it, so whatever the
/// engine stores is plain JSON that a person or another program can read (never an opaque encoding).
public protocol JSONRepresentable {
    /// The value as JSON.
    var json: JSON { get }
    /// Reads the value back from its JSON form.
    /// - Throws: ``JSONShapeError`` naming the path and what was expected.
    init(json: JSON) throws
}

/// A JSON value did not have the shape a model type needs.
public struct JSONShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the value (a dotted path such as `messages[2].target`).
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Typed reads from a JSON object with errors that name the field.
struct JSONReader {
    let object: JSONObject
    let path: String

    init(_ json: JSON, path: String = "") throws {
        guard case .object(let object) = json else {
            throw JSONShapeError(path: path, "expected an object, got \(json.typeName)")
        }
        self.object = object
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) throws -> JSON {
        guard let value = object[key] else { throw JSONShapeError(path: field(key), "missing") }
        return value
    }

    func string(_ key: String) throws -> String {
        guard let value = try value(key).stringValue else { throw JSONShapeError(path: field(key), "expected a string") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw JSONShapeError(path: field(key), "expected a string") }
        return string
    }

    func int(_ key: String) throws -> Int {
        guard let value = try value(key).intValue else { throw JSONShapeError(path: field(key), "expected an integer") }
        return value
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let int = value.intValue else { throw JSONShapeError(path: field(key), "expected an integer") }
        return int
    }

    func double(_ key: String) throws -> Double {
        guard let value = try value(key).doubleValue else { throw JSONShapeError(path: field(key), "expected a number") }
        return value
    }

    func array(_ key: String) throws -> [JSON] {
        guard let value = object[key] else { return [] }
        guard let array = value.arrayValue else { throw JSONShapeError(path: field(key), "expected an array") }
        return array
    }

    func objectValue(_ key: String) throws -> JSONObject {
        guard let value = object[key] else { return [:] }
        guard let object = value.objectValue else { throw JSONShapeError(path: field(key), "expected an object") }
        return object
    }
}
