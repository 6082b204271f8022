/// The outcome of evaluating an expression against an event.
public struct Evaluation: Sendable, Equatable {
    /// What the expression produced.
    public enum Result: Sendable, Equatable {
        /// A Go template's output, a constant, or any reformatted result.
        case text(String)
        /// A JavaScript result, converted to JSON (`undefined` fields dropped, a top-level `undefined` as null).
        case json(JSONValue)
    }

    public let result: Result
    public let format: ExpressionFormat

    public init(result: Result, format: ExpressionFormat) {
        self.result = result
        self.format = format
    }

    /// The result as the evaluate endpoint returns it: text as is, a JSON string as its contents, any other JSON
    /// value as its JSON text indented with three spaces (Jitsu's choice).
    public var responseText: String {
        switch result {
        case .text(let text), .json(.string(let text)): return text
        case .json(let value): return value.jsonText(indent: "   ")
        }
    }
}
