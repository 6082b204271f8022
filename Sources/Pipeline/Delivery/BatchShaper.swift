import Templates

/// Turns log records into what one destination stores: routed by API key, named by the table template, flattened,
/// grouped per table in log order. Pure CPU work (JSON parsing, templates, flattening), so the runner calls it on
/// the work queue, never on the loop.
struct BatchShaper: Sendable {
    let tableNameTemplate: String
    let templates: TemplateEvaluator
    /// Whether an event sent with the API key of this id (nil: no key) goes to the destination; nil: every event.
    let accepts: (@Sendable (String?) -> Bool)?
    /// Whether the destination reads `Row.columns`; when not, rows carry none.
    let flattens: Bool
    /// Whether the destination reads `Row.event` of every row: then rows carry the parsed tree.
    let readsEvent: Bool
    /// The destination's `encoder`, run on each batch once shaped (see `Destination.encoder` for who sets it).
    var encoder: BatchEncoder?
    /// Whether `encoder` reads rows' event text, not their columns (`Destination.encodesEventText`).
    var encodesEventText = false
    /// The table name when the template is a constant (`events`, the default): named once, not per event.
    let constantTable: String?

    init(tableNameTemplate: String, templates: TemplateEvaluator, accepts: (@Sendable (String?) -> Bool)?, flattens: Bool,
         readsEvent: Bool) {
        self.tableNameTemplate = tableNameTemplate
        self.templates = templates
        self.accepts = accepts
        self.flattens = flattens
        self.readsEvent = readsEvent
        if let evaluation = try? templates.evaluate(expression: tableNameTemplate, object: .object([:]), reformat: true),
           evaluation.format == .constant, case .text(let name) = evaluation.result {
            constantTable = name
        } else {
            constantTable = nil
        }
    }

    struct Shaped: Sendable {
        var batches: [TableBatch] = []
        /// Records that are not events, and events whose table name failed.
        var failures: [FallbackLine] = []
        /// Events whose table name is empty, `null` or `false`.
        var skipped = 0
        /// `_timestamp` of the first event, seconds since 1970, for the lag metric.
        var oldestTimestamp: Int64?
        fileprivate var indexOfTable: [String: Int] = [:]
        /// The shapes of the rows: one per distinct set of names in the batches.
        var shapes = ColumnShapes()

        /// Adds what `later`, shaped from the records after this one's, holds. Its batches stay batches of their
        /// own (they may carry their encoding), after this one's.
        mutating func append(_ later: Shaped) {
            batches += later.batches
            failures += later.failures
            skipped += later.skipped
            oldestTimestamp = oldestTimestamp ?? later.oldestTimestamp
            indexOfTable = [:]
        }
    }

    func shape(_ entries: [LogEntry]) -> Shaped {
        var shaped = Shaped()
        for entry in entries {
            if takesEventText, !flattens, accepts == nil, shaped.oldestTimestamp != nil, Self.isObject(entry.payload) {
                // Every event goes here and the lag is the first one's: nothing in the text is needed. The log holds
                // the intake's objects only, so their braces are checked rather than the whole text scanned, which
                // took a third of a `file` destination's background CPU.
                addText(entry.payload[...], to: &shaped)
                continue
            }
            // Text first: with it no event is parsed (files, and destinations that encode from it).
            if takesEventText, let object = scanned(entry.payload) {
                if shaped.oldestTimestamp == nil, let stamp = EventScanner.string(object.timestampString, in: entry.payload) {
                    shaped.oldestTimestamp = RFC3339.parse(stamp)?.seconds
                }
                if takes(EventScanner.string(object.apiKeyString, in: entry.payload)) {
                    addText(entry.payload[...], to: &shaped)
                }
                continue
            }
            if takesEventJSON, let flat = FlatEvent(entry.payload, shapes: &shaped.shapes) {
                if shaped.oldestTimestamp == nil, let stamp = flat.timestamp { shaped.oldestTimestamp = RFC3339.parse(stamp)?.seconds }
                if takes(flat.apiKey) { append(flat.row, table: constantTable!, to: &shaped) }
                continue
            }
            guard case .object(let event)? = try? JSONValue(parsingBytes: entry.payload) else {
                shaped.failures.append(.malformed(raw: String(decoding: entry.payload, as: UTF8.self),
                                                  error: "the incoming log record is not a JSON object"))
                continue
            }
            if shaped.oldestTimestamp == nil, let stamp = event["_timestamp"]?.stringValue {
                shaped.oldestTimestamp = RFC3339.parse(stamp)?.seconds
            }
            guard takes(event["api_key"]?.stringValue) else { continue }
            add(event, to: &shaped)
        }
        encode(&shaped)
        return shaped
    }

