import HTTP
import Templates

/// Turns one event into its webhook request: the URL, header values and body are templates evaluated against the
/// event (without `reformat`, which is for table names).
struct WebhookRequestTemplate: Sendable {
    let settings: WebhookDestination.Settings
    let templates: TemplateEvaluator

    /// The request for `event` and where to send it.
    /// - Throws: `WebhookTemplateError` naming the part whose template failed or whose URL is not `http://`.
    func request(for event: [String: JSONValue]) throws(WebhookTemplateError) -> (url: HTTPURL, request: HTTPRequest) {
        let object = JSONValue.object(event)
        let urlText = try evaluate(settings.url, part: "url", object: object)
        let url: HTTPURL
        do { url = try HTTPURL(parsing: urlText) } catch { throw .url(error) }
        var headers = HTTPHeaders()
        headers.add("Host", url.authority)
        for name in settings.headers.keys.sorted() {
            let value = settings.headers[name]!
            // Plain values ("Bearer ...", "application/json") would otherwise be detected as JavaScript.
            headers.add(name, value.contains("{{") ? try evaluate(value, part: "headers.\(name)", object: object) : value)
        }
        var body: [UInt8] = []
        if settings.method != .get {
            let text: String
            if let template = settings.body { text = try evaluate(template, part: "body", object: object) } else { text = object.jsonText() }
            body = Array(text.utf8)
            if !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
        }
        return (url, HTTPRequest(method: settings.method, target: url.target, headers: headers, body: body))
    }

    /// The text of `expression` for `object`: a Go template's output, or a JavaScript result (a string as its
    /// contents, anything else as JSON text).
    private func evaluate(_ expression: String, part: String, object: JSONValue) throws(WebhookTemplateError) -> String {
        do {
            switch try templates.evaluate(expression: expression, object: object).result {
            case .text(let text), .json(.string(let text)): return text
            case .json(let value): return value.jsonText()
            }
        } catch {
            throw .template(part: part, error)
        }
    }
}

/// Why one event has no webhook request; the row is rejected with this text.
enum WebhookTemplateError: Error, CustomStringConvertible {
    case template(part: String, TemplateError)
    case url(HTTPURLError)

    var description: String {
        switch self {
        case .template(let part, let error): "webhook \(part) template failed: \(error)"
        case .url(let error): "webhook url: \(error)"
        }
    }
}
