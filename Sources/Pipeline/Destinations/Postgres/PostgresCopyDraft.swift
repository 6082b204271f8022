import Templates

extension PostgresCopyPlan {
    /// A batch's COPY planned before its table is known, on a background thread while the batch before is stored
    /// (`Destination.encoder`). It holds as it is when the table's columns take every kind of value planned into
    /// them: one check per column rather than one per value.
    ///
    /// Each row is written into cells once: from its event's JSON text when it keeps it (`JSONCopyTranscoder`),
    /// else, or when the transcoder declines, from its columns. The cells are then laid out in the batch's
    /// columns, as `PostgresCopyPlan(rows:kinds:table:)` lays out values.
    struct Draft: Sendable {
        let kinds: [String: ColumnKind]
        let plan: PostgresCopyPlan

        init(rows: [Row]) {
            var cells = CopyCells()
            var placed: [(row: Int, layout: CopyLayout, first: Int)] = []
            placed.reserveCapacity(rows.count)
            var transcoder = JSONCopyTranscoder()
            var shapes = ColumnShapes()
            // The shape is kept with its layout so its identifier stays its own.
            var layoutOfShape: [ObjectIdentifier: (shape: ColumnShape, layout: CopyLayout)] = [:]
            for (index, row) in rows.enumerated() {
                let first = cells.count
                if let text = row.eventText, let layout = text.withUnsafeBufferPointer({ transcoder.append($0, to: &cells) }) {
                    placed.append((index, layout, first))
                    continue
                }
                let columns = row.withColumns(shapes: &shapes).columns
                for value in columns.values { cells.append(value) }
                let shape = columns.shape
                let layout = layoutOfShape[ObjectIdentifier(shape)]?.layout ?? CopyLayout(columns: shape.names.map(PostgresIdentifier.fitted))
                layoutOfShape[ObjectIdentifier(shape)] = (shape, layout)
                placed.append((index, layout, first))
            }
            let kinds = Self.kinds(of: placed, cells: cells)
            self.kinds = kinds
            plan = Self.plan(placed, cells: cells, columns: kinds.keys.sorted())
        }

        /// Each column's kind: that of the first non-null value seen in it, as `PostgresCopyPlan.columnKinds`.
        private static func kinds(of placed: [(row: Int, layout: CopyLayout, first: Int)], cells: CopyCells) -> [String: ColumnKind] {
            var kinds: [String: ColumnKind] = [:]
            // Layouts whose every column has its kind: their other rows add nothing.
            var settled = Set<ObjectIdentifier>()
            var lastSettled: CopyLayout?
            for (_, layout, first) in placed where layout !== lastSettled {
                if settled.contains(ObjectIdentifier(layout)) {
                    lastSettled = layout
                    continue
                }
                var complete = true
                for (offset, column) in layout.columns.enumerated() where kinds[column] == nil {
                    if let kind = ColumnKind(bit: cells.kinds[first + offset]) { kinds[column] = kind } else { complete = false }
                }
                if complete {
                    settled.insert(ObjectIdentifier(layout))
                    lastSettled = layout
                }
            }
            return kinds
        }

        /// The lines of `placed` in `columns`; where two cells of a row go to one column (long names cut to the
        /// same), the first wins.
        private static func plan(_ placed: [(row: Int, layout: CopyLayout, first: Int)], cells: CopyCells, columns: [String]) -> PostgresCopyPlan {
            var positions: [String: Int] = [:]
            for (position, name) in columns.enumerated() { positions[name] = position }
            var slotsOfLayout: [ObjectIdentifier: [Int]] = [:]
            var last: (layout: CopyLayout, slots: [Int])?
            var unchecked = [UInt8](repeating: 0, count: columns.count)
            var text: [UInt8] = []
            text.reserveCapacity(cells.text.count + placed.count * columns.count * 3)
            var lineEnds: [Int] = []
            lineEnds.reserveCapacity(placed.count)
            var line = [Int](repeating: -1, count: columns.count)
            cells.text.withUnsafeBufferPointer { cellText in
                for (_, layout, first) in placed {
                    let slots: [Int]
                    if let last, last.layout === layout {
                        slots = last.slots
                    } else {
                        slots = slotsOfLayout[ObjectIdentifier(layout)] ?? layout.columns.map { positions[$0] ?? -1 }
                        slotsOfLayout[ObjectIdentifier(layout)] = slots
                        last = (layout, slots)
                    }
                    for position in line.indices { line[position] = -1 }
                    for (offset, slot) in slots.enumerated() where slot >= 0 {
                        let kind = cells.kinds[first + offset]
                        guard kind != 0 else { continue }
                        unchecked[slot] |= kind
                        if line[slot] < 0 { line[slot] = first + offset }
                    }
                    for (position, cell) in line.enumerated() {
                        if position > 0 { text.append(UInt8(ascii: "\t")) }
                        if cell < 0 {
                            text.append(UInt8(ascii: "\\"))
                            text.append(UInt8(ascii: "N"))
                        } else {
                            text.append(contentsOf: UnsafeBufferPointer(rebasing: cellText[cells.bytes(of: cell)]))
                        }
                    }
                    text.append(UInt8(ascii: "\n"))
                    lineEnds.append(text.count)
                }
            }
            return PostgresCopyPlan(columns: columns, text: text, lineEnds: lineEnds, rowOfLine: placed.map(\.row), unchecked: unchecked, rejected: [:])
        }

        /// Whether `table` takes every value of the plan, so no row of it is refused before sending.
        func fits(_ table: [String: PostgresColumn]) -> Bool {
            zip(plan.columns, plan.unchecked).allSatisfy { name, kinds in
                guard let column = table[name]?.kind else { return true }
                return ColumnKind.allCases.allSatisfy { kinds & $0.bit == 0 || column.accepts($0) }
            }
        }
    }
}
