import Templates

/// One event ready for a destination: the event as received (what a fallback line keeps) and its flattened columns.
public struct Row: Sendable, Equatable {
    /// Nil for a row that finds its id in its text when asked (`init(eventJSON:)`).
    private let id: String?
    private let source: Source
    /// Nil when the columns are flattened from the text only when read (`init(eventJSON:)`).
    private let flat: Columns?

    /// The event as parsed, or its JSON text when it was flattened straight from the text (`FlatEvent`): most
    /// rows are stored and never need the tree, so it is parsed only when asked for (a refused row's fallback line).
    private enum Source: Sendable {
        case tree([String: JSONValue])
        case text(ArraySlice<UInt8>)
    }

    public init(eventID: String, event: [String: JSONValue], columns: Columns) {
        id = eventID
        source = .tree(event)
        flat = columns
    }

    /// A row of `FlatEvent.columns`: `eventJSON` is the event's object as JSON text.
    init(eventID: String, eventJSON: ArraySlice<UInt8>, columns: Columns) {
        id = eventID
        source = .text(eventJSON)
        flat = columns
    }

    /// A row whose id and columns are read from `eventJSON` only if asked for: for destinations that store the
    /// text (files) or encode it themselves (`Destination.encodesEventText`), which need neither unless they refuse
    /// the row. The text is an object the parser reads (`EventScanner.Object` without `needsParser`).
    public init(eventJSON: ArraySlice<UInt8>) {
        id = nil
        source = .text(eventJSON)
        flat = nil
    }

    /// `eventn_ctx_event_id`, also written on the fallback line.
    public var eventID: String {
        if let id { return id }
        guard case .text(let text) = source else { return "" }
        return text.withUnsafeBufferPointer { bytes in
            var scanner = EventScanner(bytes)
            return (try? scanner.scanObjectBody()).flatMap { EventScanner.string($0.eventIDString, in: Array(text)) } ?? ""
        }
    }

    /// Column name to value (`Flattener`): never an object; arrays arrive as their JSON text.
    public var columns: Columns {
        if let flat { return flat }
        var shapes = ColumnShapes()
        return withColumns(shapes: &shapes).columns
    }

    /// This row with its columns flattened now, with `shapes`, if they were left until read.
    func withColumns(shapes: inout ColumnShapes) -> Row {
        guard flat == nil, case .text(let text) = source else { return self }
        return Row(eventID: eventID, eventJSON: text, columns: FlatEvent(Array(text), shapes: &shapes)?.row.columns ?? [:])
    }

    /// Whether the columns are flattened only when read.
    var flattensLater: Bool { flat == nil }

    /// The event's JSON text, when the row keeps it.
    var eventText: ArraySlice<UInt8>? {
        if case .text(let text) = source { return text }
        return nil
    }

    /// The enriched event, unflattened.
    public var event: [String: JSONValue] {
        switch source {
        case .tree(let event): return event
        case .text(let text):
            // The text was parsed once already, so it parses again.
            guard case .object(let event)? = try? JSONValue(parsingBytes: Array(text)) else { return [:] }
            return event
        }
    }

    /// Appends the event as JSON: the text the row was read from when it keeps it (as ingested, key order and
    /// all), else the tree encoded.
    public func appendEventJSON(to bytes: inout [UInt8]) {
        switch source {
        case .tree(let event): EventJSON.writeObject(event, into: &bytes)
        case .text(let text): bytes += text
        }
    }

    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.eventID == rhs.eventID && lhs.columns == rhs.columns && lhs.event == rhs.event
    }
}

/// Rows bound for one table (the destination's `table_name_template` result), in log order.
public struct TableBatch: Sendable, Equatable {
    public let table: String
    public var rows: [Row]
    /// Column names identifying a row (a synced collection's primary key): a destination that can update rows in
    /// place writes a row whose key it already holds over the old one (PostgreSQL), others append. Empty: append.
    public var upsertKey: [String]
    /// Whether the destination may answer before the rows are durable, so a bulk writer pays for durability once
    /// per many batches (PostgreSQL: an asynchronous commit); `Destination.makeDurable()` then makes them so.
    public var defersDurability = false
    /// What the destination's `encoder` made of these rows, when it ran; set after the rows are final.
    public var encoding: (any Sendable)?
    /// Column kinds the rows' source declared (a synced table's column types), by column name: a new column takes
    /// its declared kind, not the kind of the first value seen in it.
    public var declaredKinds: [String: ColumnKind] = [:]

    public init(table: String, rows: [Row], upsertKey: [String] = []) {
        self.table = table
        self.rows = rows
        self.upsertKey = upsertKey
    }

