import Synchronization

/// A `JavaScriptEngine` made on the first JavaScript evaluation: most nodes never evaluate any, and an idle node
/// should carry neither the engine's heap nor its library. If the library cannot be opened, every JavaScript
/// evaluation says so and Go templates work as ever.
public final class LazyJavaScriptEngine: JavaScriptEvaluating {
    private let engine = Mutex<JavaScriptEngine?>(nil)

    public init() {}

    public func evaluate(_ expression: String, object: JSONValue) throws(TemplateError) -> JSONValue {
        let made: Result<JavaScriptEngine, TemplateError> = self.engine.withLock { engine in
            if let engine { return .success(engine) }
            return Result { () throws(TemplateError) in
                let made = try JavaScriptEngine()
                engine = made
                return made
            }
        }
        return try made.get().evaluate(expression, object: object)
    }
}
