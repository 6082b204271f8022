import Templates

/// One batch as the input of one `COPY ... FROM STDIN`: the columns it fills, the rows that cannot go in (a value
/// whose kind its column does not take), and the text of the others, built in one pass into one buffer.
///
/// The text follows PostgreSQL's COPY text format as `CopyText` writes it.
struct PostgresCopyPlan: Sendable {
    /// The columns the COPY fills, in the order of each line's values.
    let columns: [String]
    /// Rows set aside before sending, by batch index, with the reason.
    private(set) var rejected: [Int: String] = [:]
    /// The COPY input of the rows that were not set aside.
    private(set) var text: [UInt8] = []
    /// The byte offset just past each line of `text`.
    private(set) var lineEnds: [Int] = []
    /// The batch index of the row on each line.
    private(set) var rowOfLine: [Int] = []
    /// For each column, the kinds of the values planned into it without their table column's check (`ColumnKind.bit`).
    private(set) var unchecked: [UInt8]

    /// The column each non-null value of `rows` goes to (its name as the server keeps it), with its kind in
    /// `declared` or else the kind of the first value seen there, which gives a new column its type. Every
    /// declared column is filled.
    static func columnKinds(of rows: [Row], declared: [String: ColumnKind] = [:]) -> [String: ColumnKind] {
        var kinds = declared
        // Shapes whose every column has its kind: their other rows add nothing.
        var settled = Set<ObjectIdentifier>()
        var lastSettled: ColumnShape?
        for row in rows {
            let shape = row.columns.shape
            if shape === lastSettled { continue }
            if settled.contains(ObjectIdentifier(shape)) {
                lastSettled = shape
                continue
            }
            var complete = true
            for (name, value) in row.columns {
                let column = PostgresIdentifier.fitted(name)
                guard kinds[column] == nil else { continue }
                if let kind = ColumnKind(of: value) { kinds[column] = kind } else { complete = false }
            }
            if complete {
                settled.insert(ObjectIdentifier(shape))
                lastSettled = shape
            }
        }
        return kinds
    }

    /// Where the value at each position of a shape goes: the cell and its table column; nil for a column the COPY
    /// does not fill.
    private typealias Slots = [(position: Int, column: PostgresColumn?)?]

    /// Plans `rows` into a table whose columns are `table`; `kinds` is `columnKinds(of: rows)`. A column the table
    /// lacks is still sent, so the server's error marks the cached columns as stale.
    init(rows: [Row], kinds: [String: ColumnKind], table: [String: PostgresColumn]) {
        columns = kinds.keys.sorted()
        unchecked = Array(repeating: 0, count: columns.count)
        var positions: [String: Int] = [:]
        for (position, name) in columns.enumerated() { positions[name] = position }
        func placed(_ shape: ColumnShape) -> Slots {
            shape.names.map { name in
                let column = PostgresIdentifier.fitted(name)
                return positions[column].map { ($0, table[column]) }
            }
        }
        var slotsOfShape: [ObjectIdentifier: Slots] = [:]
        var last: (shape: ColumnShape, slots: Slots)?
        var cells = [JSONValue?](repeating: nil, count: columns.count)
        text.reserveCapacity(rows.count * columns.count * 16)
        lineEnds.reserveCapacity(rows.count)
        rowOfLine.reserveCapacity(rows.count)
        rows: for (index, row) in rows.enumerated() {
            let shape = row.columns.shape
            let slots: Slots
            if let last, last.shape === shape {
                slots = last.slots
            } else {
                slots = slotsOfShape[ObjectIdentifier(shape)] ?? placed(shape)
                slotsOfShape[ObjectIdentifier(shape)] = slots
                last = (shape, slots)
            }
            for position in cells.indices { cells[position] = nil }
            for (value, slot) in zip(row.columns.values, slots) {
                guard let slot else { continue }
                if case .null = value { continue }
                if let column = slot.column {
                    if let problem = column.refusal(of: value, in: columns[slot.position]) {
                        rejected[index] = problem
                        continue rows
                    }
                } else if let kind = ColumnKind(of: value) {
                    unchecked[slot.position] |= kind.bit
                }
                // Two long names cut to the same column: the first value seen wins.
                if cells[slot.position] == nil { cells[slot.position] = value }
            }
            appendLine(cells)
            lineEnds.append(text.count)
            rowOfLine.append(index)
        }
    }

    /// A plan made elsewhere (`Draft`), of the parts described above.
    init(columns: [String], text: [UInt8], lineEnds: [Int], rowOfLine: [Int], unchecked: [UInt8], rejected: [Int: String]) {
        (self.columns, self.text, self.lineEnds, self.rowOfLine, self.unchecked, self.rejected) = (columns, text, lineEnds, rowOfLine, unchecked, rejected)
    }

    /// Adds the lines of `other`, a plan of the rows that follow this plan's (their batch indexes start at
    /// `rowOffset`), with the same columns: a batch planned in slices becomes one plan.
    mutating func append(_ other: PostgresCopyPlan, rowOffset: Int) {
        let base = text.count
        text += other.text
        lineEnds += other.lineEnds.map { $0 + base }
        rowOfLine += other.rowOfLine.map { $0 + rowOffset }
        for position in unchecked.indices { unchecked[position] |= other.unchecked[position] }
        for (row, reason) in other.rejected { rejected[row + rowOffset] = reason }
    }

    /// The bytes of lines `lines`.
    func bytes(of lines: Range<Int>) -> Range<Int> {
        (lines.lowerBound == 0 ? 0 : lineEnds[lines.lowerBound - 1])..<lineEnds[lines.upperBound - 1]
    }

    private mutating func appendLine(_ cells: [JSONValue?]) {
        for (position, cell) in cells.enumerated() {
            if position > 0 { text.append(UInt8(ascii: "\t")) }
            CopyCells.append(cell ?? .null, to: &text)
        }
        text.append(UInt8(ascii: "\n"))
    }
}
