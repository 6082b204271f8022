import CHiredis

/// A Redis reply copied out of hiredis' `redisReply`, which hiredis frees when the reply callback returns.
package enum RedisReply: Equatable, Sendable {
    case status(String)
    /// An error reply (`WRONGTYPE ...`, `NOAUTH ...`): the command failed, the connection is fine.
    case error(String)
    case integer(Int64)
    case string(String)
    case array([RedisReply])
    case null

    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        func text() -> String {
            guard let pointer = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(value.len)), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_INTEGER: self = .integer(Int64(value.integer))
        case REDIS_REPLY_STRING: self = .string(text())
        case REDIS_REPLY_ARRAY:
            self = .array((0..<Int(value.elements)).map { RedisReply(UnsafePointer(value.element[$0]!)) })
        default: self = .null
        }
    }

    /// Throws the first error reply among `replies` as `.refused`.
    static func expectNoErrors(_ replies: [RedisReply]) throws(RedisError) {
        for case .error(let message) in replies { throw .refused(message) }
    }
}
