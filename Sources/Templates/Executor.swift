/// Runs a parsed template over one value, following Go's `text/template/exec.go` step by step: the same
/// evaluation order, the same conversions, and the same node recorded for error messages.
struct Executor {
    /// How a statement list ended: normally, or through `{{break}}` / `{{continue}}` for the enclosing range.
    private enum Flow {
        case normal, breakLoop, continueLoop
    }

    /// Template calls and control blocks nest at most this deep. Go counts only template calls and allows 100000,
    /// which would overflow a thread's stack here (execution recurses per level); the error text stays Go's.
    static let maximumDepth = 300

    private let template: GoTemplate
    private var executing: String
    private var location: ExecutionLocation?
    /// `$`: the data of the template being executed. Kept apart from `variables` so an execution that declares no
    /// variable allocates no array.
    private var dollar: Operand
    /// Variables declared with `:=`, innermost last.
    private var variables: [(name: String, value: Operand)] = []
    private var depth = 0
    private(set) var output = ""

    init(template: GoTemplate, data: Value) {
        self.template = template
        executing = template.name
        dollar = Operand(value: data)
    }

    /// Executes the main template with `data` as dot and `$`.
    mutating func run(data: Value) throws(TemplateError) {
        guard let root = template.root else {
            throw TemplateError.execution("template: \(template.name): \(GoQuote.quote(template.name)) is an incomplete or empty template")
        }
        _ = try walk(root, dot: Operand(value: data))
    }

    // MARK: errors

    private func error(_ message: String) -> TemplateError {
        guard let location else { return .execution("template: \(template.name): \(message)") }
        let source = template.source
        let position = min(location.position, source.count)
        let before = source[..<position]
        let line = 1 + before.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let column = before.lastIndex(of: 0x0A).map { position - ($0 + 1) } ?? position
        let context = template.text(at: location)
        return .execution("template: \(template.name):\(line):\(column): executing \(GoQuote.quote(executing)) "
            + "at <\(context)>: \(message)")
    }

    // MARK: statements

