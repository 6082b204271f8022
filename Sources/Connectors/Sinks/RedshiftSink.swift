import Loop
import NodeConfig
import Pipeline
import Templates

/// KAFKA_REDSHIFT: rows in Redshift (or PostgreSQL) over the PostgreSQL wire protocol, through the pipeline's
/// PostgreSQL destination, so tables and columns are created and widened as events bring new fields, and rows go in
/// by COPY. One table per topic (its name, lower case, as a column name is made), or every topic in the one table
/// `config.table` names. A row the server refuses (a value of the wrong type for its column) fails the flush with
/// the server's reason: the task retries it and the status shows it, as a Kafka Connect sink without error
/// tolerance does; no event is skipped.
final class RedshiftSink: ConnectorSink, @unchecked Sendable {
    private let destination: any Destination
    private let table: String?

    /// Connector config keys: `host`, `port` (5439), `dbName`, `username`, `password`, `schema` (public),
    /// `table` (one table for every topic), `sslmode` (prefer).
    init(connector: Connector, context: DestinationContext) throws(SinkFailure) {
        let config = connector.config
        let datasource: [String: ConfigValue] = [
            "host": .string(config["host"] ?? ""), "port": .int(Int(config["port"] ?? "") ?? 5439),
            "db": .string(config["dbName"] ?? ""), "schema": .string(config["schema"] ?? "public"),
            "username": .string(config["username"] ?? ""), "password": .string(config["password"] ?? ""),
            "parameters": .map(["sslmode": .string(config["sslmode"] ?? "prefer")]),
        ]
        do {
            let settings = try DestinationConfig(id: "connector-\(connector.id)",
                                                 value: .map(["type": .string("redshift"), "datasource": .map(datasource)]),
                                                 path: "connector \(connector.connectorName) config")
            destination = DestinationSettings.make(settings, context: context)
        } catch {
            throw SinkFailure("\(error)")
        }
        table = config["table"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func write(_ batch: SinkBatch) async throws(SinkFailure) {
        let table = table
        let tables: [String: [Row]]
        do {
            // Parsing and flattening thousands of events is CPU work: off the loop.
            tables = try await BackgroundWork.shared.run { Self.rows(of: batch.events, table: table) }
        } catch {
            throw SinkFailure("\(error)")
        }
        for (name, rows) in tables.sorted(by: { $0.key < $1.key }) {
            switch await destination.store(TableBatch(table: name, rows: rows)) {
            case .unreachable(let reason):
                throw SinkFailure(reason)
            case .stored(let rejected):
                if let (index, reason) = rejected.min(by: { $0.key < $1.key }) {
                    throw SinkFailure("table \(name) refused \(rejected.count) of \(rows.count) rows; event \(rows[index].eventID): \(reason)")
                }
            }
        }
    }

    /// Rows by table. Events are JSON objects (the router only copies objects).
    private static func rows(of events: [TopicEvent], table: String?) -> [String: [Row]] {
        var tables: [String: [Row]] = [:]
        var shapes = ColumnShapes()
        for event in events {
            guard case .object(let object)? = try? JSONValue(parsingBytes: event.json) else { continue }
            let id: String = if case .string(let id)? = object["eventn_ctx_event_id"] { id } else { "\(event.topic)@\(event.offset)" }
            tables[table ?? Flattener.columnName(event.topic.topic), default: []]
                .append(Row(eventID: id, event: object, columns: Flattener.flatten(object, shapes: &shapes)))
        }
        return tables
    }

    func close() async {
        await destination.close()
    }
}
