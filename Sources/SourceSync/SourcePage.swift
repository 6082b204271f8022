import Pipeline
import Templates

/// Rows a driver read, in the form its source gives them.
public enum SourcePage: Sendable {
    /// JSON objects (a Redis hash each).
    case objects([[String: JSONValue]])
    /// A PostgreSQL result's rows as COPY input, which a PostgreSQL destination loads as they are.
    case copyRows(CopyRows)

    public var count: Int {
        switch self {
        case .objects(let rows): rows.count
        case .copyRows(let rows): rows.count
        }
    }

    /// The rows as JSON objects keyed by column name.
    public func objects() -> [[String: JSONValue]] {
        switch self {
        case .objects(let rows): rows
        case .copyRows(let rows): rows.objects()
        }
    }

    /// The kinds of the columns the source typed (flattened names), for the destinations that create them.
    var declaredKinds: [String: ColumnKind] {
        guard case .copyRows(let rows) = self else { return [:] }
        var kinds: [String: ColumnKind] = [:]
        for (name, kind) in zip(rows.columns, rows.kinds) {
            if let kind { kinds[Flattener.columnName(name)] = kind }
        }
        return kinds
    }
}
