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
    public private(set) var query: QueryParameters
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

    private static func split(_ target: String) -> (Substring, Substring?, QueryParameters) {
        // Scanning the UTF-8 buffer, not Characters nor the generic UTF8View: this runs for every request.
        var bytes = target
        guard let offset = bytes.withUTF8({ $0.firstIndex(of: UInt8(ascii: "?")) }) else { return (target[...], nil, QueryParameters()) }
        let mark = target.utf8.index(target.utf8.startIndex, offsetBy: offset)
        let queryString = target[target.index(after: mark)...]
        return (target[..<mark], queryString, QueryParameters(formEncoded: queryString))
    }

    /// The fields of `application/x-www-form-urlencoded` text (a query string, or a form body such as an OAuth2
    /// token request's): names and values decoded, the first of repeated names wins.
    public static func formFields(_ text: Substring) -> [String: String] {
        Dictionary(QueryParameters(formEncoded: text).fields, uniquingKeysWith: { first, _ in first })
    }

    /// One form-encoded name or value: `+` is a space, then percent escapes are decoded (left as sent when invalid).
    public static func decodeFormComponent(_ text: Substring) -> String {
        var text = text
        return text.withUTF8(decodeFormComponent)
    }

    static func decodeFormComponent(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        // Most names and values (tokens, ids) need no decoding; Foundation's decoder showed in request profiles.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) { return text }
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

/// Decoded `application/x-www-form-urlencoded` fields in the order sent. A list searched by name: a query has a
/// handful of fields, and hashing them into a dictionary cost more than the rest of parsing it.
public struct QueryParameters: Sendable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    /// Parses `text`; empty pairs are skipped and a name without `=` has an empty value. Scans the UTF-8 buffer:
    /// through `Substring.UTF8View` this took 4% of a busy node's loop for `?token=...`.
    public init(formEncoded text: Substring) {
        var text = text
        fields = text.withUTF8 { bytes in
            var fields: [(name: String, value: String)] = []
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                defer { start = end + 1 }
                guard end > start else { continue }
                let pair = UnsafeBufferPointer(rebasing: bytes[start..<end])
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let name = HTTPRequest.decodeFormComponent(UnsafeBufferPointer(rebasing: pair[..<(equals ?? pair.count)]))
                fields.append((name, equals.map { HTTPRequest.decodeFormComponent(UnsafeBufferPointer(rebasing: pair[($0 + 1)...])) } ?? ""))
            }
            return fields
        }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }
}
