import Testing
import Templates
@testable import Pipeline

@Suite struct ColumnsTests {
    @Test func rowsWithTheSameNamesShareOneShape() {
        var shapes = ColumnShapes()
        let first = shapes.columns(names: ["a", "b"], values: [.number(1), .null])
        let other = shapes.columns(names: ["c"], values: [.bool(true)])
        // Not the previous shape any more: found again by its names.
        let second = shapes.columns(names: ["a", "b"], values: [.number(2), .string("x")])
        #expect(first.shape === second.shape)
        #expect(first.shape !== other.shape)
        #expect(second["a"] == .number(2) && second["b"] == .string("x") && second["c"] == nil)
        #expect(Array(second.keys) == ["a", "b"])
    }

    @Test func aRepeatedNameKeepsItsLastValue() {
        var shapes = ColumnShapes()
        #expect(shapes.shape(of: ["a", "b", "a"]) == nil)
        let columns = shapes.columns(names: ["a", "b", "a"], values: [.number(1), .number(2), .number(3)])
        #expect(columns == ["a": .number(3), "b": .number(2)])
        #expect(columns.count == 2)
    }

    @Test func columnsCompareAsDictionariesDo() {
        var shapes = ColumnShapes()
        let ab = shapes.columns(names: ["a", "b"], values: [.number(1), .number(2)])
        let ba = shapes.columns(names: ["b", "a"], values: [.number(2), .number(1)])
        #expect(ab.shape !== ba.shape)
        #expect(ab == ba)
        #expect(ab != shapes.columns(names: ["a", "b"], values: [.number(1), .number(3)]))
        #expect(ab != ["a": .number(1)])
        #expect(ab.dictionary == ["a": .number(1), "b": .number(2)])
    }
}
