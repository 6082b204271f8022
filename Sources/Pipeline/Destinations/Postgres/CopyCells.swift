import Templates

/// Values as cells of COPY text (`CopyText`), back to back, each with its kind: a batch's rows are written into
/// cells once, in each row's order, then laid out into lines in the batch's column order
/// (`PostgresCopyPlan.Draft`).
struct CopyCells {
    /// The cells' bytes. `JSONCopyTranscoder` writes into it, then calls `close(kind:)`.
    var text: [UInt8] = []
    /// The byte offset just past each cell.
    private(set) var ends: [Int] = []
    /// Each cell's `ColumnKind.bit`; 0 for null, which a line writes as `\N`.
    private(set) var kinds: [UInt8] = []

    var count: Int { ends.count }

    func bytes(of cell: Int) -> Range<Int> {
        (cell == 0 ? 0 : ends[cell - 1])..<ends[cell]
    }

    /// Ends the cell whose bytes were written to `text` since the last one.
    mutating func close(kind: UInt8) {
        ends.append(text.count)
        kinds.append(kind)
    }

    /// Drops the cells from `cell` on.
    mutating func truncate(to cell: Int) {
        text.removeSubrange((cell == 0 ? 0 : ends[cell - 1])...)
        ends.removeSubrange(cell...)
        kinds.removeSubrange(cell...)
    }

    /// Appends `value` (never an object: `Flattener`'s columns) as one cell.
    mutating func append(_ value: JSONValue) {
        if case .null = value {
            close(kind: 0)
            return
        }
        Self.append(value, to: &text)
        close(kind: ColumnKind(of: value)?.bit ?? 0)
    }

    /// Appends non-null `value` as COPY text.
    static func append(_ value: JSONValue, to text: inout [UInt8]) {
        switch value {
        case .null: text.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
        case .bool(let flag): text.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): appendNumber(number, to: &text)
        case .string(var string): string.withUTF8 { CopyText.appendEscaped($0, to: &text) }
        case let nested:
            var string = EventJSON.text(nested)
            string.withUTF8 { CopyText.appendEscaped($0, to: &text) }
        }
    }

    static func appendNumber(_ number: Double, to text: inout [UInt8]) {
        if number.rounded() == number, abs(number) < 9_007_199_254_740_992 {
            text.append(contentsOf: String(Int64(number)).utf8)
        } else {
            // Swift's shortest round-trip form (`5.05`, `1e+21`), which PostgreSQL reads exactly; Go's formatter
            // was a third of the COPY cost.
            text.append(contentsOf: number.description.utf8)
        }
    }
}

/// The column each cell of a row goes to, in the row's order (names fitted as the server keeps them). Rows with
/// the same keys share one, so a batch maps cells to its columns once per layout.
final class CopyLayout: Sendable {
    let columns: [String]

    init(columns: [String]) {
        self.columns = columns
    }
}

extension ColumnKind {
    /// The kind as one bit of a set of kinds.
    var bit: UInt8 {
        switch self {
        case .text: 1
        case .integer: 2
        case .float: 4
        case .boolean: 8
        case .timestamp: 16
        }
    }

    /// The kind whose `bit` is `bit`.
    init?(bit: UInt8) {
        guard let kind = Self.allCases.first(where: { $0.bit == bit }) else { return nil }
        self = kind
    }
}
