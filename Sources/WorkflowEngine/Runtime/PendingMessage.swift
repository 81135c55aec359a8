/// A message waiting for delivery inside an instance (targets by executor index).
struct PendingMessage: Sendable {
    var source: String
    var target: Int
    var payload: JSON
    /// Set for a response delivery: the request being answered.
    var request: WorkflowRequest? {
        if case .response(let request)? = box?.delivery { return request }
        return nil
    }
    /// Set for a wake: the wait that fired.
    var wake: WorkflowWake? {
        if case .wake(let wake)? = box?.delivery { return wake }
        return nil
    }
    /// The request a response answers, or the wait a wake ends: what a delivery is known by.
    var deliveryID: String? {
        switch box?.delivery {
        case .response(let request)?: request.id
        case .wake(let wake)?: wake.wait.id
        case nil: nil
        }
    }
    /// Boxed, so that ordinary messages (copied several times per superstep) stay small.
    private var box: DeliveryBox?

    init(source: String, target: Int, payload: JSON, request: WorkflowRequest? = nil, wake: WorkflowWake? = nil) {
        self.source = source
        self.target = target
        self.payload = payload
        if let request {
            box = DeliveryBox(.response(request))
        } else if let wake {
            box = DeliveryBox(.wake(wake))
        }
    }

    private enum Delivery {
        case response(WorkflowRequest)
        case wake(WorkflowWake)
    }

    private final class DeliveryBox: Sendable {
        let delivery: Delivery
        init(_ delivery: Delivery) { self.delivery = delivery }
    }
}
