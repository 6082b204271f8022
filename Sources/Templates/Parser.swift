/// Builds the templates of one text with the grammar, checks and error texts of Go's `text/template/parse`.
/// `define` and `block` add named templates next to the main one, which is called `name`.
struct Parser {
    private let name: String
    private let source: [UInt8]
    private let functions: Set<String>
    private let tokens: [Token]
    private var index = 0
    /// The newest token handed out; Go's parser reports the line of this token in every parse error.
    private var newest = 0
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    /// Nesting of parentheses and control blocks. Parsing recurses once per level, so hostile input could exhaust
    /// the stack; Go (1.20 and later) stops at 10000 with the same message, this parser much earlier.
    private var nesting = 0
    static let maximumNesting = 100
    private var actionLine = 0
    private(set) var templates: [String: [Node]] = [:]

    /// Parses `source` and returns every template it defines, the main one under `name`.
    /// - Throws: `TemplateError.parse` with Go's message, such as `template: NAME:1: unexpected EOF`.
    static func parse(name: String, source: [UInt8], functions: Set<String>) throws(TemplateError) -> [String: [Node]] {
        var parser = Parser(name: name, source: source, functions: functions)
        try parser.parseMain()
        return parser.templates
    }

    private init(name: String, source: [UInt8], functions: Set<String>) {
        self.name = name
        self.source = source
        self.functions = functions
        self.tokens = Lexer.tokens(of: source)
    }

    // MARK: token stream

    private mutating func next() -> Token {
        let token = tokens[min(index, tokens.count - 1)]
        newest = max(newest, index)
        index += 1
        return token
    }

    private mutating func backup(_ count: Int = 1) {
        index -= count
    }

    private mutating func peek() -> Token {
        let token = next()
        backup()
        return token
    }

