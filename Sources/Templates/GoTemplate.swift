/// A Go `text/template` parsed once and executed many times: the main template (named `name`) and every template
/// it defines with `define` or `block`. Immutable, so one compiled template serves concurrent evaluations. A class,
/// so that handing it from the cache to an evaluation costs one reference count instead of one per member.
public final class GoTemplate: Sendable {
    /// The template's name, which Go puts in every error message ("template: NAME:1: ...").
    public let name: String
    /// Whether the text mentions `_timestamp`; only then is the event's `_timestamp` turned into a time (Jitsu's rule).
    public let mentionsTimestamp: Bool
    let source: [UInt8]
    let templates: [String: [Node]]
    /// The main template's body, found once here rather than by name on every execution.
    let root: [Node]?
    let functions: [String: Function]
    /// Whether the main template is only text, with no action: Jitsu then treats the expression as a constant or
    /// as JavaScript instead. Computed once, since language detection asks on every evaluation.
    public let isPlainText: Bool
    /// The main template's pieces when it only prints text and fields of the data (`{{.event_type}}`,
    /// `{{.app}}_{{.user.plan}}`), the common shape of a table name: executed by looking the fields up, without
    /// the executor, whenever every field reaches a string, number or boolean. Nil for any other template.
    private let fieldsOnly: [FieldPiece]?

    private enum FieldPiece: Sendable {
        case text(String)
        case field([String])
    }

    /// Parses `text` with Go's grammar and the built-in and Jitsu functions.
    /// - Throws: `TemplateError.parse` with Go's message, e.g. `template: expression:1: unclosed action`.
    public init(parsing text: String, name: String = "expression") throws(TemplateError) {
        self.name = name
        source = Array(text.utf8)
        functions = Builtins.all
        templates = try Parser.parse(name: name, source: source, functions: Builtins.names)
        root = templates[name]
        isPlainText = (root ?? []).allSatisfy { if case .text = $0 { return true } else { return false } }
        mentionsTimestamp = text.contains("_timestamp")
        fieldsOnly = mentionsTimestamp ? nil : root.flatMap(Self.fieldPieces)
    }

    private static func fieldPieces(of nodes: [Node]) -> [FieldPiece]? {
        var pieces: [FieldPiece] = []
        for node in nodes {
            switch node {
            case .text(let text): pieces.append(.text(text))
            case .action(_, let pipeline):
                guard pipeline.declarations.isEmpty, pipeline.commands.count == 1, pipeline.commands[0].arguments.count == 1,
                      case .field(_, let names) = pipeline.commands[0].arguments[0] else { return nil }
                pieces.append(.field(names))
            default: return nil
            }
        }
        return pieces
    }

    /// What `fieldsOnly` prints for `fields`, or nil when a field is missing, null, an object or an array, or a
    /// name on the way is not an object: the executor then gives Go's output or error.
    private static func print(_ pieces: [FieldPiece], _ fields: [String: JSONValue]) -> String? {
        var output = ""
        for piece in pieces {
            switch piece {
            case .text(let text): output += text
            case .field(let names):
                var members = fields
                for name in names.dropLast() {
                    guard case .object(let inner)? = members[name] else { return nil }
                    members = inner
                }
                switch members[names[names.count - 1]] {
                case .string(let text)?: output += text
                case .number(let number)?: output += GoFormatter.display(.float(number))
                case .bool(let flag)?: output += flag ? "true" : "false"
                default: return nil
                }
            }
        }
        return output
    }

    /// Executes the template with `object` as dot and `$`, and returns what it printed.
    /// When the text mentions `_timestamp` and the object's `_timestamp` is an RFC 3339 string, templates see it
    /// as a Go `time.Time`, so `{{._timestamp.Format "2006_01"}}` works.
    /// - Throws: `TemplateError.execution` with Go's message, e.g.
    ///   `template: expression:1:5: executing "expression" at <gt .n 2>: error calling gt: incompatible types for comparison`.
    public func execute(_ object: JSONValue) throws(TemplateError) -> String {
        if let fieldsOnly, case .object(let fields) = object, let output = Self.print(fieldsOnly, fields) { return output }
        let data = rootValue(object)
        var executor = Executor(template: self, data: data)
        try executor.run(data: data)
        return executor.output
    }

    private func rootValue(_ object: JSONValue) -> Value {
        guard case .object(let fields) = object else { return Value(object).unwrappedRoot }
        guard mentionsTimestamp, case .string(let text)? = fields["_timestamp"], let time = GoTime.parseRFC3339(text)
        else { return .object(fields, timestamp: nil) }
        return .object(fields, timestamp: time)
    }
}

private extension Value {
    /// Data passed to Go's `Execute` is not inside an interface: a JSON null is simply no value.
    var unwrappedRoot: Value {
        if case .null = self { return .missing }
        return self
    }
}
