import Connectors
import TestSupport

/// Sink calls made on the harness's loop as a connector task makes them.
extension DestinationHarness {
    /// The failure `write` threw, or nil when the batch was stored.
    func write(_ sink: any ConnectorSink, _ batch: SinkBatch) async throws -> SinkFailure? {
        try await loopHarness.onLoop { () async -> SinkFailure? in
            do throws(SinkFailure) { try await sink.write(batch) } catch { return error }
            return nil
        }
    }
}
