/// One case of a switch edge: the first case whose condition holds gets the message.
public struct SwitchCase: Sendable {
    public let condition: EdgeCondition
    public let target: String

    public init(when condition: EdgeCondition, to target: String) {
        self.condition = condition
        self.target = target
    }
}
