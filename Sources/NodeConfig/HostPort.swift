/// A network address written as `host:port`, as in `cluster.bind` and `cluster.seeds`.
///
/// The host is kept as written (a name such as `node2`, an IPv4 literal, or an IPv6 literal in brackets such as
/// `[::1]:7001`) because names are resolved when dialling, not when the file is read: a seed that is not up yet must
/// not stop the node from starting. Port 0 asks the OS for an ephemeral port; it is meaningful only where the node
/// binds, which `NodeConfiguration.validate()` enforces.
public struct HostPort: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The host part, without IPv6 brackets.
    public var host: String
    /// The port, 0...65535.
    public var port: UInt16

    /// Creates an address from parts that are already known to be valid.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`; returns nil when the text is not of that shape or the port is not a
    /// decimal number in 0...65535.
    public init?(_ text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An unbracketed host with a colon is an IPv6 literal whose port cannot be told apart from its last group.
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }),
              !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    /// The address in the form it was parsed from, with brackets restored around IPv6 hosts.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
