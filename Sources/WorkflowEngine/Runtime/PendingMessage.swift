/// A message waiting for delivery inside an instance (targets by executor index).
struct PendingMessage: Sendable {
    var source: String
    var target: Int
    var payload: JSON
    /// Set for a response delivery: the request being answered. Boxed, so that ordinary messages
    /// (copied several times per superstep) stay small.
    var request: WorkflowRequest? {
        get { box?.request }
        set { box = newValue.map(RequestBox.init) }
    }
    private var box: RequestBox?

    init(source: String, target: Int, payload: JSON, request: WorkflowRequest? = nil) {
        self.source = source
        self.target = target
        self.payload = payload
        self.box = request.map(RequestBox.init)
    }

    private final class RequestBox: Sendable {
        let request: WorkflowRequest
        init(_ request: WorkflowRequest) { self.request = request }
    }
}
