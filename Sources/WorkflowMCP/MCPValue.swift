import Foundation
import MCP
import WorkflowJSON

/// Between the daemon's JSON values and the MCP SDK's.
enum MCPValue {
    static func from(_ json: JSON) -> Value {
        switch json {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            if number == number.rounded(), abs(number) < 9e15 { .int(Int(number)) } else { .double(number) }
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(from))
        case .object(let object): .object(object.mapValues(from))
        }
    }

    static func json(_ value: Value) -> JSON {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        case .string(let text): .string(text)
        case .data(_, let data): .string(data.base64EncodedString())
        case .array(let items): .array(items.map(json))
        case .object(let object): .object(object.mapValues(json))
        }
    }
}