    /// The encoding is derived from the rows, so it does not take part.
    public static func == (lhs: TableBatch, rhs: TableBatch) -> Bool {
        lhs.table == rhs.table && lhs.rows == rhs.rows && lhs.upsertKey == rhs.upsertKey && lhs.declaredKinds == rhs.declaredKinds
            && lhs.defersDurability == rhs.defersDurability
    }
}

/// What a destination did with a batch.
public enum StoreOutcome: Sendable, Equatable {
    /// Every row is stored except the `rejected` ones (row index to the destination's error text), which the runner
    /// writes to the fallback file. A rejection is about the row (a value that does not fit its column), so one bad
    /// row never sends its neighbours to fallback.
    case stored(rejected: [Int: String])
    /// The destination could not be reached or the connection broke (refused, reset, timeout, EOF): nothing of the
    /// batch counts as stored and the runner retries it with backoff, keeping the events in the log.
    case unreachable(String)

    public static let allStored = StoreOutcome.stored(rejected: [:])
}

/// A place events are written to: PostgreSQL, ClickHouse, Redis, a webhook, S3, local files.
///
/// Loop-bound: the runner calls every method on the loop, one `store` at a time per destination. An
/// implementation creates tables and adds columns itself as rows need them, and never blocks the loop (sockets on
/// the loop, files through the work queue).
public protocol Destination: AnyObject, Sendable {
    /// The id from the configuration (`destinations.<id>`).
    var id: String { get }
    /// Writes the batch; see `StoreOutcome` for who retries what. Deliveries are at-least-once: after a crash the
    /// runner may store a batch again.
    func store(_ batch: TableBatch) async -> StoreOutcome
    /// `POST /api/v1/destinations/test`: connects for real and proves it may write (see each type), throwing the
    /// cause a user can act on. The caller bounds it with the 10 s deadline.
    func testConnection() async throws(DestinationFailure)
    /// Releases connections; the runner stops calling `store` first.
    func close() async
    /// Whether `store` reads `Row.columns`. Destinations that keep the event as it came (files, webhooks) say no,
    /// and the runner skips flattening for them: it was a fifth of their delivery cost.
    var storesColumns: Bool { get }
    /// Whether `store` reads `Row.event` for every row (a key or body template). Rows of the others may keep the
    /// event as its JSON text, parsed only for a refused row's fallback line.
    var readsEvent: Bool { get }
    /// Work on a batch that needs none of the destination's state, such as encoding its rows, or nil for none.
    /// Callers run it where they shape batches, on a background thread (replays: while the batch before is
    /// stored), and keep its result in `TableBatch.encoding`, so `store` starts sending at once; `store` ignores an
    /// encoding it cannot use. The delivery runner runs it only with `encodesEventText`: rows it must flatten
    /// first are better encoded in slices while the COPY sends (inside `store`).
    var encoder: BatchEncoder? { get }
    /// Whether `encoder` writes each row from its event's JSON text alone when the row keeps it, so rows for it
    /// need not be flattened first: replays then shape them without (`Row(eventJSON:)`).
    var encodesEventText: Bool { get }
    /// Whether `store` may answer a batch with `TableBatch.defersDurability` before it is durable, so callers
    /// gather many before a `makeDurable()`; when not, every stored batch is durable as answered.
    var canDeferDurability: Bool { get }
    /// Makes every batch stored with `TableBatch.defersDurability` durable, answering `.allStored`, or
    /// `.unreachable` when that cannot be confirmed (the connection they went through broke): some may be lost.
    func makeDurable() async -> StoreOutcome
}

/// A destination that loads `CopyRows` as they are (PostgreSQL), sparing a synced table's rows the trip through
/// JSON objects and flattening.
public protocol CopyRowsDestination: Destination {
    /// Stores every row of `rows` in `table` (`upsertKey` as in `TableBatch`) and answers `.allStored` or
    /// `.unreachable`; or stores none and answers nil when they cannot go as they are: a column whose values need
    /// flattening (json), a table column of another type, a value or statement the server refuses. The caller then
    /// stores them as a `TableBatch`, which sets each refused row aside.
    func store(_ rows: CopyRows, table: String, upsertKey: [String]) async -> StoreOutcome?
}

public typealias BatchEncoder = @Sendable (TableBatch) -> (any Sendable)?

extension Destination {
    public var storesColumns: Bool { true }
    public var readsEvent: Bool { false }
    public var encoder: BatchEncoder? { nil }
    public var encodesEventText: Bool { false }
    public var canDeferDurability: Bool { false }
    public func makeDurable() async -> StoreOutcome { .allStored }
}

/// Why a destination test failed, in words a user can act on ("password authentication failed for user ...").
public struct DestinationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let cause: String

    public init(_ cause: String) { self.cause = cause }

    public var description: String { cause }
}
