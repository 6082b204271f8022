/// Go's comparison built-ins (`eq`, `ne`, `lt`, `le`, `gt`, `ge`): only basic kinds compare, and only with the same
/// kind, so a JSON number (float64) against an integer constant is "incompatible types for comparison".
enum Comparison {
    private enum Kind: Equatable {
        case invalid, bool, int, uint, float, string
    }

    private static func kind(_ value: Value) -> Kind {
        switch value {
        case .bool: return .bool
        case .int: return .int
        case .byte: return .uint
        case .float: return .float
        case .string: return .string
        default: return .invalid
        }
    }

    private static func isNil(_ value: Value) -> Bool {
        if case .missing = value { return true }
        return false
    }

    /// `eq arg1 arg2...`: whether arg1 equals any later argument.
    static func equal(_ first: Operand, _ others: [Operand]) throws(Function.Failure) -> Bool {
        let a = first.unwrapped.value
        guard !others.isEmpty else { throw Function.Failure("missing argument for comparison") }
        let k1 = kind(a)
        for other in others {
            let b = other.unwrapped.value
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                switch (a, b) {
                case (.int(let x), .byte(let y)): truth = x >= 0 && x == Int(y)
                case (.byte(let x), .int(let y)): truth = y >= 0 && Int(x) == y
                default:
                    if !isNil(a), !isNil(b) { throw Function.Failure("incompatible types for comparison") }
                }
            } else {
                switch (a, b) {
                case (.bool(let x), .bool(let y)): truth = x == y
                case (.int(let x), .int(let y)): truth = x == y
                case (.byte(let x), .byte(let y)): truth = x == y
                case (.float(let x), .float(let y)): truth = x == y
                case (.string(let x), .string(let y)): truth = x.utf8.elementsEqual(y.utf8)
                default:
                    truth = try equalComposite(a, b)
                }
            }
            if truth { return true }
        }
        return false
    }

    /// The non-basic case of Go's `eq`: nil against anything, times by value, slices and maps never.
    private static func equalComposite(_ a: Value, _ b: Value) throws(Function.Failure) -> Bool {
        let sameKind: Bool = switch (a, b) {
        case (.array, .array), (.object, .object), (.time, .time), (.missing, .missing): true
        default: isNil(a) || isNil(b)
        }
        guard sameKind else {
            throw Function.Failure("non-comparable types \(GoFormatter.sprintf("%s", [a])): \(a.typeName), "
                + "\(b.typeName): \(GoFormatter.display(b))")
        }
        if isNil(a) || isNil(b) { return isNil(a) == isNil(b) }
        if case .time(let x) = a, case .time(let y) = b { return x == y }
        throw Function.Failure("non-comparable type \(GoFormatter.sprintf("%s", [b])): \(b.typeName)")
    }

    static func less(_ first: Operand, _ second: Operand) throws(Function.Failure) -> Bool {
        let a = first.unwrapped.value
        let b = second.unwrapped.value
        let k1 = kind(a)
        let k2 = kind(b)
        guard k1 != .invalid, k2 != .invalid else { throw Function.Failure("invalid type for comparison") }
        switch (a, b) {
        case (.int(let x), .byte(let y)): return x < 0 || x < Int(y)
        case (.byte(let x), .int(let y)): return y >= 0 && Int(x) < y
        case (.int(let x), .int(let y)): return x < y
        case (.byte(let x), .byte(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.bool, .bool): throw Function.Failure("invalid type for comparison")
        default: throw Function.Failure("incompatible types for comparison")
        }
    }

    static func lessOrEqual(_ first: Operand, _ second: Operand) throws(Function.Failure) -> Bool {
        if try less(first, second) { return true }
        return try equal(first, [second])
    }
}
