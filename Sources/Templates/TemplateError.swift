/// Everything the Templates module throws. Messages follow Go's `text/template` texts so users of Jitsu recognise
/// them; the evaluate endpoint shows `description` to the user.
public enum TemplateError: Error, Equatable, Sendable {
    /// The template does not parse: "template: NAME:LINE: message", as Go's parser writes it.
    case parse(String)
    /// The template parsed but failed while executing: "template: NAME:LINE:COL: executing ...".
    case execution(String)
    /// A malformed literal inside a template (Go's `strconv` "invalid syntax"); becomes a `parse` error.
    case syntax(String)
    /// JSON text that does not parse, with the reason and byte offset.
    case invalidJSON(String)
    /// The expression is empty; nothing to evaluate.
    case emptyExpression
    /// Neither Go template nor JavaScript could compile the expression: both reasons, Go's first.
    case notAnExpression(go: String, javascript: String)
    /// JavaScript failed: a syntax error, an exception, or the time limit.
    case javascript(String)
}

extension TemplateError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .parse(let message), .execution(let message), .syntax(let message), .javascript(let message):
            return message
        case .invalidJSON(let reason):
            return "invalid JSON: \(reason)"
        case .emptyExpression:
            return "expression is empty"
        case .notAnExpression(let go, let javascript):
            return "error parsing template: \(go); and as JavaScript: \(javascript)"
        }
    }
}
