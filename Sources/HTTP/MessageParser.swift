import CHTTPParser

/// One HTTP/1.x message parsed by `MessageParser`: a request or a response head plus its de-chunked body.
struct ParsedMessage {
    var method: HTTPMethod = .get
    var target = ""
    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var keepAlive = true
}

/// Why parsing stopped; the server turns each into its status.
enum ParseFailure: Error, Equatable {
    case headerTooLarge
    case bodyTooLarge
    case malformed(String)
}

/// Incremental HTTP/1.x parsing with http_parser, enforcing the header and body limits as bytes arrive.
///
/// `feed` returns the messages it completed. http_parser calls back a C function per token; the callbacks capture
/// nothing and reach this object through `parser.data`.
final class MessageParser {
    private let parser: UnsafeMutablePointer<http_parser>
    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    private var current = ParsedMessage()
    private var headerBytes = 0
    private var fieldName: [UInt8] = []
    private var fieldValue: [UInt8] = []
    private var targetBytes: [UInt8] = []
    private var completed: [ParsedMessage] = []
    private var failure: ParseFailure?
    /// Called when a request head announces `Expect: 100-continue`, so the server can invite the body.
    var onExpectContinue: (() -> Void)?
    /// Set by the client before feeding the response to a HEAD request, which has no body whatever its headers say.
    var expectsNoBody = false
    /// True between the first byte of a message and its end: a timeout there is a slow client, not an idle one.
    private(set) var isInsideMessage = false
    /// True while the head (request line and headers) is being received.
    private(set) var isInsideHead = false
    /// Whether the current `feed` call has completed a message yet.
    private(set) var completedMessagesInFeed = false
    /// Whether the last head callback was a value: a field callback after a value starts a new header. Testing
    /// for an empty value instead would glue a header after an empty-valued one to its name.
    private var lastWasValue = false

