import Foundation

/// A complete HTTP/1.1 request as the server parsed it (body already de-chunked) or as the client sends it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String {
        didSet { (path, queryString, query) = Self.split(target) }
    }
    /// The path part of the target, still percent-encoded.
    public private(set) var path: Substring
    /// The raw query string (without `?`), or nil.
    public private(set) var queryString: Substring?
    /// Query parameters decoded (`+` as space, percent escapes); the first of repeated names wins. Parsed once,
    /// since authentication and handlers both read it.
    public private(set) var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection stays open after the response (HTTP/1.1 default, `Connection` header).
    public var keepAlive: Bool

    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.target = target
        (path, queryString, query) = Self.split(target)
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    private static func split(_ target: String) -> (Substring, Substring?, [String: String]) {
        // Scanning UTF-8 bytes, not Characters: '?' is ASCII and this runs for every request.
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target[...], nil, [:]) }
        let queryString = target[target.index(after: mark)...]
        return (target[..<mark], queryString, formFields(queryString))
    }

    /// The fields of `application/x-www-form-urlencoded` text (a query string, or a form body such as an OAuth2
    /// token request's): names and values decoded, the first of repeated names wins.
    public static func formFields(_ text: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeFormComponent(parts[0])
            if fields[name] == nil {
                fields[name] = parts.count > 1 ? decodeFormComponent(parts[1]) : ""
            }
        }
        return fields
    }

    /// One form-encoded name or value: `+` is a space, then percent escapes are decoded (left as sent when invalid).
    public static func decodeFormComponent(_ text: Substring) -> String {
        // Most names and values (tokens, ids) need no decoding; Foundation's decoder showed in request profiles.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) { return String(text) }
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Decodes the JSON body; failures are 400s that name the offending key path.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws(HTTPError) -> T {
        guard !body.isEmpty else { throw HTTPError(.badRequest, "Request body is empty; expected a JSON object") }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, error.clientMessage)
        } catch {
            throw HTTPError(.badRequest, "Request body is not valid JSON")
        }
    }
}

extension DecodingError {
    /// A message naming the key path, for a 400 (Hummingbird does the same).
    var clientMessage: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "body" : String(keys.drop { $0 == "." })
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "Invalid request body: missing required field '\(parent == "body" ? key.stringValue : "\(parent).\(key.stringValue)")'"
        case .typeMismatch(let type, let context):
            return "Invalid request body: '\(path(context))' must be \(Self.describe(type))"
        case .valueNotFound(let type, let context):
            return "Invalid request body: '\(path(context))' must be \(Self.describe(type)), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "Request body is not valid JSON"
                : "Invalid request body: '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "Invalid request body"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
