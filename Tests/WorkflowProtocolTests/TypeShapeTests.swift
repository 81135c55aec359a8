import Testing
import WorkflowJSON
@testable import WorkflowProtocol

/// The schemas of the OpenRPC document against the Swift types they describe: the type is the
/// source of the members, which are required and what JSON each is; a schema that says otherwise
/// fails here, naming where.
@Suite("Protocol: schemas agree with their types")
struct TypeShapeTests {
    @Test("the shape of a type: members, required or not, JSON types, closed sets, arrays and maps")
    func shapes() {
        guard case .object(let members) = TypeShape.of(RunInfo.self) else { Issue.record("RunInfo is not an object"); return }
        #expect(members["runId"] == .init(shape: .string, required: true))
        #expect(members["status"] == .init(shape: .oneOf(RunStatusValue.allCases.map(\.rawValue)), required: true))
        #expect(members["position"] == .init(shape: .integer, required: false))
        #expect(members["outputs"] == .init(shape: .array(.any), required: false))
        #expect(members["timedOut"] == .init(shape: .boolean, required: false))
        guard case .object(let graph) = TypeShape.of(InstanceMethods.Graph.Result.self) else { Issue.record("not an object"); return }
        #expect(graph["holding"] == .init(shape: .map(.integer), required: true))
    }

    @Test("every method's params and result, and every shared schema, declare exactly their type's members, required as the type says, with its JSON types")
    func schemasMatchTypes() {
        var problems: [String] = []
        for method in RPCCatalogue.methods {
            Self.compare(method.paramsSchema, method.paramsShape, at: "\(method.name) params", &problems)
            Self.compare(method.result, method.resultShape, at: "\(method.name) result", &problems)
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Compares a schema with a shape, recording each disagreement with its path.
    static func compare(_ schema: JSON, _ shape: TypeShape, at path: String, _ problems: inout [String]) {
        var schema = schema
        if let reference = schema["$ref"]?.stringValue, reference.hasPrefix("#/components/schemas/") {
            guard let resolved = RPCCatalogue.components[String(reference.dropFirst("#/components/schemas/".count))] else {
                problems.append("\(path): unknown \(reference)")
                return
            }
            schema = resolved
        }
        if shape == .any || schema == true || schema["$ref"] != nil { return }
        if let anyOf = schema["anyOf"]?.arrayValue, let first = anyOf.first { schema = first }  // nullable
        if let type = schema["type"]?.stringValue, let expected = shape.jsonType, type != expected {
            problems.append("\(path): the schema says \(type), the type \(expected)")
            return
        }
        switch shape {
        case .oneOf(let values):
            let listed = schema["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if Set(listed) != Set(values) { problems.append("\(path): the schema lists \(listed), the type \(values)") }
        case .array(let element):
            if let items = schema["items"] { compare(items, element, at: path + "[]", &problems) }
        case .map(let value):
            if let values = schema["additionalProperties"], values.objectValue != nil { compare(values, value, at: path + "{}", &problems) }
        case .object(let members):
            guard let properties = schema["properties"]?.objectValue else { return }
            let declared = Set(properties.keys), actual = Set(members.keys)
            if declared != actual {
                problems.append("\(path): only in the schema \(declared.subtracting(actual).sorted()), only in the type \(actual.subtracting(declared).sorted())")
            }
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let mustHave = Set(members.filter(\.value.required).keys)
            if required != mustHave {
                problems.append("\(path): the schema requires \(required.sorted()), the type \(mustHave.sorted())")
            }
            for (name, member) in members {
                if let property = properties[name] { compare(property, member.shape, at: "\(path).\(name)", &problems) }
            }
        case .string, .integer, .number, .boolean, .any:
            return
        }
    }
}
