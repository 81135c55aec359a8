import WorkflowDefinitions

/// A definition file's text (YAML or JSON), loaded as the daemon loads one: parsed, checked,
/// compiled into a workflow. Every input ends in a definition or a DefinitionError, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Definition.parse(text, file: "fuzz.yaml")
    return 0
}
