/// Evaluates user expressions (table names, webhook URLs and bodies) against events: detects the language as
/// Jitsu does, runs Go templates from a bounded cache of compiled templates, and applies the table-name rules on
/// request. The evaluate endpoint, the `evaluate` command and the data plane all call `evaluate`.
public final class TemplateEvaluator: Sendable {
    private let cache: TemplateCache
    private let javascript: (any JavaScriptEvaluating)?

    /// - Parameters:
    ///   - cacheCapacity: how many distinct Go expressions stay compiled (least recently used dropped first).
    ///   - javascript: the engine for JavaScript expressions; without one they fail with a clear error.
    public init(cacheCapacity: Int = 1024, javascript: (any JavaScriptEvaluating)? = nil) {
        cache = TemplateCache(capacity: cacheCapacity)
        self.javascript = javascript
    }

    /// Evaluates `expression` with `object` as the event.
    /// - Parameter reformat: apply the table-name rules (`TableName.reformat`) to the result.
    /// - Returns: the result and the detected format.
    /// - Throws: `TemplateError` with Go's parse or execution message, a JavaScript error, or
    ///   `notAnExpression` naming both failures when neither language accepts the text.
    public func evaluate(expression: String, object: JSONValue, reformat: Bool = false) throws(TemplateError) -> Evaluation {
        guard !expression.isEmpty else { throw TemplateError.emptyExpression }
        let detection = LanguageDetector.detect(expression) { (text: String) throws(TemplateError) -> GoTemplate in
            try cache.template(for: text)
        }
        switch detection {
        case .go(let template):
            let output = try template.execute(object)
            return Evaluation(result: .text(reformat ? TableName.reformat(output) : output), format: .go)
        case .constant:
            return Evaluation(result: .text(reformat ? TableName.reformat(expression) : expression), format: .constant)
        case .javascript(let goError):
            guard let javascript else {
                throw TemplateError.notAnExpression(go: goError?.description ?? "plain text",
                                                    javascript: "JavaScript is not available")
            }
            let value: JSONValue
            do {
                value = try javascript.evaluate(expression, object: object)
            } catch let error {
                if let goError, case .javascript(let reason) = error, reason.hasPrefix("SyntaxError") {
                    throw TemplateError.notAnExpression(go: goError.description, javascript: reason)
                }
                throw error
            }
            if reformat { return Evaluation(result: .text(TableName.reformat(TableName.text(of: value))), format: .javascript) }
            return Evaluation(result: .json(value), format: .javascript)
        }
    }
}
