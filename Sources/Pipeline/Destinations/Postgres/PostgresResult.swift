import CLibPQ

/// The rows of a statement's result as text, with its columns' names and type OIDs (`pg_type.oid`), copied out of
/// libpq's `PGresult` before it is cleared.
package struct PostgresResult: Sendable, Equatable {
    /// Column names, in order (`PQfname`).
    package var names: [String] = []
    /// Column type OIDs, in order (`PQftype`): 23 for `int4`, 3802 for `jsonb`...
    package var types: [UInt32] = []
    /// One array per row, a value per column; nil is SQL NULL.
    package var rows: [[String?]] = []

    init() {}

    init(_ result: OpaquePointer) {
        let fields = 0..<PQnfields(result)
        names = fields.map { String(cString: PQfname(result, $0)) }
        types = fields.map { UInt32(PQftype(result, $0)) }
        rows = (0..<PQntuples(result)).map { row in
            fields.map { field in
                PQgetisnull(result, row, field) == 1 ? nil : String(cString: PQgetvalue(result, row, field))
            }
        }
    }
}
