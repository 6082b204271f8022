/// Some lines of a COPY plan, as runs of consecutive lines, so each run goes to the server as one slice of the
/// plan's buffer. The row-by-row retry after a failed COPY narrows a set down by removing a line or halving it.
struct CopyLineSet: Equatable {
    /// Non-empty, ascending, non-adjacent runs.
    private(set) var runs: [Range<Int>]

    /// Lines `0..<count`.
    init(count: Int) { runs = count > 0 ? [0..<count] : [] }

    private init(runs: [Range<Int>]) { self.runs = runs.filter { !$0.isEmpty } }

    var count: Int { runs.reduce(0) { $0 + $1.count } }

    var isEmpty: Bool { runs.isEmpty }

    /// The line at `offset` (0-based) in the order the lines are sent, which is how COPY numbers them.
    func line(at offset: Int) -> Int {
        var rest = offset
        for run in runs {
            if rest < run.count { return run.lowerBound + rest }
            rest -= run.count
        }
        preconditionFailure("offset \(offset) is past the \(count) lines of \(runs)")
    }

    /// The set without `line`.
    func removing(_ line: Int) -> CopyLineSet {
        CopyLineSet(runs: runs.flatMap { run in
            run.contains(line) ? [run.lowerBound..<line, (line + 1)..<run.upperBound] : [run]
        })
    }

    /// The first half of the lines and the rest; each is non-empty when the set has two lines or more.
    func halves() -> (CopyLineSet, CopyLineSet) {
        let middle = line(at: count / 2)
        return (CopyLineSet(runs: runs.map { $0.clamped(to: Int.min..<middle) }),
                CopyLineSet(runs: runs.map { $0.clamped(to: middle..<Int.max) }))
    }
}
