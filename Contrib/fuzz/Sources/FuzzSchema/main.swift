import JSONSchema
import WorkflowJSON

/// A schema (the input up to its first newline, as JSON) compiled and, if it compiles, used to
/// validate the rest of the input parsed as JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0x0A) ?? size
    guard let schemaJSON = try? JSON(parsing: bytes[..<split]), let schema = try? JSONSchema(schemaJSON) else { return 0 }
    let instance = split < size ? ((try? JSON(parsing: bytes[(split + 1)...])) ?? .null) : .null
    _ = schema.validate(instance)
    return 0
}
