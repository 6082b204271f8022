// Go prints the failing node in execution errors ("executing ... at <.a.b>"); these renderings follow the
// `String` methods of Go's parse nodes so that text is the same.

extension Argument: CustomStringConvertible {
    var description: String {
        switch self {
        case .field(_, let names): return names.map { "." + $0 }.joined()
        case .variable(_, let names): return names[0] + names.dropFirst().map { "." + $0 }.joined()
        case .chain(_, let base, let names):
            let head = if case .pipeline = base { "(\(base))" } else { base.description }
            return head + names.map { "." + $0 }.joined()
        case .identifier(_, let name): return name
        case .dot: return "."
        case .null: return "nil"
        case .bool(_, let value): return value ? "true" : "false"
        case .number(_, let literal): return literal.text
        case .string(_, let quoted, _): return quoted
        case .pipeline(let pipeline): return pipeline.description
        }
    }
}

extension Command: CustomStringConvertible {
    var description: String {
        arguments.map { argument in
            if case .pipeline = argument { return "(\(argument))" }
            return argument.description
        }.joined(separator: " ")
    }
}

extension Pipeline: CustomStringConvertible {
    var description: String {
        let declared = declarations.isEmpty ? "" : declarations.map(\.name).joined(separator: ", ") + " := "
        return declared + commands.map(\.description).joined(separator: " | ")
    }
}

extension Node: CustomStringConvertible {
    var description: String {
        switch self {
        case .text(let text): return text
        case .action(_, let pipeline): return "{{\(pipeline)}}"
        case .conditional(let control): return Self.describe("if", control)
        case .range(let control): return Self.describe("range", control)
        case .with(let control): return Self.describe("with", control)
        case .template(_, let name, let pipeline):
            guard let pipeline else { return "{{template \(GoQuote.quote(name))}}" }
            return "{{template \(GoQuote.quote(name)) \(pipeline)}}"
        case .breakLoop: return "{{break}}"
        case .continueLoop: return "{{continue}}"
        }
    }

    private static func describe(_ keyword: String, _ control: Control) -> String {
        let list = control.list.map(\.description).joined()
        guard let elseList = control.elseList else { return "{{\(keyword) \(control.pipeline)}}\(list){{end}}" }
        return "{{\(keyword) \(control.pipeline)}}\(list){{else}}\(elseList.map(\.description).joined()){{end}}"
    }
}