    private mutating func nextNonSpace() -> Token {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    /// Like Go's `peekNonSpace`, this consumes the spaces before the token it returns.
    private mutating func peekNonSpace() -> Token {
        let token = nextNonSpace()
        backup()
        return token
    }

    // MARK: errors

    private func line(of position: Int) -> Int {
        1 + source[..<min(position, source.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    private func error(_ message: String) -> TemplateError {
        let token = tokens[min(newest, tokens.count - 1)]
        return .parse("template: \(name):\(line(of: token.position)): \(message)")
    }

    private func unexpected(_ token: Token, _ context: String) -> TemplateError {
        if token.kind == .error {
            var extra = ""
            let tokenLine = line(of: token.position)
            if actionLine != 0, actionLine != tokenLine {
                extra = " in action started at \(name):\(actionLine)"
                if token.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return error(token.value + extra)
        }
        return error("unexpected \(token) in \(context)")
    }

    private mutating func expect(_ kind: Token.Kind, _ context: String) throws(TemplateError) -> Token {
        let token = nextNonSpace()
        guard token.kind == kind else { throw unexpected(token, context) }
        return token
    }

    /// Records a finished template as Go's `Tree.add` does: an empty body never replaces a real one.
    private mutating func add(_ templateName: String, _ body: [Node]) throws(TemplateError) {
        if let existing = templates[templateName], !Node.isEmpty(existing) {
            guard Node.isEmpty(body) else {
                throw error("template: multiple definition of template \(GoQuote.quote(templateName))")
            }
            return
        }
        templates[templateName] = body
    }

    // MARK: grammar

    /// The item a list ended on: Go's `nodeEnd` and `nodeElse` markers.
    private enum ListEnd {
        case end
        case elseClause
    }

    private enum Item {
        case node(Node)
        case end(ListEnd)
    }

    private mutating func parseMain() throws(TemplateError) {
        var root: [Node] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let delimiterIndex = index
                _ = next()
                if nextNonSpace().kind == .define {
                    try parseDefinition()
                    continue
                }
                index = delimiterIndex
            }
            switch try textOrAction() {
            case .node(let node): root.append(node)
            case .end(.end): throw error("unexpected {{end}}")
            case .end(.elseClause): throw error("unexpected {{else}}")
            }
        }
        try add(name, root)
    }

    private mutating func parseDefinition() throws(TemplateError) {
        let context = "define clause"
        let token = nextNonSpace()
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        let definedName = try unquote(token.value)
        _ = try expect(.rightDelim, context)
        let savedVariables = variables
        variables = ["$"]
        let (body, end) = try itemList()
        variables = savedVariables
        if case .elseClause = end { throw error("unexpected {{else}} in \(context)") }
        try add(definedName, body)
    }

    private func unquote(_ literal: String) throws(TemplateError) -> String {
        do {
            return try GoQuote.unquote(literal)
        } catch {
            throw self.error(error.description)
        }
    }

    private mutating func itemList() throws(TemplateError) -> ([Node], ListEnd) {
        var list: [Node] = []
        while peekNonSpace().kind != .eof {
            switch try textOrAction() {
            case .node(let node): list.append(node)
            case .end(let end): return (list, end)
            }
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws(TemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .text:
            return .node(.text(token.value))
        case .leftDelim:
            actionLine = line(of: token.position)
            defer { actionLine = 0 }
            return try action()
        default:
            throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .block: return .node(try blockControl())
        case .breakKeyword, .continueKeyword:
            let closing = nextNonSpace()
            let isBreak = token.kind == .breakKeyword
            guard closing.kind == .rightDelim else { throw unexpected(closing, isBreak ? "{{break}}" : "{{continue}}") }
            guard rangeDepth > 0 else { throw error(isBreak ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}") }
            return .node(isBreak ? .breakLoop(position: token.position) : .continueLoop(position: token.position))
        case .elseKeyword:
            // "{{else if" leaves the "if" pending so the enclosing if can treat it as a nested if.
            if peekNonSpace().kind == .ifKeyword { return .end(.elseClause) }
            _ = try expect(.rightDelim, "else")
            return .end(.elseClause)
        case .end:
            _ = try expect(.rightDelim, "end")
            return .end(.end)
        case .ifKeyword: return .node(.conditional(try parseControl(allowElseIf: true, context: "if")))
        case .range: return .node(.range(try parseControl(allowElseIf: false, context: "range")))
        case .template: return .node(try templateControl())
        case .with: return .node(.with(try parseControl(allowElseIf: false, context: "with")))
        default:
            backup()
            let start = peek()
            return .node(.action(position: start.position, pipeline: try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func enterNesting() throws(TemplateError) {
        nesting += 1
        if nesting > Self.maximumNesting { throw error("max expression depth exceeded") }
    }

    private mutating func parseControl(allowElseIf: Bool, context: String) throws(TemplateError) -> Node.Control {
        try enterNesting()
        defer { nesting -= 1 }
        let variableCount = variables.count
        defer { variables.removeLast(variables.count - variableCount) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, end) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [Node]?
        if case .elseClause = end {
            if allowElseIf, peek().kind == .ifKeyword {
                // Go rewrites {{else if b}} as {{else}}{{if b}}...{{end}}{{end}} with the inner end implied.
                _ = next()
                elseList = [.conditional(try parseControl(allowElseIf: true, context: "if"))]
            } else {
                let (list, next) = try itemList()
                if case .elseClause = next { throw error("expected end; found {{else}}") }
                elseList = list
            }
        }
        return Node.Control(position: pipe.position, pipeline: pipe, list: list, elseList: elseList)
    }

    private mutating func templateName(_ token: Token, _ context: String) throws(TemplateError) -> String {
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        return try unquote(token.value)
    }

    private mutating func templateControl() throws(TemplateError) -> Node {
        let token = nextNonSpace()
        let calledName = try templateName(token, "template clause")
        var pipe: Pipeline?
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline("template clause", end: .rightDelim)
        }
        return .template(position: token.position, name: calledName, pipeline: pipe)
    }

    private mutating func blockControl() throws(TemplateError) -> Node {
        let context = "block clause"
        let token = nextNonSpace()
        let blockName = try templateName(token, context)
        let pipe = try pipeline(context, end: .rightDelim)
        let savedVariables = variables
        let savedDepth = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        let (body, end) = try itemList()
        variables = savedVariables
        rangeDepth = savedDepth
        if case .elseClause = end { throw error("unexpected {{else}} in \(context)") }
        try add(blockName, body)
        return .template(position: token.position, name: blockName, pipeline: pipe)
    }

    private mutating func pipeline(_ context: String, end: Token.Kind) throws(TemplateError) -> Pipeline {
        var pipe = Pipeline(position: peekNonSpace().position)
        declarations: while true {
            let variable = peekNonSpace()
            guard variable.kind == .variable else { break }
            let variableIndex = index
            _ = nextNonSpace()
            let following = peekNonSpace()
            switch following.kind {
            case .assign, .declare:
                pipe.isAssignment = following.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append((variable.position, variable.value))
                variables.append(variable.value)
            case .char where following.value == ",":
                _ = nextNonSpace()
                pipe.declarations.append((variable.position, variable.value))
                variables.append(variable.value)
                if context == "range", pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            default:
                index = variableIndex
            }
            break
        }
        while true {
            let token = nextNonSpace()
            switch token.kind {
            case end:
                guard !pipe.commands.isEmpty else { throw error("missing value for \(context)") }
                for (stage, command) in pipe.commands.enumerated().dropFirst() {
                    switch command.arguments[0] {
                    case .bool, .dot, .null, .number, .string:
                        throw error("non executable command in pipeline stage \(stage + 1)")
                    default: break
                    }
                }
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                 .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private mutating func command() throws(TemplateError) -> Command {
        var command = Command(position: peekNonSpace().position, arguments: [])
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.arguments.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break
        }
        guard !command.arguments.isEmpty else { throw error("empty command") }
        return command
    }

    private mutating func operand() throws(TemplateError) -> Argument? {
        guard let term = try term() else { return nil }
        guard peek().kind == .field else { return term }
        let chainPosition = peek().position
        var names: [String] = []
        while peek().kind == .field { names.append(String(next().value.dropFirst())) }
        switch term {
        case .field(_, let base): return .field(position: chainPosition, names: base + names)
        case .variable(_, let base): return .variable(position: chainPosition, names: base + names)
        case .bool, .string, .number, .null, .dot:
            throw error("unexpected . after term \(GoQuote.quote(term.description))")
        default: return .chain(position: chainPosition, base: term, names: names)
        }
    }

    private mutating func term() throws(TemplateError) -> Argument? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard functions.contains(token.value) else {
                throw error("function \(GoQuote.quote(token.value)) not defined")
            }
            return .identifier(position: token.position, name: token.value)
        case .dot: return .dot(position: token.position)
        case .nilKeyword: return .null(position: token.position)
        case .variable:
            guard variables.contains(token.value) else {
                throw error("undefined variable \(GoQuote.quote(token.value))")
            }
            return .variable(position: token.position, names: [token.value])
        case .field: return .field(position: token.position, names: [String(token.value.dropFirst())])
        case .bool: return .bool(position: token.position, value: token.value == "true")
        case .charConstant, .number, .complex:
            do {
                let literal = try NumberLiteral(text: token.value, isCharacter: token.kind == .charConstant)
                return .number(position: token.position, literal: literal)
            } catch {
                throw self.error(error.description)
            }
        case .leftParen:
            try enterNesting()
            defer { nesting -= 1 }
            return .pipeline(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            return .string(position: token.position, quoted: token.value, value: try unquote(token.value))
        default:
            backup()
            return nil
        }
    }
}
