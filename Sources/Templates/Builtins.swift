import Foundation

/// The functions every template may call: Go's built-ins (`text/template/funcs.go`) and Jitsu's additions
/// (`json`, `json_indent`, `json_indent_quote`, `get`). Each keeps Go's signature and error texts.
enum Builtins {
    static let all: [String: Function] = [
        "and": Function([.reflectValue], variadic: .reflectValue) { $0.last! },
        "or": Function([.reflectValue], variadic: .reflectValue) { $0.last! },
        "not": Function([.reflectValue]) { Operand(value: .bool(!$0[0].unwrapped.value.isTrue)) },
        "len": Function([.reflectValue]) { args throws(Function.Failure) in try length(args[0]) },
        "index": Function([.reflectValue], variadic: .reflectValue) { args throws(Function.Failure) in
            try index(args[0], Array(args.dropFirst()))
        },
        "slice": Function([.reflectValue], variadic: .reflectValue) { args throws(Function.Failure) in
            try slice(args[0], Array(args.dropFirst()))
        },
        "call": Function([.reflectValue], variadic: .reflectValue) { args throws(Function.Failure) in
            // Event data holds no functions, so every call fails as Go's does for non-function values.
            let function = args[0].unwrapped.value
            if case .missing = function { throw Function.Failure("call of nil") }
            throw Function.Failure("non-function of type \(function.typeName)")
        },
        "print": Function([], variadic: .interface) { Operand(value: .string(GoFormatter.sprint($0.map(\.value)))) },
        "println": Function([], variadic: .interface) {
            Operand(value: .string(GoFormatter.sprintln($0.map(\.value))))
        },
        "printf": Function([.string], variadic: .interface) { args in
            guard case .string(let format) = args[0].value else { preconditionFailure("printf format \(args[0])") }
            return Operand(value: .string(GoFormatter.sprintf(format, args.dropFirst().map(\.value))))
        },
        "html": Function([], variadic: .interface) { Operand(value: .string(Escaping.html(escapingArgument($0)))) },
        "js": Function([], variadic: .interface) { Operand(value: .string(Escaping.javaScript(escapingArgument($0)))) },
        "urlquery": Function([], variadic: .interface) {
            Operand(value: .string(Escaping.queryComponent(escapingArgument($0))))
        },
        "eq": Function([.reflectValue], variadic: .reflectValue) { args throws(Function.Failure) in
            Operand(value: .bool(try Comparison.equal(args[0], Array(args.dropFirst()))))
        },
        "ne": Function([.reflectValue, .reflectValue]) { args throws(Function.Failure) in
            Operand(value: .bool(!(try Comparison.equal(args[0], [args[1]]))))
        },
        "lt": Function([.reflectValue, .reflectValue]) { args throws(Function.Failure) in
            Operand(value: .bool(try Comparison.less(args[0], args[1])))
        },
        "le": Function([.reflectValue, .reflectValue]) { args throws(Function.Failure) in
            Operand(value: .bool(try Comparison.lessOrEqual(args[0], args[1])))
        },
        "gt": Function([.reflectValue, .reflectValue]) { args throws(Function.Failure) in
            Operand(value: .bool(!(try Comparison.lessOrEqual(args[0], args[1]))))
        },
        "ge": Function([.reflectValue, .reflectValue]) { args throws(Function.Failure) in
            Operand(value: .bool(!(try Comparison.less(args[0], args[1]))))
        },
        "json": Function([.interface]) { Operand(value: .string(encode($0[0], indent: ""))) },
        "json_indent": Function([.interface]) { Operand(value: .string(encode($0[0], indent: "  "))) },
        // Jitsu uses this to embed an object's JSON inside a JSON string in webhook bodies.
        "json_indent_quote": Function([.interface]) {
            Operand(value: .string(encode($0[0], indent: "  ").replacingOccurrences(of: "\"", with: "\\\"")))
        },
        "get": Function([.interface, .string, .interface]) { args in
            guard case .string(let path) = args[1].value else { preconditionFailure("get path \(args[1])") }
            return get(args[0].value, path: path) ?? args[2]
        },
    ]

    /// The names the parser accepts as functions.
    static let names = Set(all.keys)

    private static func encode(_ operand: Operand, indent: String) -> String {
        var encoder = GoJSONEncoder(indent: indent)
        encoder.write(operand.value)
        return encoder.output
    }

    /// Go's `evalArgs` for the escaping functions: one string as is, otherwise `fmt.Sprint` with nil shown as
    /// `<no value>`.
    private static func escapingArgument(_ args: [Operand]) -> String {
        if args.count == 1, case .string(let text) = args[0].value { return text }
        return GoFormatter.sprint(args.map { operand in
            switch operand.value {
            case .missing, .null: return .string("<no value>")
            default: return operand.value
            }
        })
    }

