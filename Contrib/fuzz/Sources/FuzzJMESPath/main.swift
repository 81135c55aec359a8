import JMESPath
import WorkflowJSON

/// An expression (the input up to its first newline) compiled and, if it compiles, evaluated
/// against the rest of the input parsed as JSON (or a fixed document).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0x0A) ?? size
    let source = String(decoding: bytes[..<split], as: UTF8.self)
    let document = split < size ? ((try? JSON(parsing: bytes[(split + 1)...])) ?? fallback) : fallback
    guard let expression = try? JMESPathExpression(source) else { return 0 }
    _ = try? expression.evaluate(document)
    return 0
}

let fallback: JSON = ["a": [1, 2, ["b": "c"]], "d": ["e": [["f": 1], ["f": 2]]], "g": .null, "h": "text", "i": 3.5]
