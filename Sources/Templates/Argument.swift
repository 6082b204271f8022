/// One operand of a command, named after Go's parse nodes. `position` is the byte offset Go reports in errors.
indirect enum Argument: Sendable {
    /// `.a.b`: fields looked up from dot.
    case field(position: Int, names: [String])
    /// `$x.a.b`: the variable name (with `$`) followed by fields.
    case variable(position: Int, names: [String])
    /// `(pipeline).a.b`: fields looked up from the value of another operand.
    case chain(position: Int, base: Argument, names: [String])
    /// A function name.
    case identifier(position: Int, name: String)
    case dot(position: Int)
    case null(position: Int)
    case bool(position: Int, value: Bool)
    case number(position: Int, literal: NumberLiteral)
    /// A string constant: `quoted` is its source text, which Go shows in errors; `value` is the decoded text.
    case string(position: Int, quoted: String, value: String)
    /// A parenthesised pipeline.
    case pipeline(Pipeline)

    var position: Int {
        switch self {
        case .field(let position, _), .variable(let position, _), .chain(let position, _, _),
             .identifier(let position, _), .dot(let position), .null(let position), .bool(let position, _),
             .number(let position, _), .string(let position, _, _):
            return position
        case .pipeline(let pipeline):
            return pipeline.position
        }
    }
}

/// A command: a function call, a field access with arguments, or a single operand.
struct Command: Sendable {
    let position: Int
    var arguments: [Argument]
}

/// A pipeline with its optional variable declarations (`$x :=`) or assignments (`$x =`).
struct Pipeline: Sendable {
    let position: Int
    var isAssignment = false
    var declarations: [(position: Int, name: String)] = []
    var commands: [Command] = []
}
