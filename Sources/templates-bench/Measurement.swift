import Templates

/// The measurement both sides of the benchmark share (see `scripts/bench/templates/main.go`): a warm-up that also
/// sizes batches to about a millisecond, so reading the clock does not weigh on the fastest case, then a fixed wall
/// time of whole batches.
enum Measurement {
    static let warmUp = Duration.milliseconds(500)
    static let measured = Duration.seconds(2)
    static let batchesPerWarmUp = 500

    /// Runs `evaluate` for the warm-up and then the measured time.
    /// - Returns: evaluations per second over the measured time.
    static func rate(_ evaluate: () throws(TemplateError) -> Void) throws(TemplateError) -> Double {
        let clock = ContinuousClock()
        var count = 0
        var start = clock.now
        while clock.now - start < warmUp {
            try evaluate()
            count += 1
        }
        let batch = max(1, count / batchesPerWarmUp)
        count = 0
        start = clock.now
        var elapsed = Duration.zero
        while elapsed < measured {
            for _ in 0..<batch { try evaluate() }
            count += batch
            elapsed = clock.now - start
        }
        return Double(count) / (elapsed / .seconds(1))
    }
}
