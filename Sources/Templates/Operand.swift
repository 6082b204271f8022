/// A value with the one piece of Go's static typing the executor needs: whether it sits in an `interface{}`
/// (a map member, a slice element). Go names such values "interface {}" in errors and treats a nil one as a nil
/// pointer; a pipeline's result is always unwrapped.
struct Operand {
    var value: Value
    var boxed = false

    static let missing = Operand(value: .missing)

    /// Go's static type name: what "can't evaluate field X in type T" shows.
    var typeName: String { boxed ? "interface {}" : value.typeName }

    /// Go's `indirectInterface`: the dynamic value, with a nil interface becoming the invalid value.
    var unwrapped: Operand {
        if case .null = value { return .missing }
        return Operand(value: value)
    }
}
