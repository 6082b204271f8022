import Foundation
import Synchronization

/// Serializes a response head and body into one buffer, so a response is one write (one syscall when the socket
/// has room).
enum ResponseWriter {
    /// A response to HEAD announces the length GET would send but carries no body (RFC 9110 §9.3.2); 1xx and 204
    /// responses have no Content-Length at all (§8.6).
    static func serialize(_ response: HTTPResponse, keepAlive: Bool, headRequest: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.body.count)
        append("HTTP/1.1 ", to: &out)
        appendDecimal(response.status.code, to: &out)
        out.append(0x20)
        append(response.status.reason, to: &out)
        append("\r\n", to: &out)
        for (name, value) in response.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            append(name, to: &out)
            append(": ", to: &out)
            append(value, to: &out)
            append("\r\n", to: &out)
        }
        if response.status.code >= 200, response.status.code != 204 {
            append("Content-Length: ", to: &out)
            appendDecimal(response.body.count, to: &out)
            append("\r\n", to: &out)
        }
        append(HTTPDate.current, to: &out)
        if !keepAlive { append("Connection: close\r\n", to: &out) }
        append("\r\n", to: &out)
        if !headRequest { out.append(contentsOf: response.body) }
        return out
    }

    /// Appends `text`'s UTF-8 bytes in one copy: through the generic `String.UTF8View` append, a response's
    /// fifteen strings cost 2,500 instructions per request.
    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Appends a non-negative integer's digits without building a String.
    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        let value = max(0, value)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

/// The `Date` header line, formatted at most once per second (RFC 9110 §6.6.1 IMF-fixdate).
enum HTTPDate {
    private static let cache = Mutex<(second: Int, line: String)>((-1, ""))

    static var current: String {
        let now = Int(Date().timeIntervalSince1970)
        return cache.withLock { cached in
            if cached.second != now {
                cached = (now, "Date: \(format(now))\r\n")
            }
            return cached.line
        }
    }

    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
