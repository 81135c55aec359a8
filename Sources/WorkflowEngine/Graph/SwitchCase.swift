/// One case of a switch edge: the first case whose condition holds gets the message.
public struct SwitchCase: Sendable {
    /// What must hold for this case to get the message.
    public let condition: EdgeCondition
    /// The executor this case sends to.
    public let target: String

    /// Makes a case: `target` gets the message when `condition` holds (and no earlier case's did).
    public init(when condition: EdgeCondition, to target: String) {
        self.condition = condition
        self.target = target
    }
}
