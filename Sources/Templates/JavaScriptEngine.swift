import CJavaScriptCore
import Synchronization

/// Runs JavaScript expressions with JavaScriptCore, keeping its C API out of the rest of the code.
///
/// The event is bound to `$` and `_`, and the value of the last statement is the result. One context is reused for
/// every evaluation, and each distinct expression is compiled once into a function (a bounded cache), so an
/// evaluation wraps the event (its members are converted as the script reads them, `JavaScriptEventObjects`), calls
/// a function and converts the result. Every call is bounded by a time limit
/// (`JSContextGroupSetExecutionTimeLimit`), so an infinite loop ends with an error instead of a stuck node.
/// Evaluations are serialised by a lock; callers on the event loop send long-running scripts to the work queue.
public final class JavaScriptEngine: JavaScriptEvaluating {
    private struct State {
        let group: JSContextGroupRef
        let context: JSGlobalContextRef
        var functions: [String: (function: JSObjectRef, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
        let events = JavaScriptEventObjects()
    }

    /// The time limit of one evaluation in seconds.
    public let timeLimit: Double
    /// How many compiled expressions are kept; the least recently used is released first.
    public let cacheCapacity: Int
    private let state: Mutex<State>

    /// - Parameters:
    ///   - timeLimit: seconds one evaluation may run (default 100 ms, as the issue asks); longer scripts are
    ///     terminated and reported as timed out.
    ///   - cacheCapacity: how many distinct expressions stay compiled.
    /// - Throws: `TemplateError.javascript` when JavaScriptCore's library cannot be opened (it is loaded here, on
    ///   first use, not when the node starts).
    public init(timeLimit: Double = 0.1, cacheCapacity: Int = 1024) throws(TemplateError) {
        precondition(timeLimit > 0 && cacheCapacity > 0, "bad JavaScript limits: \(timeLimit) s, \(cacheCapacity)")
        if let failure = cjsc_load() {
            throw TemplateError.javascript("JavaScript is unavailable: \(String(cString: failure))")
        }
        self.timeLimit = timeLimit
        self.cacheCapacity = cacheCapacity
        let group = JSContextGroupCreate()!
        // The callback runs when the limit passes; answering true terminates the script.
        JSContextGroupSetExecutionTimeLimit(group, timeLimit, { _, _ in true }, nil)
        let context = JSGlobalContextCreateInGroup(group, nil)!
        state = Mutex(State(group: group, context: context))
    }

    deinit {
        state.withLock { state in
            for entry in state.functions.values { JSValueUnprotect(state.context, entry.function) }
            JSGlobalContextRelease(state.context)
            JSContextGroupRelease(state.group)
        }
    }

    /// Evaluates `expression` with `object` bound to `$` and `_`.
    /// - Returns: the result as JSON: `undefined` fields dropped, a top-level `undefined` (or a function) as null.
    /// - Throws: `TemplateError.javascript` with "SyntaxError: ..." when it does not compile, the exception's text
    ///   when it throws, or a timeout message when it runs past `timeLimit`.
    public func evaluate(_ expression: String, object: JSONValue) throws(TemplateError) -> JSONValue {
        let result: Result<JSONValue, TemplateError> = state.withLock { state in
            Result { () throws(TemplateError) in try Self.evaluate(expression, object: object, in: &state, engine: self) }
        }
        return try result.get()
    }

    private static func evaluate(_ expression: String, object: JSONValue, in state: inout State,
                                 engine: JavaScriptEngine) throws(TemplateError) -> JSONValue {
        let context = state.context
        let function = try engine.function(for: expression, in: &state)
        let event = state.events.make(object, in: context)
        var exception: JSValueRef?
        let arguments: [JSValueRef?] = [event, event]
        let started = ContinuousClock.now
        let value = arguments.withUnsafeBufferPointer { buffer in
            JSObjectCallAsFunction(context, function, nil, 2, buffer.baseAddress, &exception)
        }
        if let exception {
            if ContinuousClock.now - started >= .seconds(engine.timeLimit) {
                throw TemplateError.javascript("JavaScript timed out after \(Int(engine.timeLimit * 1000)) ms")
            }
            throw TemplateError.javascript(describe(exception, in: context))
        }
        return try json(of: value, in: context)
    }

    /// The compiled function for an expression, compiling it on first use.
    private func function(for expression: String, in state: inout State) throws(TemplateError) -> JSObjectRef {
        state.clock += 1
        if let entry = state.functions[expression] {
            state.functions[expression]?.lastUse = state.clock
            return entry.function
        }
        var firstError: String?
        for body in JavaScriptSource.candidateBodies(for: expression) {
            var exception: JSValueRef?
            let context = state.context
            let function = withJavaScriptString("$") { dollar in
                withJavaScriptString("_") { underscore in
                    withJavaScriptString(body) { source in
                        let names: [JSStringRef?] = [dollar, underscore]
                        return names.withUnsafeBufferPointer { buffer in
                            JSObjectMakeFunction(context, nil, 2, buffer.baseAddress, source, nil, 1, &exception)
                        }
                    }
                }
            }
            if let function {
                if state.functions.count >= cacheCapacity,
                   let oldest = state.functions.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                    JSValueUnprotect(context, oldest.value.function)
                    state.functions[oldest.key] = nil
                }
                // Cached functions must survive garbage collection between evaluations.
                JSValueProtect(context, function)
                state.functions[expression] = (function, state.clock)
                return function
            }
            if let exception, firstError == nil || body == expression {
                firstError = Self.describe(exception, in: context)
            }
        }
        throw TemplateError.javascript(firstError ?? "SyntaxError: the expression does not compile")
    }

    private static func json(of value: JSValueRef?, in context: JSGlobalContextRef) throws(TemplateError) -> JSONValue {
        guard let value else { return .null }
        // Results that JSON would carry unchanged skip the JSON round trip.
        switch JSValueGetType(context, value) {
        case kJSTypeUndefined, kJSTypeNull: return .null
        case kJSTypeBoolean: return .bool(JSValueToBoolean(context, value))
        case kJSTypeNumber:
            // JSON writes NaN and the infinities as null, and -0 as 0.
            let number = JSValueToNumber(context, value, nil)
            return number.isFinite ? .number(number == 0 ? 0 : number) : .null
        case kJSTypeString:
            guard let text = JSValueToStringCopy(context, value, nil) else { break }
            defer { JSStringRelease(text) }
            return .string(String(javaScript: text))
        default: break
        }
        var exception: JSValueRef?
        guard let text = JSValueCreateJSONString(context, value, 0, &exception) else {
            if let exception { throw TemplateError.javascript(describe(exception, in: context)) }
            return .null
        }
        defer { JSStringRelease(text) }
        return try JSONValue(parsing: String(javaScript: text))
    }

    private static func describe(_ value: JSValueRef, in context: JSGlobalContextRef) -> String {
        guard let text = JSValueToStringCopy(context, value, nil) else { return "JavaScript exception" }
        defer { JSStringRelease(text) }
        return String(javaScript: text)
    }
}
