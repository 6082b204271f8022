import NodeConfig
import Testing
import Templates
@testable import Pipeline

@Suite struct PostgresCopyPlanTests {
    @Test func copyTextEscapesSpecialBytesAndWritesNullsBooleansAndNumbers() {
        let rows = batch("t", [
            ["s": .string("a\\b\tc\nd\re"), "b": .bool(true), "i": .number(-42), "f": .number(0.5), "j": .array([.number(1)])],
            ["s": .null, "b": .bool(false)],
        ]).rows
        let kinds = PostgresCopyPlan.columnKinds(of: rows)
        #expect(kinds == ["s": .text, "b": .boolean, "i": .integer, "f": .float, "j": .text])
        let plan = PostgresCopyPlan(rows: rows, kinds: kinds, table: [:])
        #expect(plan.columns == ["b", "f", "i", "j", "s"])
        #expect(String(decoding: plan.text, as: UTF8.self) == "true\t0.5\t-42\t[1]\ta\\\\b\\tc\\nd\\re\nfalse\t\\N\t\\N\t\\N\t\\N\n")
        #expect(plan.bytes(of: 1..<2) == plan.lineEnds[0]..<plan.text.count)
        #expect(plan.rejected.isEmpty)
    }

    @Test func aValueItsColumnDoesNotTakeIsRejectedBeforeSending() {
        let rows = batch("t", [
            ["n": .number(1), "at": .string("2026-11-23T10:00:00Z")],
            ["n": .number(1.5)],
            ["n": .number(2), "at": .string("yesterday")],
            ["n": .number(3), "note": .number(4), "blob": .string("anything")],
        ]).rows
        let table = ["n": PostgresColumn(type: "bigint"), "at": PostgresColumn(type: "timestamp with time zone"),
                     "note": PostgresColumn(type: "text"), "blob": PostgresColumn(type: "jsonb")]
        let plan = PostgresCopyPlan(rows: rows, kinds: PostgresCopyPlan.columnKinds(of: rows), table: table)
        #expect(plan.rejected == [1: "value 1.5 does not fit column n of type bigint",
                                  2: #"value "yesterday" does not fit column at of type timestamp with time zone"#])
        #expect(plan.rowOfLine == [0, 3])
    }

    @Test func rowsOfSeveralShapesGetTheirKindsAndCellsFromEveryShape() {
        // The first row of each shape holds a null, so kinds must still come from later rows of that shape; two
        // names longer than PostgreSQL's 63 bytes meet in one column, where the first value of a row wins.
        let long = String(repeating: "x", count: 63)
        let rows = batch("t", [
            ["a": .number(1), "b": .null],
            ["c": .string("x"), long + "1": .string("first"), long + "2": .string("second")],
            ["a": .number(2), "b": .bool(true)],
            ["c": .null],
            ["a": .null, "b": .bool(false)],
        ]).rows
        #expect(rows[0].columns.shape === rows[2].columns.shape)
        let kinds = PostgresCopyPlan.columnKinds(of: rows)
        #expect(kinds == ["a": .integer, "b": .boolean, "c": .text, long: .text])
        let plan = PostgresCopyPlan(rows: rows, kinds: kinds, table: [:])
        #expect(plan.columns == ["a", "b", "c", long])
        #expect(String(decoding: plan.text, as: UTF8.self) == """
            1\t\\N\t\\N\t\\N
            \\N\t\\N\tx\tfirst
            2\ttrue\t\\N\t\\N
            \\N\t\\N\t\\N\t\\N
            \\N\tfalse\t\\N\t\\N

            """)
    }

    @Test func lineSetsRemoveOneLineAndSplitInHalves() {
        let set = CopyLineSet(count: 6).removing(2)
        #expect(set.runs == [0..<2, 3..<6])
        #expect(set.count == 5)
        #expect(set.line(at: 2) == 3)
        let (first, second) = set.halves()
        #expect(first.runs == [0..<2])
        #expect(second.runs == [3..<6])
        #expect(CopyLineSet(count: 1).removing(0).isEmpty)
    }

    @Test func connectFailuresAreSortedByTheServersCode() {
        #expect(PostgresError.connectFailure("""
            connection to server at "127.0.0.1", port 5432 failed: FATAL:  28P01: password authentication failed for user "x"
            LOCATION:  auth_failed, auth.c:335

            """) == .loginRefused(#"connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "x""#))
        #expect(PostgresError.connectFailure(#"connection to server at "h", port 1 failed: FATAL:  57P03: the database system is starting up"#)
            == .unreachable(#"connection to server at "h", port 1 failed: FATAL:  the database system is starting up"#))
        #expect(PostgresError.connectFailure("connection to server at \"h\", port 1 failed: Connection refused\n\tIs the server running?\n")
            == .unreachable(#"connection to server at "h", port 1 failed: Connection refused Is the server running?"#))
        #expect(ServerError.copyLine(inContext: #"COPY events, line 12, column n: "abc""#) == 12)
        #expect(ServerError.copyLine(inContext: "SQL statement \"...\"") == nil)
    }

    @Test func settingsFollowJitsuAndRejectUnknownParameters() throws {
        func read(_ datasource: [String: ConfigValue]) throws(ConfigError) -> PostgresDestination.Settings {
            let entry: ConfigValue = .map(["type": .string("redshift"), "datasource": .map(datasource)])
            guard case .postgres(let settings) = try DestinationConfig(id: "pg", value: entry, path: "destinations.pg").settings else {
                preconditionFailure("not a postgres config")
            }
            return settings
        }
        let minimal: [String: ConfigValue] = ["host": .string("db"), "db": .string("analytics"), "username": .string("u")]
        let settings = try read(minimal.merging(["parameters": .map(["connect_timeout": .int(3), "application_name": .string("a")])]) { $1 })
        #expect(settings.port == 5432)
        #expect(settings.schema == "public")
        #expect(settings.parameters == ["sslmode": "disable", "connect_timeout": "3", "application_name": "a"])
        #expect(settings.connectTimeout == .seconds(3))
        #expect(throws: ConfigError.unknownKey(path: "destinations.pg.datasource.parameters.sslmod", suggestion: nil)) {
            try read(minimal.merging(["parameters": .map(["sslmod": .string("require")])]) { $1 })
        }
        #expect(throws: ConfigError.invalidValue(path: "destinations.pg.datasource.db", reason: "is required")) {
            try read(["host": .string("db"), "username": .string("u")])
        }
    }
}
