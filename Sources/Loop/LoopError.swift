import CLibUV

/// A libuv call that failed: the negative error code and the call that returned it.
///
/// libuv reports errors as negative integers and never calls back a request whose call failed
/// (libuv `docs/src/errors.rst`), so every `uv_` return code in this module goes through `uvCheck`.
public struct LoopError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The libuv error code (negative), for example `UV_ECONNREFUSED`.
    public let code: Int32
    /// The libuv function that failed, for logs.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// libuv's short name for the code, such as `ECONNREFUSED`.
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String { "\(operation): \(name) (\(String(cString: uv_strerror(code))))" }
}

/// Throws `LoopError` when a libuv call returned a negative code; returns the code otherwise.
@discardableResult
func uvCheck(_ code: Int32, _ operation: String) throws(LoopError) -> Int32 {
    if code < 0 { throw LoopError(code: code, operation: operation) }
    return code
}