    private mutating func walk(_ nodes: [Node], dot: Operand) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try walk(node, dot: dot)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func walk(_ node: Node, dot: Operand) throws(TemplateError) -> Flow {
        switch node {
        case .text(let text):
            output += text
        case .action(let position, let pipeline):
            location = .node(at: position)
            let value = try evaluate(pipeline, dot: dot)
            if pipeline.declarations.isEmpty {
                if case .missing = value.value { output += "<no value>" } else { output += GoFormatter.display(value.value) }
            }
        case .conditional(let control):
            location = .node(at: control.position)
            return try walkIfOrWith(control, dot: dot, isWith: false)
        case .with(let control):
            location = .node(at: control.position)
            return try walkIfOrWith(control, dot: dot, isWith: true)
        case .range(let control):
            location = .node(at: control.position)
            try walkRange(control, dot: dot)
        case .template(let position, let name, let pipeline):
            location = .node(at: position)
            try walkTemplate(name: name, pipeline: pipeline, dot: dot)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private mutating func enter() throws(TemplateError) {
        guard depth < Self.maximumDepth else { throw error("exceeded maximum template depth (\(Self.maximumDepth))") }
        depth += 1
    }

    private mutating func walkIfOrWith(_ control: Node.Control, dot: Operand, isWith: Bool) throws(TemplateError) -> Flow {
        try enter()
        defer { depth -= 1 }
        let mark = variables.count
        defer { variables.removeLast(variables.count - mark) }
        let value = try evaluate(control.pipeline, dot: dot)
        if value.value.isTrue {
            return try walk(control.list, dot: isWith ? value : dot)
        }
        if let elseList = control.elseList {
            return try walk(elseList, dot: dot)
        }
        return .normal
    }

    private mutating func walkRange(_ control: Node.Control, dot: Operand) throws(TemplateError) {
        try enter()
        defer { depth -= 1 }
        let outerMark = variables.count
        defer { variables.removeLast(variables.count - outerMark) }
        let value = try evaluate(control.pipeline, dot: dot).value
        let mark = variables.count
        let declared = control.pipeline.declarations.count
        func iterate(_ executor: inout Executor, index: Operand, element: Operand) throws(TemplateError) -> Flow {
            // The range variables were pushed by the pipeline: the element on top, the index below it.
            if declared > 0 { executor.variables[executor.variables.count - 1].value = element }
            if declared > 1 { executor.variables[executor.variables.count - 2].value = index }
            defer { executor.variables.removeLast(executor.variables.count - mark) }
            return try executor.walk(control.list, dot: element)
        }
        var iterated = false
        switch value {
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                iterated = true
                let flow = try iterate(&self, index: Operand(value: .int(i)), element: Operand(value: Value(element), boxed: true))
                if flow == .breakLoop { break }
            }
        case .object(let fields, let timestamp):
            for member in Value.sortedMembers(fields, timestamp: timestamp) {
                iterated = true
                let flow = try iterate(&self, index: Operand(value: .string(member.key)),
                                       element: Operand(value: member.value, boxed: true))
                if flow == .breakLoop { break }
            }
        case .missing:
            break
        default:
            throw error("range can't iterate over \(GoFormatter.display(value))")
        }
        if !iterated, let elseList = control.elseList {
            _ = try walk(elseList, dot: dot)
        }
    }

    private mutating func walkTemplate(name: String, pipeline: Pipeline?, dot: Operand) throws(TemplateError) {
        guard let body = template.templates[name] else {
            throw error("template \(GoQuote.quote(name)) not defined")
        }
        try enter()
        defer { depth -= 1 }
        let newDot = try pipeline.map { pipeline throws(TemplateError) in try evaluate(pipeline, dot: dot) } ?? .missing
        // Templates see none of the caller's variables: only `$`, bound to their dot.
        let saved = (variables, dollar, executing)
        variables = []
        dollar = newDot
        executing = name
        defer { (variables, dollar, executing) = saved }
        _ = try walk(body, dot: newDot)
    }

    // MARK: pipelines and commands

    private mutating func evaluate(_ pipeline: Pipeline, dot: Operand) throws(TemplateError) -> Operand {
        location = .pipeline(pipeline)
        var value: Operand?
        for command in pipeline.commands {
            // A value inside an interface{} is unwrapped between commands, as Go does.
            value = try evaluate(command, dot: dot, final: value).unwrapped
        }
        let result = value ?? .missing
        for declaration in pipeline.declarations {
            if pipeline.isAssignment {
                try assign(declaration.name, result)
            } else {
                variables.append((declaration.name, result))
            }
        }
        return result
    }

    private mutating func assign(_ name: String, _ value: Operand) throws(TemplateError) {
        if let index = variables.lastIndex(where: { $0.name == name }) {
            variables[index].value = value
        } else if name == "$" {
            dollar = value
        } else {
            throw error("undefined variable: \(name)")
        }
    }

    private func variable(_ name: String) throws(TemplateError) -> Operand {
        if let found = variables.last(where: { $0.name == name }) { return found.value }
        if name == "$" { return dollar }
        throw error("undefined variable: \(name)")
    }

    private func notAFunction(_ arguments: [Argument], final: Operand?) throws(TemplateError) {
        if arguments.count > 1 || final != nil {
            throw error("can't give argument to non-function \(arguments[0])")
        }
    }

    private mutating func evaluate(_ command: Command, dot: Operand, final: Operand?) throws(TemplateError) -> Operand {
        let first = command.arguments[0]
        switch first {
        case .field(_, let names):
            location = .argument(first)
            return try fieldChain(dot: dot, receiver: dot, names: names[...], arguments: command.arguments, final: final)
        case .chain:
            return try chain(first, dot: dot, arguments: command.arguments, final: final)
        case .identifier(_, let name):
            location = .argument(first)
            return try call(name, dot: dot, at: .command(command), arguments: command.arguments.dropFirst(),
                            final: final)
        case .pipeline(let pipeline):
            try notAFunction(command.arguments, final: final)
            return try evaluate(pipeline, dot: dot)
        case .variable(_, let names):
            return try variableChain(first, names: names, dot: dot, arguments: command.arguments, final: final)
        default:
            break
        }
        location = .argument(first)
        try notAFunction(command.arguments, final: final)
        switch first {
        case .bool(_, let value): return Operand(value: .bool(value))
        case .dot: return dot
        case .null: throw error("nil is not a command")
        case .number(_, let literal): return try constant(literal)
        case .string(_, _, let value): return Operand(value: .string(value))
        default: preconditionFailure("command starts with \(first)")
        }
    }

    private func constant(_ literal: NumberLiteral) throws(TemplateError) -> Operand {
        switch literal.kind {
        case .int(let value): return Operand(value: .int(value))
        case .float(let value): return Operand(value: .float(value))
        case .overflow: throw error("\(literal.text) overflows int")
        }
    }

    private mutating func variableChain(_ node: Argument, names: [String], dot: Operand, arguments: [Argument]?,
                                        final: Operand?) throws(TemplateError) -> Operand {
        location = .argument(node)
        let value = try variable(names[0])
        if names.count == 1 {
            try notAFunction(arguments ?? [node], final: final)
            return value
        }
        return try fieldChain(dot: dot, receiver: value, names: names.dropFirst(), arguments: arguments,
                              final: final)
    }

    private mutating func chain(_ node: Argument, dot: Operand, arguments: [Argument]?,
                                final: Operand?) throws(TemplateError) -> Operand {
        guard case .chain(_, let base, let names) = node else { preconditionFailure("not a chain: \(node)") }
        location = .argument(node)
        if case .null = base { throw error("indirection through explicit nil in \(node)") }
        let receiver = try argument(base, as: nil, dot: dot)
        return try fieldChain(dot: dot, receiver: receiver, names: names[...], arguments: arguments, final: final)
    }

    private mutating func fieldChain(dot: Operand, receiver: Operand, names: ArraySlice<String>, arguments: [Argument]?,
                                     final: Operand?) throws(TemplateError) -> Operand {
        let at = location!
        var current = receiver
        for name in names.dropLast() {
            current = try field(name, of: current, dot: dot, at: at, arguments: nil, final: nil)
        }
        return try field(names.last!, of: current, dot: dot, at: at, arguments: arguments, final: final)
    }

    private mutating func field(_ name: String, of receiver: Operand, dot: Operand, at: ExecutionLocation,
                                arguments: [Argument]?, final: Operand?) throws(TemplateError) -> Operand {
        switch receiver.value {
        case .missing:
            return .missing
        case .null:
            throw error("nil pointer evaluating \(receiver.typeName).\(name)")
        case .time(let time):
            if let method = time.method(name) {
                return try call(method, name: name, isBuiltin: false, dot: dot, at: at,
                                arguments: (arguments ?? []).dropFirst(), final: final)
            }
            if ["wall", "ext", "loc"].contains(name) {
                throw error("\(name) is an unexported field of struct type \(receiver.typeName)")
            }
        case .object(let fields, let timestamp):
            if (arguments?.count ?? 0) > 1 || final != nil {
                throw error("\(name) is not a method but has arguments")
            }
            guard let member = Value.member(name, in: fields, timestamp: timestamp) else { return .missing }
            return Operand(value: member, boxed: true)
        default:
            break
        }
        throw error("can't evaluate field \(name) in type \(receiver.typeName)")
    }

    // MARK: calls

    private mutating func call(_ name: String, dot: Operand, at: ExecutionLocation, arguments: ArraySlice<Argument>,
                               final: Operand?) throws(TemplateError) -> Operand {
        guard let function = template.functions[name] else {
            throw error("\(GoQuote.quote(name)) is not a defined function")
        }
        // Every function a template can call is one of `Builtins.all`.
        return try call(function, name: name, isBuiltin: true, dot: dot, at: at,
                        arguments: arguments, final: final)
    }

    private mutating func call(_ function: Function, name: String, isBuiltin: Bool, dot: Operand, at: ExecutionLocation,
                               arguments: ArraySlice<Argument>, final: Operand?) throws(TemplateError) -> Operand {
        let inputCount = arguments.count + (final == nil ? 0 : 1)
        let fixedCount = function.fixed.count
        if function.variadic != nil {
            if inputCount < fixedCount {
                throw error("wrong number of args for \(name): want at least \(fixedCount) got \(arguments.count)")
            }
        } else if inputCount != fixedCount {
            throw error("wrong number of args for \(name): want \(fixedCount) got \(inputCount)")
        }
        if isBuiltin, name == "and" || name == "or" {
            // and/or stop at the first argument that decides the result (Go 1.18 and later).
            var value = Operand.missing
            for argument in arguments {
                value = try self.argument(argument, as: .reflectValue, dot: dot)
                if value.unwrapped.value.isTrue == (name == "or") { return value }
            }
            return final ?? value
        }
        var values: [Operand] = []
        values.reserveCapacity(inputCount)
        for (i, argument) in arguments.enumerated() {
            let type = i < fixedCount ? function.fixed[i] : function.variadic!
            values.append(try self.argument(argument, as: type, dot: dot))
        }
        if let final {
            let type = inputCount - 1 < fixedCount ? function.fixed[inputCount - 1] : function.variadic!
            values.append(try validate(final, as: type))
        }
        do {
            return try function.body(values)
        } catch {
            location = at
            throw self.error("error calling \(name): \(error.message)")
        }
    }

    /// Go's `evalArg`: evaluates an argument and converts it to the parameter type (nil: no conversion).
    private mutating func argument(_ node: Argument, as type: Function.Parameter?,
                                   dot: Operand) throws(TemplateError) -> Operand {
        location = .argument(node)
        switch node {
        case .dot:
            return try validate(dot, as: type)
        case .null:
            // Built-ins receive nil as the invalid value; interface{} parameters as a nil interface.
            if type == .interface || type == .reflectValue { return .missing }
            throw error("cannot assign nil to \(type?.goName ?? "<nil>")")
        case .field(_, let names):
            // Go passes the field as the only argument, which is no argument to a method: nil says the same unallocated.
            let value = try fieldChain(dot: dot, receiver: dot, names: names[...], arguments: nil, final: nil)
            return try validate(value, as: type)
        case .variable(_, let names):
            return try validate(try variableChain(node, names: names, dot: dot, arguments: nil, final: nil), as: type)
        case .pipeline(let pipeline):
            return try validate(try evaluate(pipeline, dot: dot), as: type)
        case .identifier(_, let name):
            return try validate(try call(name, dot: dot, at: .argument(node), arguments: [], final: nil), as: type)
        case .chain:
            return try validate(try chain(node, dot: dot, arguments: nil, final: nil), as: type)
        case .bool(_, let value):
            if type == .string { throw error("expected string; found \(node)") }
            return Operand(value: .bool(value))
        case .number(_, let literal):
            if type == .string { throw error("expected string; found \(node)") }
            return try constant(literal)
        case .string(_, _, let value):
            return Operand(value: .string(value))
        }
    }

    /// Go's `validateType`: checks an evaluated value against a parameter type.
    private func validate(_ operand: Operand, as type: Function.Parameter?) throws(TemplateError) -> Operand {
        guard let type, type == .string else {
            // An interface{} parameter receives the dynamic value; reflect.Value parameters see it as it is.
            return type == .interface ? operand.unwrapped : operand
        }
        switch (type, operand.value) {
        case (_, .missing): throw error("invalid value; expected \(type.goName)")
        case (.string, .string): return operand.unwrapped
        case (_, .null): throw error("wrong type for value; expected \(type.goName); got interface {}")
        default: throw error("wrong type for value; expected \(type.goName); got \(operand.value.typeName)")
        }
    }
}
