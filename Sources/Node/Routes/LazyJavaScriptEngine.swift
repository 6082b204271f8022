import Synchronization
import Templates

/// JavaScriptCore's context made on the first JavaScript evaluation: most nodes never evaluate any, and an idle
/// node should not carry the engine's heap.
final class LazyJavaScriptEngine: JavaScriptEvaluating {
    private let engine = Mutex<JavaScriptEngine?>(nil)

    func evaluate(_ expression: String, object: JSONValue) throws(TemplateError) -> JSONValue {
        let engine = self.engine.withLock { engine in
            if engine == nil { engine = JavaScriptEngine() }
            return engine!
        }
        return try engine.evaluate(expression, object: object)
    }
}
