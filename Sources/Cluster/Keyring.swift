@preconcurrency import Crypto  // SymmetricKey is an immutable value, not yet marked Sendable.
import Foundation

/// The cluster's gossip keys (`cluster.secret`): every packet and stream message is sealed with AES-256-GCM under
/// the first key and opened with whichever key fits, so keys rotate without a flag day (memberlist's keyring).
///
/// The cluster name is the associated data, so a packet sealed for another cluster fails to open even under the
/// same key. Wire layout of a sealed message (never change it without a protocol version): nonce (12 bytes),
/// ciphertext, tag (16 bytes), as CryptoKit's `combined` form.
public struct Keyring: Sendable {
    private let keys: [SymmetricKey]
    private let associatedData: [UInt8]

    /// Keys from base64 text (validated by the config loader); nil when the list is empty (gossip in clear).
    public init?(base64Keys: [String], clusterName: String) {
        let keys = base64Keys.compactMap { Data(base64Encoded: $0) }.filter { $0.count == 32 }.map { SymmetricKey(data: $0) }
        guard !keys.isEmpty else { return nil }
        self.keys = keys
        associatedData = Array(clusterName.utf8)
    }

    /// Seals `plaintext` under the primary key.
    public func seal(_ plaintext: [UInt8]) -> [UInt8] {
        // Sealing with a valid 256-bit key and a random nonce cannot fail.
        let box = try! AES.GCM.seal(plaintext, using: keys[0], authenticating: associatedData)
        return Array(box.combined!)
    }

    /// Opens a sealed message with any key of the ring; nil when none fits (wrong key, tampering, another cluster).
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        for key in keys {
            if let plaintext = try? AES.GCM.open(box, using: key, authenticating: associatedData) {
                return Array(plaintext)
            }
        }
        return nil
    }
}
