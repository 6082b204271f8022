import Loop

/// One TCP connection on the gossip port, either side: framed messages (`StreamFrame`), sealed with the keyring
/// when there is one, and a deadline after which it closes, so a silent peer cannot hold it.
final class GossipStream {
    let tcp: TCPConnection
    private let keyring: Keyring?
    private let timer: LoopTimer
    private var buffer: [UInt8] = []
    /// Called for each complete message; a malformed or undecryptable message closes the stream instead.
    var onMessage: ((StreamFrame.Kind, [UInt8]) -> Void)?
    /// Called when a message fails to open or decode, before the stream closes.
    var onRejected: ((String) -> Void)?

    init(tcp: TCPConnection, keyring: Keyring?, timeout: UInt64) throws(LoopError) {
        self.tcp = tcp
        self.keyring = keyring
        timer = try LoopTimer(loop: tcp.loop)
        timer.start(after: timeout) { [tcp] in tcp.close() }
        // Owners' callbacks capture the stream; dropping them at close breaks that cycle, and until then the
        // callback keeps the stream alive.
        tcp.onClose { [self] in
            timer.close()
            onMessage = nil
            onRejected = nil
        }
        tcp.startReading { [unowned self] event in
            guard case .data(let bytes) = event else { return self.tcp.close() }
            self.receive(bytes)
        }
    }

    /// Dials `address`; `completion` gets the stream, or nil when the connection failed.
    static func connect(loop: EventLoop, to address: SocketAddress, keyring: Keyring?, timeout: UInt64, completion: @escaping (GossipStream?) -> Void) {
        TCPConnection.connect(loop: loop, to: address) { result in
            guard case .success(let tcp) = result else { return completion(nil) }
            do {
                completion(try GossipStream(tcp: tcp, keyring: keyring, timeout: timeout))
            } catch {
                tcp.close()
                completion(nil)
            }
        }
    }

    func send(_ kind: StreamFrame.Kind, _ payload: [UInt8]) {
        tcp.write(StreamFrame.encode(kind, keyring?.seal(payload) ?? payload)) { [tcp] error in
            if error != nil { tcp.close() }
        }
    }

    func close() { tcp.close() }

    private func receive(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        do {
            for (kind, payload) in try StreamFrame.decode(&buffer) {
                guard let plaintext = keyring.map({ $0.open(payload) }) ?? payload else {
                    onRejected?("stream message does not open under any cluster key")
                    return close()
                }
                onMessage?(kind, plaintext)
                if tcp.isClosed { return }
            }
        } catch {
            onRejected?("malformed stream message: \(error)")
            close()
        }
    }
}
