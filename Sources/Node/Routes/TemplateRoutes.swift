import HTTP
import Loop
import Templates

/// `POST /api/v1/templates/evaluate`: evaluates a Go template or JavaScript expression against an event, as Jitsu
/// does, so users can try table names and webhook templates before they save a configuration.
///
/// Evaluation runs on the loop's work queue: a user's JavaScript may run up to its time limit, which the loop
/// must never wait for.
struct TemplateRoutes: Sendable {
    let admin: AdminAuthentication
    let evaluator: TemplateEvaluator
    let workQueue: WorkQueue

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/api/v1/templates/evaluate", handler: admin(evaluateTemplate))
    }

    @Sendable func evaluateTemplate(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (expression, object, reformat) = try Self.decode(request.body)
        let evaluator = self.evaluator
        do {
            let evaluation = try await workQueue.run { try evaluator.evaluate(expression: expression, object: object, reformat: reformat) }
            return .json(Result(result: evaluation.responseText, format: evaluation.format.rawValue))
        } catch let error as TemplateError {
            throw Self.badRequest(error, expression: expression)
        }
    }

    /// The body is decoded with the engine's own JSON model, not Codable: the object must reach the template as
    /// Go's `encoding/json` gives it (every number a float64), which is what Jitsu's users see.
    static func decode(_ body: [UInt8]) throws(HTTPError) -> (String, JSONValue, Bool) {
        guard !body.isEmpty else { throw HTTPError(.badRequest, "Request body is empty; expected {\"expression\": ..., \"object\": {...}}") }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: String(decoding: body, as: UTF8.self))
        } catch {
            throw HTTPError(.badRequest, "Request body is not valid JSON: \(error)")
        }
        guard case .object(let fields) = value else { throw HTTPError(.badRequest, "Request body must be a JSON object") }
        guard case .string(let expression)? = fields["expression"], !expression.isEmpty else {
            throw HTTPError(.badRequest, "'expression' is required and must be a non-empty string")
        }
        guard let object = fields["object"], case .object = object else {
            throw HTTPError(.badRequest, "'object' is required and must be a JSON object")
        }
        var reformat = false
        switch fields["reformat"] {
        case nil, .null?: break
        case .bool(let flag)?: reformat = flag
        default: throw HTTPError(.badRequest, "'reformat' must be a boolean")
        }
        return (expression, object, reformat)
    }

    /// Jitsu's error shape: `{"message": "error parsing template: ...", "format": "go"}`, always a 400, since only
    /// the user's expression or object can make evaluation fail.
    static func badRequest(_ error: TemplateError, expression: String) -> HTTPError {
        switch error {
        case .parse(let message), .execution(let message), .syntax(let message):
            HTTPError(.badRequest, "error parsing template: \(message)", fields: ["format": "go"])
        case .javascript(let message):
            HTTPError(.badRequest, "error evaluating JavaScript: \(message)", fields: ["format": "javascript"])
        case .notAnExpression:
            HTTPError(.badRequest, error.description, fields: ["format": "javascript"])
        case .invalidJSON, .emptyExpression:
            HTTPError(.badRequest, error.description)
        }
    }

    struct Result: Codable {
        let result: String
        let format: String
    }
}
