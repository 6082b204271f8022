import Foundation

/// A transmit-limited queue of encoded updates waiting to ride on outgoing packets (memberlist `queue.go`).
///
/// Each update is sent at most `retransmitLimit` times; the least-sent updates go first and, among equals, the newest,
/// so fresh news spreads before old news is repeated. An update with a key replaces a queued update with the same
/// key (news about one member supersedes older news about it).
struct BroadcastQueue: Sendable {
    struct Item: Sendable {
        /// Updates with equal keys replace each other; nil never replaces.
        let key: String?
        /// The encoded message, ready to become one part of a compound packet.
        let message: [UInt8]
        /// The member this update announces as alive, if it is such news: that member needs no telling, so
        /// packets to it skip the update and keep its transmits for members that do.
        let announces: String?
        /// Enqueue order; larger is newer.
        let order: UInt64
        /// How many packets carried it so far.
        var transmits = 0
    }

    private(set) var items: [Item] = []
    private var nextOrder: UInt64 = 0
    /// The sum of queued message sizes, so packet budgets can be split without walking the queue.
    private(set) var queuedBytes = 0

    var isEmpty: Bool { items.isEmpty }

    /// Queues `message`, dropping any queued update with the same key.
    mutating func enqueue(_ message: [UInt8], key: String?, announces: String? = nil) {
        if let key, let index = items.firstIndex(where: { $0.key == key }) {
            queuedBytes -= items[index].message.count
            items.remove(at: index)
        }
        items.append(Item(key: key, message: message, announces: announces, order: nextOrder))
        nextOrder += 1
        queuedBytes += message.count
    }

    /// Takes at most `maxCount` updates that fit in `budget` bytes, each costing its size plus `overhead`,
    /// least-sent and newest first; counts a transmit for each and drops those that reached `limit` transmits.
    /// Updates announcing `recipient` itself alive are left for other packets.
    mutating func take(budget: Int, overhead: Int, limit: Int, maxCount: Int, recipient: String? = nil) -> [[UInt8]] {
        guard !items.isEmpty, budget > overhead, maxCount > 0 else { return [] }
        items.sort { $0.transmits != $1.transmits ? $0.transmits < $1.transmits : $0.order > $1.order }
        var remaining = budget
        var taken: [[UInt8]] = []
        var index = 0
        while index < items.count, remaining > overhead, taken.count < maxCount {
            let cost = items[index].message.count + overhead
            if cost <= remaining, recipient == nil || items[index].announces != recipient {
                remaining -= cost
                taken.append(items[index].message)
                items[index].transmits += 1
                if items[index].transmits >= limit {
                    queuedBytes -= items[index].message.count
                    items.remove(at: index)
                    continue
                }
            }
            index += 1
        }
        return taken
    }

    /// `multiplier * ceil(log10(N + 1))` (memberlist `retransmitLimit`).
    static func retransmitLimit(multiplier: Int, memberCount: Int) -> Int {
        multiplier * Int(log10(Double(max(0, memberCount)) + 1).rounded(.up))
    }
}
