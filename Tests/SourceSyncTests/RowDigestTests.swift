import Testing
import Templates
@testable import SourceSync

@Suite struct RowDigestTests {
    private func signature(_ pages: [[[String: JSONValue]]]) async throws -> String {
        var digest = RowDigest()
        for page in pages { digest.add(.objects(page)) }
        return try await digest.signature()
    }

    @Test func theSameRowsGiveTheSameSignatureWhateverTheKeyOrder() async throws {
        var reordered: [String: JSONValue] = [:]
        reordered["b"] = .string("x")
        reordered["a"] = .number(1)
        let first = try await signature([[["a": .number(1), "b": .string("x")]], [["c": .null]]])
        #expect(try await signature([[reordered], [["c": .null]]]) == first)
        #expect(first.hasPrefix("2:"))
    }

    @Test func anyChangedValueChangesTheSignature() async throws {
        let rows: [[String: JSONValue]] = [["a": .number(1), "b": .string("x"), "c": .array([.bool(true)])]]
        let base = try await signature([rows])
        let changed: [[[String: JSONValue]]] = [
            [["a": .number(1.5), "b": .string("x"), "c": .array([.bool(true)])]],
            [["a": .string("1"), "b": .string("x"), "c": .array([.bool(true)])]],
            [["a": .number(1), "b": .string("x"), "c": .array([.bool(false)])]],
            [["a": .number(1), "b": .string("x"), "c": .array([.bool(true)]), "d": .null]],
            [["a": .number(1), "bx": .string(""), "c": .array([.bool(true)])]],
        ]
        for rows in changed { #expect(try await signature([rows]) != base, "\(rows)") }
        // More rows: another signature.
        #expect(try await signature([rows, rows]) != base)
    }
}
