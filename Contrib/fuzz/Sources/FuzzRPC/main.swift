import WorkflowJSON
import WorkflowProtocol

/// The daemon's input path: bytes → NDJSON lines (with the daemon's line limit) → JSON-RPC
/// frames → each request's params decoded by its method, as the dispatcher does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var framer = NDJSONFramer(maximumLineLength: 1 << 20)
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // In two pieces, as a socket may deliver them.
    let cut = size / 2
    var lines: [[UInt8]] = []
    do {
        lines += try framer.append(bytes[..<cut])
        lines += try framer.append(bytes[cut...])
    } catch {
        return 0
    }
    for line in lines {
        guard let frame = RPCFrame.decode(line) else { continue }
        let messages: [RPCIncoming]
        switch frame {
        case .single(let message): messages = [message]
        case .batch(let batch): messages = batch
        case .unreadable(let error): _ = RPCOutgoing.error(id: .null, error); continue
        }
        for message in messages {
            guard case .request(_, let name, let params) = message else { continue }
            for method in RPCCatalogue.methods where method.name == name { _ = try? method.decode(params) }
            _ = params?.serialized()
        }
    }
    return 0
}
