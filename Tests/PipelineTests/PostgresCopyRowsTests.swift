import Testing
import Templates
import TestSupport
@testable import Pipeline

/// `CopyRows` read from a real server and stored as they are by the `postgres` destination, or declined so the
/// caller stores them as flattened rows.
@Suite struct PostgresCopyRowsTests {
    static let note = "tab\there, line\nbreak, return\r, back\\slash, \\N and ünïcödé"

    /// One row of every kind, a second of NULLs, and a text that escapes.
    static let select = """
        SELECT * FROM (VALUES (1::int4, 1152921504606846977::int8, 2.50::numeric, 0.5::float8, true, '\(note.replacing("'", with: "''"))'::text,
            '2024-05-06 07:08:09+02'::timestamptz), (2, NULL, NULL, NULL, NULL, '\\N', NULL)) AS t("Id", big, amount, ratio, paid, note, at)
        """

    @Test func rowsReadAsCopyTextGiveTheirValuesBackAsJSON() async throws {
        let fixture = try await PostgresFixture()
        let rows = try await fixture.copyRows(Self.select)
        #expect(rows.columns == ["Id", "big", "amount", "ratio", "paid", "note", "at"])
        #expect(rows.kinds == [.integer, .integer, .float, .float, .boolean, .text, .text])
        let objects = rows.objects()
        #expect(objects.count == 2)
        #expect(objects.first?["note"] == .string(Self.note))
        #expect(objects.first?["amount"] == .number(2.5))
        #expect(objects.first?["paid"] == .bool(true))
        // A text `\N` is not NULL.
        #expect(objects.last == ["Id": .number(2), "big": .null, "amount": .null, "ratio": .null, "paid": .null, "note": .string("\\N"), "at": .null])
        #expect(rows.value(5, ofLine: 0) == Self.note)
        #expect(rows.value(1, ofLine: 1) == nil)
        // Slices put together again are the rows they came from.
        var joined = rows[0..<1]
        joined.append(rows[1..<2])
        #expect(joined == rows)
        #expect(rows[1..<1].count == 0)
        #expect(await fixture.finish() == 0)
    }

    @Test func rowsGoInAsTheyAreIntoColumnsTypedByTheirSource() async throws {
        let fixture = try await PostgresFixture()
        #expect(try await fixture.store(try await fixture.copyRows(Self.select), table: "copied") == .allStored)
        // Timestamps stay text, as their JSON would.
        #expect(try await fixture.columnTypes("copied") == [
            "id": "bigint", "big": "bigint", "amount": "double precision", "ratio": "double precision", "paid": "boolean",
            "note": "text", "at": "text",
        ])
        let stored = try await fixture.query(#"SELECT id, big, amount, ratio, paid, note FROM "\#(fixture.schema)".copied ORDER BY id"#)
        // The bigint above 2^53 is exact: nothing went through a double.
        #expect(stored == [["1", "1152921504606846977", "2.5", "0.5", "t", Self.note], ["2", nil, nil, nil, nil, "\\N"]])
        // A float column takes integers as they are.
        #expect(try await fixture.store(try await fixture.copyRows("SELECT 3 AS id, 7 AS amount"), table: "copied") == .allStored)
        #expect(try await fixture.query(#"SELECT amount FROM "\#(fixture.schema)".copied WHERE id = 3"#) == [["7"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func rowsThatCannotGoAsTheyAreAreDeclinedAndNothingIsStored() async throws {
        let fixture = try await PostgresFixture()
        let table = #""\#(fixture.schema)".events"#
        _ = try await fixture.query("CREATE SCHEMA \"\(fixture.schema)\"; CREATE TABLE \(table) (id bigint, label text, code varchar(2))")
        // json is flattened into columns; a number into a text column is written as its JSON would be; the
        // server refuses a value too long for its column.
        for select in [#"SELECT 1 AS id, '{"a": 1}'::jsonb AS doc"#, "SELECT 1 AS id, 5 AS label", "SELECT 1 AS id, 'abc' AS code"] {
            #expect(try await fixture.store(try await fixture.copyRows(select), table: "events") == nil, "\(select)")
        }
        #expect(try await fixture.query("SELECT count(*) FROM \(table)") == [["0"]])
        // Two source columns that flatten to one column name.
        #expect(try await fixture.store(try await fixture.copyRows(#"SELECT 1 AS id, 2 AS "ID""#), table: "events") == nil)
        #expect(await fixture.finish() == 0)
    }

    @Test func rowsWithAnUpsertKeyReplaceTheRowsTheyMatch() async throws {
        let fixture = try await PostgresFixture()
        let table = #""\#(fixture.schema)".orders"#
        #expect(try await fixture.store(try await fixture.copyRows("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, item)"),
                                        table: "orders", upsertKey: ["ID"]) == .allStored)
        #expect(try await fixture.store(try await fixture.copyRows("SELECT * FROM (VALUES (2, 'b2'), (3, 'c')) AS t(id, item)"),
                                        table: "orders", upsertKey: ["ID"]) == .allStored)
        #expect(try await fixture.query("SELECT id, item FROM \(table) ORDER BY id") == [["1", "a"], ["2", "b2"], ["3", "c"]])
        // A key twice in one page is left to the flattened path, which keeps the later row.
        #expect(try await fixture.store(try await fixture.copyRows("SELECT * FROM (VALUES (3, 'x'), (3, 'y')) AS t(id, item)"),
                                        table: "orders", upsertKey: ["ID"]) == nil)
        #expect(try await fixture.query("SELECT id, item FROM \(table) ORDER BY id") == [["1", "a"], ["2", "b2"], ["3", "c"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aStoppedServerIsUnreachable() async throws {
        let server = try await PostgresServer.start()
        let fixture = try await PostgresFixture(server: server)
        let rows = try await fixture.copyRows("SELECT 1 AS id")
        try await server.stop()
        guard case .unreachable? = try await fixture.store(rows, table: "events") else {
            Issue.record("expected unreachable")
            return
        }
        #expect(await fixture.finish() == 0)
    }

    @Test func declaredKindsTypeNewColumnsOfFlattenedRows() async throws {
        let fixture = try await PostgresFixture()
        var declared = batch("events", [["amount": .number(2), "at": .string("2026-11-23T10:00:00Z")], ["amount": .number(2.5)]])
        declared.declaredKinds = ["amount": .float, "at": .text, "never": .boolean]
        #expect(try await fixture.store(declared) == .allStored)
        #expect(try await fixture.columnTypes("events") == ["amount": "double precision", "at": "text", "never": "boolean"])
        #expect(await fixture.finish() == 0)
    }
}
