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
/// nothing and reach this object through `parser.data`. What they update is one struct, `state`: every access to a
/// class's stored property is checked for exclusivity at run time, so each callback makes one access, not one per
/// field it touches.
final class MessageParser {
    private let parser: UnsafeMutablePointer<http_parser>
    private var state: ParseState
    /// Called when a request head announces `Expect: 100-continue`, so the server can invite the body.
    var onExpectContinue: (() -> Void)?
    /// Set by the client before feeding the response to a HEAD request, which has no body whatever its headers say.
    var expectsNoBody = false
    /// True between the first byte of a message and its end: a timeout there is a slow client, not an idle one.
    var isInsideMessage: Bool { state.isInsideMessage }
    /// True while the head (request line and headers) is being received.
    var isInsideHead: Bool { state.isInsideHead }
    /// Whether the current `feed` call has completed a message yet.
    var completedMessagesInFeed: Bool { state.completedMessagesInFeed }

    init(kind: http_parser_type, maxHeaderBytes: Int, maxBodyBytes: Int) {
        parser = .allocate(capacity: 1)
        http_parser_init(parser, kind)
        state = ParseState(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit { parser.deallocate() }

    /// Parses `bytes`; returns the messages they completed and, when parsing then failed, why. Messages completed
    /// before a failure in the same bytes are still returned, so they are answered before the error. After a
    /// failure the parser is unusable: the connection must close.
    func feed(_ bytes: UnsafeRawBufferPointer) -> (messages: [ParsedMessage], failure: ParseFailure?) {
        if let failure = state.failure { return ([], failure) }
        state.completedMessagesInFeed = false
        let consumed = withUnsafePointer(to: MessageParser.settings) { settings in
            http_parser_execute(parser, settings, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        let code = rivulet_http_errno(parser)
        if state.failure == nil, code != HPE_OK || consumed != bytes.count {
            state.failure = .malformed(String(cString: http_errno_description(code)))
        }
        return state.takeCompleted()
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

    // A non-zero return stops http_parser with HPE_CB_*; `state.failure` then says why.
    private static let settings: http_parser_settings = {
        var settings = http_parser_settings()
        settings.on_message_begin = { this($0).state.beginMessage() }
        settings.on_url = { this($0).state.appendTarget(bytes($1, $2)) }
        settings.on_header_field = { this($0).state.appendFieldName(bytes($1, $2)) }
        settings.on_header_value = { this($0).state.appendFieldValue(bytes($1, $2)) }
        settings.on_headers_complete = { parser in
            let me = this(parser)
            let head = me.state.completeHead(parser!, expectsNoBody: me.expectsNoBody)
            // Outside the access to `state`: the server's handler reads the parser's flags.
            if head.expectsContinue { me.onExpectContinue?() }
            return head.result
        }
        settings.on_body = { this($0).state.appendBody(bytes($1, $2)) }
        settings.on_message_complete = { this($0).state.completeMessage(keepAlive: http_should_keep_alive($0) != 0) }
        return settings
    }()
}

/// What http_parser's callbacks build: the message in progress, the limits' counts, and the completed messages.
private struct ParseState {
    let maxHeaderBytes: Int
    let maxBodyBytes: Int
    var current = ParsedMessage()
    var headerBytes = 0
    var fieldName: [UInt8] = []
    var fieldValue: [UInt8] = []
    var targetBytes: [UInt8] = []
    var completed: [ParsedMessage] = []
    var failure: ParseFailure?
    var isInsideMessage = false
    var isInsideHead = false
    var completedMessagesInFeed = false
    /// Whether the last head callback was a value: a field callback after a value starts a new header. Testing
    /// for an empty value instead would glue a header after an empty-valued one to its name.
    var lastWasValue = false

    init(maxHeaderBytes: Int, maxBodyBytes: Int) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// The messages completed since the last call, and the failure if parsing stopped.
    mutating func takeCompleted() -> (messages: [ParsedMessage], failure: ParseFailure?) {
        defer { completed.removeAll(keepingCapacity: true) }
        return (completed, failure)
    }

    mutating func beginMessage() -> Int32 {
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

    mutating func appendTarget(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard countHead(bytes.count) else { return 1 }
        targetBytes.append(contentsOf: bytes)
        return 0
    }

    mutating func appendFieldName(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if lastWasValue { flushField() }
        lastWasValue = false
        guard countHead(bytes.count) else { return 1 }
        fieldName.append(contentsOf: bytes)
        return 0
    }

    mutating func appendFieldValue(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        lastWasValue = true
        guard countHead(bytes.count) else { return 1 }
        fieldValue.append(contentsOf: bytes)
        return 0
    }

    /// Counts head bytes against the limit; false (and a failure) once it is exceeded.
    private mutating func countHead(_ count: Int) -> Bool {
        headerBytes += count
        if headerBytes > maxHeaderBytes {
            failure = .headerTooLarge
            return false
        }
        return true
    }

    private mutating func flushField() {
        current.headers.add(String(decoding: fieldName, as: UTF8.self), String(decoding: fieldValue, as: UTF8.self))
        fieldName.removeAll(keepingCapacity: true)
        fieldValue.removeAll(keepingCapacity: true)
    }

    /// Ends the head: `result` for http_parser, and whether the request asked to be invited to send its body.
    mutating func completeHead(_ parser: UnsafeMutablePointer<http_parser>, expectsNoBody: Bool)
        -> (result: Int32, expectsContinue: Bool) {
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
            return (-1, false)  // From on_headers_complete, 1 and 2 mean "no body"; any other non-zero is an error.
        }
        // Reserve what was announced, up to 64 KiB: a header alone must not make us allocate the body limit.
        if length != UInt64.max, length > 0 { current.body.reserveCapacity(Int(min(length, 64 * 1024))) }
        let expectsContinue = current.headers["Expect"].map { $0.caseInsensitiveEquals("100-continue") } ?? false
        // 1 tells http_parser there is no body (a response to HEAD).
        return (expectsNoBody ? 1 : 0, expectsContinue)
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

    mutating func appendBody(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if current.body.count + bytes.count > maxBodyBytes {
            failure = .bodyTooLarge
            return 1
        }
        current.body.append(contentsOf: bytes)
        return 0
    }

    mutating func completeMessage(keepAlive: Bool) -> Int32 {
        current.keepAlive = keepAlive
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
