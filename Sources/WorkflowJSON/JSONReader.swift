/// Typed reads from a JSON object with errors that name the field.
package struct JSONReader {
    package let object: JSONObject
    package let path: String

    package init(_ json: JSON, path: String = "") throws {
        guard case .object(let object) = json else {
            throw JSONShapeError(path: path, "expected an object, got \(json.typeName)")
        }
        self.object = object
        self.path = path
    }

    package func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package func value(_ key: String) throws -> JSON {
        guard let value = object[key] else { throw JSONShapeError(path: field(key), "missing") }
        return value
    }

    package func string(_ key: String) throws -> String {
        guard let value = try value(key).stringValue else { throw JSONShapeError(path: field(key), "expected a string") }
        return value
    }

    package func optionalString(_ key: String) throws -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw JSONShapeError(path: field(key), "expected a string") }
        return string
    }

    package func int(_ key: String) throws -> Int {
        guard let value = try value(key).intValue else { throw JSONShapeError(path: field(key), "expected an integer") }
        return value
    }

    /// A counter: an integer in 0...2^53 (so adding to it can never overflow).
    package func counter(_ key: String) throws -> Int {
        guard let value = try value(key).intValue, value >= 0, value <= 1 << 53 else {
            throw JSONShapeError(path: field(key), "expected an integer from 0 to 2^53")
        }
        return value
    }

    /// A non-negative integer that fits in 64 bits (a seq): anything else is a shape error, never a trap.
    package func uint64(_ key: String) throws -> UInt64 {
        guard let number = try value(key).doubleValue, let value = UInt64(exactly: number) else {
            throw JSONShapeError(path: field(key), "expected a non-negative integer below 2^64")
        }
        return value
    }

    package func optionalInt(_ key: String) throws -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let int = value.intValue else { throw JSONShapeError(path: field(key), "expected an integer") }
        return int
    }

    package func double(_ key: String) throws -> Double {
        guard let value = try value(key).doubleValue else { throw JSONShapeError(path: field(key), "expected a number") }
        return value
    }

    package func array(_ key: String) throws -> [JSON] {
        guard let value = object[key] else { return [] }
        guard let array = value.arrayValue else { throw JSONShapeError(path: field(key), "expected an array") }
        return array
    }

    package func objectValue(_ key: String) throws -> JSONObject {
        guard let value = object[key] else { return [:] }
        guard let object = value.objectValue else { throw JSONShapeError(path: field(key), "expected an object") }
        return object
    }
}