    init(kind: http_parser_type, maxHeaderBytes: Int, maxBodyBytes: Int) {
        parser = .allocate(capacity: 1)
        http_parser_init(parser, kind)
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit { parser.deallocate() }

    /// Parses `bytes`; returns the messages they completed and, when parsing then failed, why. Messages completed
    /// before a failure in the same bytes are still returned, so they are answered before the error. After a
    /// failure the parser is unusable: the connection must close.
    func feed(_ bytes: UnsafeRawBufferPointer) -> (messages: [ParsedMessage], failure: ParseFailure?) {
        if let failure { return ([], failure) }
        completedMessagesInFeed = false
        let consumed = withUnsafePointer(to: MessageParser.settings) { settings in
            http_parser_execute(parser, settings, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        let code = rivulet_http_errno(parser)
        if failure == nil, code != HPE_OK || consumed != bytes.count {
            failure = .malformed(String(cString: http_errno_description(code)))
        }
        defer { completed.removeAll(keepingCapacity: true) }
        return (completed, failure)
    }

    /// Signals end of input: completes a response whose body runs until the connection closes.
    func finish() -> (messages: [ParsedMessage], failure: ParseFailure?) {
        feed(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private static func this(_ parser: UnsafeMutablePointer<http_parser>?) -> MessageParser {
        Unmanaged<MessageParser>.fromOpaque(parser!.pointee.data).takeUnretainedValue()
    }

    private static func bytes(_ at: UnsafePointer<CChar>?, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: at, count: length)
    }

    // A non-zero return stops http_parser with HPE_CB_*; `failure` then says why.
    private static let settings: http_parser_settings = {
        var settings = http_parser_settings()
        settings.on_message_begin = { this($0).beginMessage() }
        settings.on_url = { parser, at, length in
            let me = this(parser)
            guard me.countHead(length) else { return 1 }
            me.targetBytes.append(contentsOf: bytes(at, length))
            return 0
        }
        settings.on_header_field = { parser, at, length in
            let me = this(parser)
            if me.lastWasValue { me.flushField() }
            me.lastWasValue = false
            guard me.countHead(length) else { return 1 }
            me.fieldName.append(contentsOf: bytes(at, length))
            return 0
        }
        settings.on_header_value = { parser, at, length in
            let me = this(parser)
            me.lastWasValue = true
            guard me.countHead(length) else { return 1 }
            me.fieldValue.append(contentsOf: bytes(at, length))
            return 0
        }
        settings.on_headers_complete = { this($0).completeHead() }
        settings.on_body = { this($0).appendBody(bytes($1, $2)) }
        settings.on_message_complete = { this($0).completeMessage() }
        return settings
    }()

    private func beginMessage() -> Int32 {
        current = ParsedMessage()
        // Room for a typical head's fields at once, rather than reallocating as the first few arrive.
        current.headers.reserveCapacity(8)
        headerBytes = 0
        targetBytes.removeAll(keepingCapacity: true)
        fieldName.removeAll(keepingCapacity: true)
        fieldValue.removeAll(keepingCapacity: true)
        lastWasValue = false
        isInsideMessage = true
        isInsideHead = true
        return 0
    }

    /// Counts head bytes against the limit; false (and a failure) once it is exceeded.
    private func countHead(_ count: Int) -> Bool {
        headerBytes += count
        if headerBytes > maxHeaderBytes {
            failure = .headerTooLarge
            return false
        }
        return true
    }

    private func flushField() {
        current.headers.add(String(decoding: fieldName, as: UTF8.self), String(decoding: fieldValue, as: UTF8.self))
        fieldName.removeAll(keepingCapacity: true)
        fieldValue.removeAll(keepingCapacity: true)
    }

    private func completeHead() -> Int32 {
        if lastWasValue || !fieldName.isEmpty { flushField() }
        lastWasValue = false
        isInsideHead = false
        current.target = String(decoding: targetBytes, as: UTF8.self)
        current.method = Self.method(rivulet_http_method(parser))
        current.status = Int(rivulet_http_status(parser))
        current.keepAlive = http_should_keep_alive(parser) != 0
        let length = parser.pointee.content_length
        // content_length is ULLONG_MAX when absent.
        if length != UInt64.max, length > UInt64(maxBodyBytes) {
            failure = .bodyTooLarge
            return -1  // From on_headers_complete, 1 and 2 mean "no body"; any other non-zero is an error.
        }
        // Reserve what was announced, up to 64 KiB: a header alone must not make us allocate the body limit.
        if length != UInt64.max, length > 0 { current.body.reserveCapacity(Int(min(length, 64 * 1024))) }
        if let expect = current.headers["Expect"], expect.caseInsensitiveEquals("100-continue") {
            onExpectContinue?()
        }
        // 1 tells http_parser there is no body (a response to HEAD).
        return expectsNoBody ? 1 : 0
    }

    /// The common methods as shared constants, the rest by name: building the name from C for every request
    /// showed in profiles.
    private static func method(_ code: UInt32) -> HTTPMethod {
        switch http_method(code) {
        case HTTP_GET: .get
        case HTTP_POST: .post
        case HTTP_PUT: .put
        case HTTP_DELETE: .delete
        case HTTP_HEAD: .head
        case HTTP_PATCH: .patch
        case HTTP_OPTIONS: .options
        case let other: HTTPMethod(String(cString: http_method_str(other)))
        }
    }

    private func appendBody(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if current.body.count + bytes.count > maxBodyBytes {
            failure = .bodyTooLarge
            return 1
        }
        current.body.append(contentsOf: bytes)
        return 0
    }

    private func completeMessage() -> Int32 {
        current.keepAlive = http_should_keep_alive(parser) != 0
        // Chunked trailers arrive as header callbacks after the head; they are not kept, and must not leak into
        // the next message's headers.
        fieldName.removeAll(keepingCapacity: true)
        fieldValue.removeAll(keepingCapacity: true)
        lastWasValue = false
        completedMessagesInFeed = true
        completed.append(current)
        current = ParsedMessage()
        isInsideMessage = false
        return 0
    }
}
