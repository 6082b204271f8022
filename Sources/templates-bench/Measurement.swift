import Templates

/// The measurement both sides of the benchmark share (see `scripts/bench/templates/main.go`): a warm-up that also
/// sizes batches to about a millisecond, so reading the clock does not weigh on the fastest case, then three
/// measured windows of whole batches. The median window is reported because one window on shared cores moved by
/// up to a fifth between runs.
enum Measurement {
    static let warmUp = Duration.milliseconds(500)
    static let window = Duration.seconds(1)
    static let windows = 3
    static let batchesPerWarmUp = 500

    /// Runs `evaluate` for the warm-up and then the measured windows.
    /// - Returns: evaluations per second in the median window.
    static func rate(_ evaluate: () throws(TemplateError) -> Void) throws(TemplateError) -> Double {
        let clock = ContinuousClock()
        var count = 0
        let warmUpStart = clock.now
        while clock.now - warmUpStart < warmUp {
            try evaluate()
            count += 1
        }
        let batch = max(1, count / batchesPerWarmUp)
        var rates: [Double] = []
        for _ in 0..<windows {
            count = 0
            let start = clock.now
            var elapsed = Duration.zero
            while elapsed < window {
                for _ in 0..<batch { try evaluate() }
                count += batch
                elapsed = clock.now - start
            }
            rates.append(Double(count) / (elapsed / .seconds(1)))
        }
        return rates.sorted()[windows / 2]
    }
}