    private func takes(_ apiKey: String?) -> Bool {
        accepts?(apiKey) ?? true
    }

    /// Whether `json` begins and ends as an object does.
    private static func isObject(_ json: [UInt8]) -> Bool {
        json.first == UInt8(ascii: "{") && json.last == UInt8(ascii: "}")
    }

    /// Runs the destination's encoder on every batch: call it once the batches are complete.
    func encode(_ shaped: inout Shaped) {
        guard let encoder else { return }
        for index in shaped.batches.indices { shaped.batches[index].encoding = encoder(shaped.batches[index]) }
    }

    /// Names the event's table and adds its row to that table's batch (or to the failures or the skipped count).
    func add(_ event: [String: JSONValue], to shaped: inout Shaped) {
        let eventID = event["eventn_ctx_event_id"]?.stringValue ?? ""
        let table: String
        do {
            if let constantTable {
                table = constantTable
            } else {
                guard case .text(let name) = try templates.evaluate(expression: tableNameTemplate, object: .object(event), reformat: true).result else { return }
                table = name
            }
        } catch {
            shaped.failures.append(.event(event: event, error: "table name: \(error)", eventID: eventID))
            return
        }
        append(Row(eventID: eventID, event: event, columns: flattens ? Flattener.flatten(event, shapes: &shaped.shapes) : [:]), table: table, to: &shaped)
    }

    /// Whether `add(_: FlatEvent, to:)` may be used: the table name does not depend on the event, and the destination
    /// stores columns, which are then made while the JSON is parsed, without reading the event itself (which
    /// would parse it a second time).
    var takesEventJSON: Bool { constantTable != nil && flattens && !readsEvent }

    /// Whether rows may keep the log record's text as their event and nothing else: the table name does not
    /// depend on the event, and the destination stores the event's text (files) or its encoder writes rows from
    /// it. A scan then finds the few strings shaping reads, and no event is parsed.
    var takesEventText: Bool { constantTable != nil && !readsEvent && (!flattens || encodesEventText) }

    /// Adds the event whose object's JSON text is `json` as a row of its text (with `takesEventText`); the caller
    /// scanned it (`EventScanner`), and found nothing only the parser can tell (`needsParser`).
    func addText(_ json: ArraySlice<UInt8>, to shaped: inout Shaped) {
        append(Row(eventJSON: json), table: constantTable!, to: &shaped)
    }

    /// The top-level object `json` is, scanned; nil when it is not one (the parser then words why), or when its
    /// columns are read and only the parser can tell whether it reads them.
    private func scanned(_ json: [UInt8]) -> EventScanner.Object? {
        json.withUnsafeBufferPointer { bytes in
            var scanner = EventScanner(bytes)
            guard let object = try? scanner.scanObjectBody(), !(flattens && object.needsParser) else { return nil }
            return object
        }
    }

    /// Adds an event flattened from its JSON text with `shaped.shapes` (with `takesEventJSON` only).
    func add(_ flat: FlatEvent, to shaped: inout Shaped) {
        append(flat.row, table: constantTable!, to: &shaped)
    }

    private func append(_ row: Row, table: String, to shaped: inout Shaped) {
        if table.isEmpty || table == "null" || table == "false" {
            shaped.skipped += 1
            return
        }
        if let index = shaped.indexOfTable[table] {
            shaped.batches[index].rows.append(row)
        } else {
            shaped.indexOfTable[table] = shaped.batches.count
            shaped.batches.append(TableBatch(table: table, rows: [row]))
        }
    }
}
