/// One configuration the benchmark measures: cluster size, datagram loss, and how many seeded trials.
struct Scenario {
    /// Members in the cluster, all started already joined.
    var members: Int
    /// Probability that a datagram is lost, 0...1; state exchanges are streams and never lost.
    var loss: Double
    /// Seeded trials, each with its own crash; median and max are taken over them.
    var trials: Int
}
