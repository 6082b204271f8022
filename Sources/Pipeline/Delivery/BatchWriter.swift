import Loop

/// Writes batches to one destination outside its delivery runner (replays, source syncs), through a destination
/// instance of its own so the runner's one-write-at-a-time contract holds. Rows the destination refuses go to its
/// fallback file; an unreachable destination is retried a few times (about 6 s), then the write fails: the caller
/// is waiting, so it reports the outage rather than waiting it out as delivery does. Loop-bound.
package final class BatchWriter: @unchecked Sendable {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    package static let attempts = 6
    package let destination: any Destination
    private let fallback: FallbackWriter
    private let loop: EventLoop

    init(destination: any Destination, fallback: FallbackWriter, loop: EventLoop) {
        self.destination = destination
        self.fallback = fallback
        self.loop = loop
    }

    /// Stores `batch`; returns how many rows were refused (and are now in the fallback file).
    package func write(_ batch: TableBatch) async throws(Failure) -> Int {
        let rejected = try await store(batch)
        let lines = rejected.keys.sorted().map { index in
            FallbackLine.event(event: batch.rows[index].event, error: rejected[index]!, eventID: batch.rows[index].eventID)
        }
        try await writeFallback(lines)
        return rejected.count
    }

    /// Stores `rows` as they are when the destination can (`CopyRowsDestination`); false, having stored none, when
    /// they must go as a `TableBatch` (`write(_:)`).
    package func write(_ rows: CopyRows, table: String, upsertKey: [String]) async throws(Failure) -> Bool {
        guard let destination = destination as? any CopyRowsDestination else { return false }
        return try await retrying { await destination.store(rows, table: table, upsertKey: upsertKey) } != nil
    }

    /// Makes the batches written with `TableBatch.defersDurability` durable; throws when the destination cannot
    /// confirm it (some may then be lost), without retrying: what was lost is not on a new connection.
    package func makeDurable() async throws(Failure) {
        if case .unreachable(let reason) = await destination.makeDurable() {
            throw Failure(description: "destination \(destination.id) could not confirm the rows written are durable: \(reason)")
        }
    }

    package func writeFallback(_ lines: [FallbackLine]) async throws(Failure) {
        do {
            try await fallback.write(lines)
        } catch {
            throw Failure(description: "writing refused events to the fallback file: \(error)")
        }
    }

    package func close() async {
        await destination.close()
    }

    private func store(_ batch: TableBatch) async throws(Failure) -> [Int: String] {
        try await retrying { await destination.store(batch) } ?? [:]
    }

    /// The rows `attempt` rejected once it reached the destination, or nil when it declined; an unreachable
    /// destination is tried again with backoff.
    private func retrying(_ attempt: () async -> StoreOutcome?) async throws(Failure) -> [Int: String]? {
        var backoff = Backoff()
        var random = SystemRandomNumberGenerator()
        while true {
            switch await attempt() {
            case nil:
                return nil
            case .stored(let rejected):
                return rejected
            case .unreachable(let reason):
                guard backoff.attempt < Self.attempts else {
                    throw Failure(description: "destination \(destination.id) is unreachable: \(reason)")
                }
                guard let pause = try? Pause(loop: loop) else { throw Failure(description: "the node is stopping") }
                await pause.sleep(backoff.next(using: &random))
                pause.close()
            }
        }
    }
}

extension EventPipeline {
    /// A writer into destination `id` with a connection of its own; nil for an unknown id. Close it when done.
    package func batchWriter(for id: String) -> BatchWriter? {
        guard let runner = runners[id] else { return nil }
        return BatchWriter(destination: DestinationSettings.make(runner.config, context: context), fallback: runner.fallback, loop: context.loop)
    }
}
