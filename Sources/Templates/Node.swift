/// A statement of a parsed template body, named after Go's parse nodes.
indirect enum Node: Sendable {
    case text(String)
    case action(position: Int, pipeline: Pipeline)
    case conditional(Control)
    case range(Control)
    case with(Control)
    case template(position: Int, name: String, pipeline: Pipeline?)
    case breakLoop(position: Int)
    case continueLoop(position: Int)

    /// The shared shape of `if`, `range` and `with`.
    struct Control: Sendable {
        let position: Int
        let pipeline: Pipeline
        let list: [Node]
        let elseList: [Node]?
    }

    /// Go's `parse.IsEmptyTree`: only blank text, so a later definition of the same name may replace it.
    static func isEmpty(_ nodes: [Node]) -> Bool {
        nodes.allSatisfy {
            if case .text(let text) = $0 { return text.allSatisfy(\.isWhitespace) }
            return false
        }
    }
}
