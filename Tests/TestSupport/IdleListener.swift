import Foundation

/// A loopback TCP socket that listens but never accepts, for tests of timeouts: with room in its backlog the kernel
/// completes handshakes and the peer waits for an answer that never comes; once `fill()` has taken the backlog,
/// Linux drops further SYNs and connecting itself hangs.
public final class IdleListener: @unchecked Sendable {
    public let port: Int
    private let fd: Int32
    private var fillers: [Int32] = []

    public init(backlog: Int32) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0 && listen(fd, backlog) == 0
            }
        }
        guard fd >= 0, listening else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServiceError.failed("no idle listener: \(reason)")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Takes the backlog's places with connections nobody accepts (non-blocking: in progress or done, each holds
    /// a place), so later connection attempts hang.
    public func fill(_ count: Int = 2) {
        var address = Self.loopback(port: port)
        for _ in 0..<count {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            fillers.append(filler)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    deinit {
        fillers.forEach { close($0) }
        close(fd)
    }
}
