import Foundation
import Synchronization

/// Serializes a response head and body into one buffer, so a response is one write (one syscall when the socket
/// has room).
enum ResponseWriter {
    static func serialize(_ response: HTTPResponse, keepAlive: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.body.count)
        out.append(contentsOf: "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n".utf8)
        for (name, value) in response.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        out.append(contentsOf: HTTPDate.current.utf8)
        if !keepAlive { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: response.body)
        return out
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
