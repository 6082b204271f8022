import Foundation
import HTTP
import Logging
import Loop
import NodeConfig
import Pipeline
import Templates

/// Stores generated events through the `postgres` destination as the delivery runner does with a backlog (each
/// batch of event texts encoded by the destination's encoder on a background thread while the one before is
/// stored, then stored without waiting for durability but at every 16th batch and the last,
/// `DeliveryRunner.chunksPerDurablePoint`), and prints the rows per second, to set beside `psql \copy` of the same
/// rows. Rows are appended to `public.bench_events`, which
/// the first run creates; drop it between runs so each one measures the same work.
///
/// Usage: `postgres-bench <host> <port> <db> <username> <password> [rows (1000000)] [batch rows (10000)]`
@main
struct PostgresBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 6 else {
            print("usage: postgres-bench <host> <port> <db> <username> <password> [rows] [batch rows]")
            exit(2)
        }
        let total = arguments.count > 6 ? Int(arguments[6]) ?? 1_000_000 : 1_000_000
        let batchRows = arguments.count > 7 ? Int(arguments[7]) ?? 10_000 : 10_000
        let datasource: [String: ConfigValue] = [
            "host": .string(arguments[1]), "port": .string(arguments[2]), "db": .string(arguments[3]),
            "username": .string(arguments[4]), "password": .string(arguments[5]),
        ]
        HeapTuning.apply()  // As a node does at start.
        let config = try DestinationConfig(id: "bench", value: .map(["type": .string("postgres"), "datasource": .map(datasource)]),
                                           path: "destinations.bench")
        let loop = try EventLoop()
        let thread = loop.runOnNewThread()
        let context = DestinationContext(loop: loop, http: HTTPClient(loop: loop), templates: TemplateEvaluator(),
                                         dataDirectory: FileManager.default.currentDirectoryPath, logger: Logger(label: "postgres-bench"))
        let destination = DestinationSettings.make(config, context: context)
        let batches = stride(from: 0, to: total, by: batchRows).map { start in
            TableBatch(table: "bench_events", rows: (start..<min(start + batchRows, total)).map { Row(eventJSON: event($0)[...]) })
        }
        let encoder = destination.encoder
        let seconds = try await Task(executorPreference: loop) {
            let start = ContinuousClock.now
            @Sendable func encoded(_ batch: TableBatch) async throws -> TableBatch {
                var encoded = batch
                encoded.encoding = try await BackgroundWork.shared.run { encoder?(batch) }
                return encoded
            }
            var unflushed = 0
            var upcoming = Task { try await encoded(batches[0]) }
            for index in batches.indices {
                var batch = try await upcoming.value
                if index + 1 < batches.count {
                    let next = batches[index + 1]
                    upcoming = Task { try await encoded(next) }
                }
                batch.defersDurability = index < batches.count - 1
                var outcome = await destination.store(batch)
                if batch.defersDurability { unflushed += 1 }
                if outcome == .allStored, !batch.defersDurability || unflushed == DeliveryRunner.chunksPerDurablePoint, unflushed > 0 {
                    unflushed = 0
                    outcome = await destination.makeDurable()
                }
                guard outcome == .allStored else {
                    await destination.close()
                    throw BenchError(reason: "a batch was not stored: \(outcome)")
                }
            }
            let elapsed = ContinuousClock.now - start
            await destination.close()
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }.value
        _ = await thread.stopAndJoin()
        print(#"{"rows": \#(total), "batch_rows": \#(batchRows), "seconds": \#(seconds), "rows_per_second": \#(Int(Double(total) / seconds))}"#)
    }

    /// Event `index` as the log holds it: the fields a tracked page view has after flattening.
    static func event(_ index: Int) -> [UInt8] {
        let columns: [String: JSONValue] = [
            "eventn_ctx_event_id": .string("bench-\(index)"),
            "_timestamp": .string(RFC3339.format(seconds: 1_790_000_000 + Int64(index), nanoseconds: 0)),
            "event_type": .string("pageview"),
            "user_id": .number(Double(index % 10_000)),
            "page_url": .string("https://example.com/products/\(index % 500)?ref=bench"),
            // Never a whole number, so the column is double precision from the first row on.
            "duration": .number(Double(index % 1000) / 10 + 0.05),
            "is_new": .bool(index % 3 == 0),
        ]
        return EventJSON.bytes(columns)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
