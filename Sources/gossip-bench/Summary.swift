import Foundation
import Gossip

/// One scenario's trials reduced to a row of the table, beside memberlist's bound, with a verdict per target.
struct Summary {
    /// The target for one update to reach every member (1000 members at a 200 ms gossip interval).
    static let spreadTarget: Duration = .seconds(3)
    /// Steady-state frames per member per second without loss: one ping and one ack per probe interval, as in
    /// memberlist. Loss adds indirect probes on purpose, so the target applies at 0% loss only.
    static let loadTarget = 1.8...2.2

    /// The table's columns: two header lines each, and the width the header and every row pad them to.
    private static let columns: [(top: String, bottom: String, width: Int)] = [
        ("N", "", 5), ("loss", "", 5), ("detect s", "median", 8), ("", "max", 6), ("memberlist", "bound s", 10),
        ("ratio to", "median", 8), ("bound", "max", 5), ("rounds", "med/max", 7), ("spread s", "max", 8),
        ("msgs", "/member/s", 9), ("bytes", "/member/s", 9), ("push-pull", "B/member/s", 10), ("false", "deaths", 6),
        ("|", "|", 1), ("detect", "", 6), ("spread", "", 6), ("load", "", 4), ("false", "", 6),
    ]

    /// The two header lines, aligned with `row`.
    static var header: [String] {
        [columns.map(\.top), columns.map(\.bottom)].map { titles in
            let line = zip(titles, columns).map { pad($0, $1.width) }.joined(separator: " ")
            // The verdict columns have no second title; their padding would only leave trailing blanks.
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
    }

    var scenario: Scenario
    var bound: MemberlistBound
    var trials: [Trial]
    var gossipInterval: Duration

    /// Detection times of the trials that detected the crash everywhere.
    private var detections: [Duration] { trials.compactMap(\.detection).sorted() }
    /// Spread times of the trials whose update reached everyone.
    private var spreads: [Duration] { trials.compactMap(\.spread).sorted() }
    private var messages: Double { trials.map(\.messagesPerMemberPerSecond).reduce(0, +) / Double(trials.count) }
    private var bytes: Double { trials.map(\.bytesPerMemberPerSecond).reduce(0, +) / Double(trials.count) }
    private var pushPullBytes: Double {
        trials.map(\.pushPullBytesPerMemberPerSecond).reduce(0, +) / Double(trials.count)
    }
    private var falseDeaths: Int { trials.map(\.falseDeaths).reduce(0, +) }

    /// Every trial detected the crash everywhere, and the median is within memberlist's bound. The bound is an
    /// expected time (its first-suspicion term is SWIM's mean wait), so it is compared with the median; the max and
    /// its ratio are shown beside it.
    var detectionPasses: Bool {
        detections.count == trials.count && median(detections).map { $0 <= bound.total } == true
    }
    /// Every trial's update reached everyone within the target.
    var spreadPasses: Bool { spreads.count == trials.count && spreads.last.map { $0 <= Self.spreadTarget } == true }
    /// The steady-state load is one ping and one ack per member per second; nil where the target does not apply.
    var loadPasses: Bool? { scenario.loss == 0 ? Self.loadTarget.contains(messages) : nil }
    /// No running member was ever declared dead.
    var falseDeathsPass: Bool { falseDeaths == 0 }

    /// Whether any target failed.
    var failed: Bool { !detectionPasses || !spreadPasses || loadPasses == false || !falseDeathsPass }

    /// The row under `header`; a median or max over trials that missed is shown as "miss".
    var row: String {
        let ratios = [median(detections), worst(detections)].map { detection in
            detection.map { String(format: "%.2f", $0 / bound.total) } ?? "-"
        }
        let rounds = "\(median(spreads).map(roundsText) ?? "miss")/\(worst(spreads).map(roundsText) ?? "miss")"
        let cells = [
            "\(scenario.members)", String(format: "%.0f%%", scenario.loss * 100), seconds(median(detections)),
            seconds(worst(detections)), seconds(bound.total), ratios[0], ratios[1], rounds, seconds(worst(spreads)),
            String(format: "%.2f", messages), String(format: "%.0f", bytes), String(format: "%.0f", pushPullBytes),
            "\(falseDeaths)", "|", verdict(detectionPasses), verdict(spreadPasses), loadPasses.map(verdict) ?? "-",
            verdict(falseDeathsPass),
        ]
        return zip(cells, Self.columns).map { Self.pad($0, $1.width) }.joined(separator: " ")
    }

    /// The max over trials, or nil when a trial missed (its time is unknown, only that it was too long).
    private func worst(_ values: [Duration]) -> Duration? {
        values.count == trials.count ? values.last : nil
    }

    private func median(_ sorted: [Duration]) -> Duration? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func roundsText(_ spread: Duration) -> String {
        "\(Int((spread / gossipInterval).rounded(.up)))"
    }

    private func seconds(_ duration: Duration?) -> String {
        duration.map { String(format: "%.2f", $0 / .seconds(1)) } ?? "miss"
    }

    private func verdict(_ passes: Bool) -> String { passes ? "PASS" : "FAIL" }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
