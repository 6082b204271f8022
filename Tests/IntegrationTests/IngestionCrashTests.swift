import Foundation
import Testing
import TestSupport

/// A 200 means the event is on disk: a `rivulet serve` process killed with SIGKILL in the middle of a 10,000-event
/// load delivers, once restarted, every event it acknowledged.
@Suite struct IngestionCrashTests {
    static func config(dataDir: String, outDir: String) -> String {
        """
        server: {name: crash1, host: 127.0.0.1, port: 0, admin_token: t, data_dir: \(dataDir)}
        cluster: {bind: 127.0.0.1:0, gossip: {profile: loopback}}
        api_keys: [{id: load, server_secret: s2s.load}]
        destinations:
          out: {type: file, mode: stream, file: {path: \(outDir)}, data_layout: {table_name_template: events}}
        logging: {level: warning}
        """
    }

    @Test func everyAcknowledgedEventIsDeliveredAfterAKill9() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let yaml = Self.config(dataDir: scratch + "/data", outDir: scratch + "/out")
        let node = try NodeProcess(yaml: yaml)
        // The sender whose answer brings the count past 3,000 kills the node, so the kill lands mid-load however
        // slowly this test's own task is scheduled.
        let tally = Tally(killAt: 3_000) { node.signal(SIGKILL) }
        // Four senders, 25 bulk requests of 100 events each: 10,000 events, ids 0..<10000.
        let senders = (0..<4).map { sender in
            Task.detached {
                for request in 0..<25 {
                    let first = (sender * 25 + request) * 100
                    let body = (first..<(first + 100)).map { #"{"event_type":"load","seq":\#($0)}"# }.joined(separator: "\n")
                    guard let response = try? node.request("POST", "/api/v1/events/bulk?token=s2s.load", body: body), response.status == 200 else { return }
                    tally.acknowledge(first..<(first + 100))
                }
            }
        }
        for sender in senders { await sender.value }
        _ = node.waitForExit()
        let acked = tally.acknowledged
        #expect(acked.count >= 3_000 && acked.count < 10_000, "the kill landed mid-load (\(acked.count) acknowledged)")

        let restarted = try NodeProcess(yaml: yaml)
        defer { restarted.terminate() }
        var delivered: Set<Int> = []
        for _ in 0..<200 {
            delivered = Self.delivered(in: scratch + "/out/events.jsonl")
            if delivered.isSuperset(of: acked) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let missing = acked.subtracting(delivered)
        #expect(missing.isEmpty, "\(missing.count) acknowledged events were never delivered, e.g. \(missing.sorted().prefix(5))")
    }

    /// The events answered with 200, shared by the sender tasks.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: Set<Int> = []
        private let killAt: Int
        private let kill: @Sendable () -> Void

        init(killAt: Int, kill: @escaping @Sendable () -> Void) {
            self.killAt = killAt
            self.kill = kill
        }

        func acknowledge(_ range: Range<Int>) {
            let crossed = lock.withLock {
                let before = ids.count
                ids.formUnion(range)
                return before < killAt && ids.count >= killAt
            }
            if crossed { kill() }
        }
        var acknowledged: Set<Int> { lock.withLock { ids } }
    }

    /// The `seq` of every line of the destination's file.
    static func delivered(in path: String) -> Set<Int> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var seqs: Set<Int> = []
        for line in text.split(separator: "\n") {
            guard let range = line.range(of: #""seq":"#) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let seq = Int(digits) { seqs.insert(seq) }
        }
        return seqs
    }
}