    /// Jitsu's `get`: follows a "/a/b" path through nested objects; nil when a step is missing or not an object.
    private static func get(_ value: Value, path: String) -> Operand? {
        var current = value
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard case .object(let fields, let timestamp) = current,
                  let member = Value.member(String(part), in: fields, timestamp: timestamp)
            else { return nil }
            current = member
        }
        return Operand(value: current, boxed: true)
    }

    private static func length(_ item: Operand) throws(Function.Failure) -> Operand {
        switch item.value {
        case .missing: throw Function.Failure("reflect: call of reflect.Value.Type on zero Value")
        case .null: throw Function.Failure("len of nil pointer")
        case .string(let text): return Operand(value: .int(text.utf8.count))
        case .array(let elements): return Operand(value: .int(elements.count))
        case .object(let fields, _): return Operand(value: .int(fields.count))
        default: throw Function.Failure("len of type \(item.value.typeName)")
        }
    }

    /// Go's `indexArg`: an integer index within `0...bound`, or Go's error for it.
    static func indexArgument(_ index: Operand, bound: Int) throws(Function.Failure) -> Int {
        let x: Int
        switch (index.boxed, index.value) {
        case (false, .int(let n)): x = n
        case (false, .byte(let n)): x = Int(n)
        case (false, .missing): throw Function.Failure("cannot index slice/array with nil")
        default: throw Function.Failure("cannot index slice/array with type \(index.typeName)")
        }
        guard x >= 0, x <= bound else { throw Function.Failure("index out of range: \(x)") }
        return x
    }

    private static func index(_ item: Operand, _ indexes: [Operand]) throws(Function.Failure) -> Operand {
        var current = item.unwrapped
        if case .missing = current.value { throw Function.Failure("index of untyped nil") }
        for index in indexes.map(\.unwrapped) {
            switch current.value {
            case .null: throw Function.Failure("index of nil pointer")
            case .array(let elements):
                let x = try indexArgument(index, bound: GoSliceCapacity.decoded(count: elements.count))
                guard x < elements.count else { throw Function.Failure("reflect: slice index out of range") }
                current = Operand(value: Value(elements[x]), boxed: true)
            case .string(let text):
                let bytes = Array(text.utf8)
                let x = try indexArgument(index, bound: bytes.count)
                guard x < bytes.count else { throw Function.Failure("reflect: string index out of range") }
                current = Operand(value: .byte(bytes[x]))
            case .object(let fields, let timestamp):
                switch index.value {
                case .string(let key):
                    current = Operand(value: Value.member(key, in: fields, timestamp: timestamp) ?? .null, boxed: true)
                case .missing: throw Function.Failure("value is nil; should be of type string")
                default: throw Function.Failure("value has type \(index.value.typeName); should be string")
                }
            default:
                throw Function.Failure("can't index item of type \(current.value.typeName)")
            }
        }
        return current
    }

    private static func slice(_ item: Operand, _ indexes: [Operand]) throws(Function.Failure) -> Operand {
        let value = item.unwrapped.value
        if case .missing = value { throw Function.Failure("slice of untyped nil") }
        guard indexes.count <= 3 else { throw Function.Failure("too many slice indexes: \(indexes.count)") }
        let length: Int
        let capacity: Int
        switch value {
        case .string(let text):
            guard indexes.count < 3 else { throw Function.Failure("cannot 3-index slice a string") }
            length = text.utf8.count
            capacity = length
        case .array(let elements):
            length = elements.count
            capacity = GoSliceCapacity.decoded(count: length)
        default:
            throw Function.Failure("can't slice item of type \(value.typeName)")
        }
        var bounds = [0, length, capacity]
        for (i, index) in indexes.enumerated() {
            bounds[i] = try indexArgument(index, bound: capacity)
        }
        guard bounds[0] <= bounds[1] else { throw Function.Failure("invalid slice index: \(bounds[0]) > \(bounds[1])") }
        if indexes.count == 3, bounds[1] > bounds[2] {
            throw Function.Failure("invalid slice index: \(bounds[1]) > \(bounds[2])")
        }
        switch value {
        case .string(let text):
            return Operand(value: .string(String(decoding: Array(text.utf8)[bounds[0]..<bounds[1]], as: UTF8.self)))
        case .array(let elements):
            // Between length and capacity Go's slice holds nil interfaces.
            let padded = elements + Array(repeating: JSONValue.null, count: max(0, bounds[1] - elements.count))
            return Operand(value: .array(Array(padded[bounds[0]..<bounds[1]])))
        default:
            preconditionFailure("slice of \(value)")
        }
    }
}
