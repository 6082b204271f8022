import Foundation

/// The timer of one suspected member (Lifeguard IV-B, memberlist `suspicion.go`).
///
/// It starts at `maximum` and shrinks towards `minimum` as members other than the first accuser confirm the
/// suspicion, because independent confirmations make a false suspicion unlikely. With fewer members than the
/// expected confirmations, it starts at `minimum`.
struct Suspicion: Sendable {
    /// When the suspicion started.
    let start: Instant
    /// The shortest timeout in milliseconds, `Suspicion.minimumTimeout`.
    let minimum: Int64
    /// The longest timeout in milliseconds, `suspicion_max_mult * minimum`.
    let maximum: Int64
    /// How many confirmations bring the timeout down to `minimum`.
    let expectedConfirmations: Int
    /// Who accused or confirmed so far; the first accuser does not count as a confirmation.
    private(set) var accusers: Set<String>
    /// When the member is declared dead unless it refutes first.
    private(set) var deadline: Instant

    init(accuser: String, expectedConfirmations: Int, minimum: Int64, maximum: Int64, now: Instant) {
        start = now
        self.minimum = minimum
        self.maximum = maximum
        self.expectedConfirmations = expectedConfirmations
        accusers = [accuser]
        deadline = Instant(milliseconds: now.milliseconds + (expectedConfirmations < 1 ? minimum : maximum))
    }

    /// Counts an independent confirmation from `accuser` and shortens the deadline; returns false (and changes
    /// nothing) when `accuser` already counted or enough confirmations arrived. memberlist re-gossips only new
    /// confirmations, so the caller uses the result to decide.
    mutating func confirm(by accuser: String) -> Bool {
        let confirmations = accusers.count - 1
        guard confirmations < expectedConfirmations, accusers.insert(accuser).inserted else { return false }
        let timeout = Self.timeout(
            confirmations: confirmations + 1, expected: expectedConfirmations, minimum: minimum, maximum: maximum)
        deadline = Instant(milliseconds: start.milliseconds + timeout)
        return true
    }

    /// The minimum suspicion timeout in milliseconds: `multiplier * max(1, log10(N)) * probeInterval`
    /// (memberlist `suspicionTimeout`; N below 10 counts as 10).
    static func minimumTimeout(multiplier: Int, memberCount: Int, probeInterval: Int64) -> Int64 {
        let scale = max(1, log10(Double(max(1, memberCount))))
        return Int64((Double(multiplier) * scale * Double(probeInterval)).rounded(.down))
    }

    /// The timeout after `confirmations` of `expected` confirmations, measured from the suspicion's start:
    /// `max - log(n+1)/log(k+1) * (max - min)`, floored to whole milliseconds and never below `min`
    /// (memberlist `remainingSuspicionTime`).
    static func timeout(confirmations: Int, expected: Int, minimum: Int64, maximum: Int64) -> Int64 {
        guard expected > 0 else { return minimum }
        let fraction = log(Double(confirmations) + 1) / log(Double(expected) + 1)
        let raw = Double(maximum) - fraction * Double(maximum - minimum)
        return max(minimum, Int64(raw.rounded(.down)))
    }
}
