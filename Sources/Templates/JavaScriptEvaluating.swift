/// An engine that runs JavaScript expressions with the event bound to `$` and `_` and returns the value of the
/// last statement as JSON. `TemplateEvaluator` uses it for expressions that are neither Go templates nor constants.
public protocol JavaScriptEvaluating: Sendable {
    /// Evaluates `expression` against `object`.
    /// - Throws: `TemplateError.javascript` with the engine's message; a syntax error's message starts with
    ///   "SyntaxError".
    func evaluate(_ expression: String, object: JSONValue) throws(TemplateError) -> JSONValue
}
