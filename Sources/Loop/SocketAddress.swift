import CLibUV
import Foundation

/// An IPv4 or IPv6 address with a port, stored as `sockaddr_storage` so it can go straight into libuv calls.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    private var storage = sockaddr_storage()

    /// Parses a numeric host (`127.0.0.1`, `::1`) and a port; hostnames need `EventLoop.resolve`.
    public init(ip: String, port: Int) throws(LoopError) {
        let host = ip.hasPrefix("[") && ip.hasSuffix("]") ? String(ip.dropFirst().dropLast()) : ip
        var code: Int32 = 0
        if host.contains(":") {
            code = withUnsafeMutableBytes(of: &storage) { uv_ip6_addr(host, Int32(port), $0.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)) }
        } else {
            code = withUnsafeMutableBytes(of: &storage) { uv_ip4_addr(host, Int32(port), $0.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)) }
        }
        try uvCheck(code, "uv_ip_addr(\(ip))")
    }

    /// Parses `host:port` or `[v6]:port` with a numeric host.
    public init(parsing text: String) throws(LoopError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw LoopError(code: Int32(UV_EINVAL.rawValue), operation: "parse address \(text)")
        }
        try self.init(ip: String(text[..<colon]), port: port)
    }

    /// Copies an address that libuv handed to a callback; it is only valid during that callback.
    init?(_ address: UnsafePointer<sockaddr>?) {
        guard let address else { return nil }
        let length = address.pointee.sa_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: length)) }
    }

    /// Reads the address a libuv getter (`uv_tcp_getsockname`, `uv_tcp_getpeername`, `uv_udp_getsockname`) writes
    /// into caller storage; nil when it fails (the socket is closed or not bound).
    static func read(_ getter: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<Int32>) -> Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getter(address, &length) == 0 ? SocketAddress(UnsafePointer(address)) : nil
            }
        }
    }

    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    public var isIPv6: Bool { storage.ss_family == sa_family_t(AF_INET6) }

    /// The numeric host, without brackets.
    public var host: String {
        if !isIPv6 {
            // Written by hand: ingestion asks for every request's peer, and inet_ntop formats with sprintf.
            let octets = withSockAddr { address in
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            }
            return String(unsafeUninitializedCapacity: 15) { out in
                var count = 0
                for shift in stride(from: 24, through: 0, by: -8) {
                    if shift != 24 { out[count] = UInt8(ascii: "."); count += 1 }
                    let octet = UInt8(truncatingIfNeeded: octets >> UInt32(shift))
                    if octet >= 100 { out[count] = UInt8(ascii: "0") + octet / 100; count += 1 }
                    if octet >= 10 { out[count] = UInt8(ascii: "0") + octet / 10 % 10; count += 1 }
                    out[count] = UInt8(ascii: "0") + octet % 10
                    count += 1
                }
                return count
            }
        }
        var buffer = [CChar](repeating: 0, count: 64)
        withSockAddr { address in
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { _ = uv_ip6_name($0, &buffer, buffer.count) }
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public var port: Int {
        get {
            withSockAddr { address in
                let networkOrder = isIPv6
                    ? address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                    : address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
                return Int(UInt16(bigEndian: networkOrder))
            }
        }
        set {
            let networkOrder = UInt16(truncatingIfNeeded: newValue).bigEndian
            let ipv6 = isIPv6
            withUnsafeMutableBytes(of: &storage) { raw in
                if ipv6 {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = networkOrder
                } else {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = networkOrder
                }
            }
        }
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
