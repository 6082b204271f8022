import Foundation
import Loop
import Metrics

/// Measures how late the loop runs a timer: a blocked loop delays every request and gossip probe, so this is
/// the first figure to look at when a node is slow. Records `rivulet_loop_lag_seconds` (gauge, latest) and a
/// histogram of the same.
final class LoopLagProbe {
    /// Milliseconds between samples.
    static let interval: UInt64 = 500
    private let timer: LoopTimer
    private var expected: UInt64 = 0
    private let gauge = Gauge(label: "rivulet_loop_lag_seconds")
    private let histogram = Metrics.Timer(label: "rivulet_loop_lag_duration_seconds", preferredDisplayUnit: .seconds)

    init(loop: EventLoop) throws {
        timer = try LoopTimer(loop: loop)
        timer.unref()
        schedule()
    }

    private func schedule() {
        expected = DispatchTime.now().uptimeNanoseconds + Self.interval * 1_000_000
        timer.start(after: Self.interval) { [unowned self] in
            let lag = DispatchTime.now().uptimeNanoseconds &- expected
            let clamped = Int64(bitPattern: lag) > 0 ? Int64(lag) : 0
            gauge.record(Double(clamped) / 1e9)
            histogram.recordNanoseconds(clamped)
            schedule()
        }
    }

    func close() { timer.close() }
}
