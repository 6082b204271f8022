/// A function callable from a template, described the way Go's executor sees its signature, so argument counting,
/// conversions and their errors match Go's.
struct Function: Sendable {
    /// The Go parameter types template functions use; each converts arguments differently.
    enum Parameter: Sendable {
        /// `reflect.Value`: any value, passed through unconverted (the built-in functions).
        case reflectValue
        /// `interface{}`: any value; nil is allowed.
        case interface
        case string

        var goName: String {
            switch self {
            case .reflectValue: return "reflect.Value"
            case .interface: return "interface {}"
            case .string: return "string"
            }
        }
    }

    /// The error a function returns; the executor reports it as "error calling NAME: MESSAGE".
    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    let fixed: [Parameter]
    let variadic: Parameter?
    let body: @Sendable ([Operand]) throws(Failure) -> Operand

    init(_ fixed: [Parameter], variadic: Parameter? = nil,
         _ body: @escaping @Sendable ([Operand]) throws(Failure) -> Operand) {
        self.fixed = fixed
        self.variadic = variadic
        self.body = body
    }
}
