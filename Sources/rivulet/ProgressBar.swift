import Foundation

/// The replay progress line: `[#########...........]  45.0%  12,345 events/s  ETA 0:42`. On a terminal it redraws
/// in place; otherwise (logs, pipes) it prints a line at most every `quietInterval` seconds.
struct ProgressBar {
    let width = 30
    private let terminal = isatty(STDERR_FILENO) == 1
    private var lastPrinted = Date.distantPast
    static let quietInterval = 1.0

    /// The line for `percent` done at `rate` events per second, `remaining` seconds left (nil: unknown).
    static func line(percent: Double, rate: Double, remaining: Double?, width: Int = 30) -> String {
        let clamped = min(100, max(0, percent))
        let filled = Int((clamped / 100 * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = remaining.map { Self.clock(Int($0.rounded(.up))) } ?? "--:--"
        return "[\(bar)] \(String(format: "%5.1f", clamped))%  \(Self.grouped(Int(rate.rounded()))) events/s  ETA \(eta)"
    }

    /// `1:02:03` or `2:03`.
    static func clock(_ seconds: Int) -> String {
        let (hours, minutes, secs) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(abs(number)))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (number < 0 ? "-" : "") + out
    }

    /// Shows the progress; `final` forces the line out and ends it.
    mutating func show(percent: Double, rate: Double, remaining: Double?, final: Bool = false) {
        let text = Self.line(percent: percent, rate: rate, remaining: remaining, width: width)
        if terminal {
            FileHandle.standardError.write(Data("\r\(text)\(final ? "\n" : "")".utf8))
        } else if final || Date().timeIntervalSince(lastPrinted) >= Self.quietInterval {
            lastPrinted = Date()
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}
