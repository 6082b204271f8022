import Cluster

/// Where each connector's task on this node stands: per topic, the offset below which every event is in the sink,
/// and the task's flush sequence. Kept as metadata in the node's state database (`connector/<id>/...`), written in
/// one transaction per flush, after the sink confirmed it. Loop-bound; reads come from a copy loaded at start.
public final class ConnectorOffsets: @unchecked Sendable {
    private let store: StateStore
    private var values: [String: UInt64]

    private init(store: StateStore, values: [String: UInt64]) {
        self.store = store
        self.values = values
    }

    public static func load(from store: StateStore) async throws -> ConnectorOffsets {
        let metadata = try await store.load().metadata.filter { $0.key.hasPrefix(Connector.keyPrefix) }
        return ConnectorOffsets(store: store, values: metadata)
    }

    static func offsetKey(_ connector: UInt64, _ topic: TopicName) -> String {
        "\(Connector.key(of: connector))/offset/\(TopicDirectory.path(of: topic))"
    }

    static func sequenceKey(_ connector: UInt64) -> String { "\(Connector.key(of: connector))/sequence" }

    func offset(of connector: UInt64, in topic: TopicName) -> UInt64? { values[Self.offsetKey(connector, topic)] }

    func sequence(of connector: UInt64) -> UInt64 { values[Self.sequenceKey(connector)] ?? 0 }

    /// Records a confirmed flush: the topics' next offsets and the next sequence, durably, all or nothing.
    func commit(_ connector: UInt64, offsets: [TopicName: UInt64], nextSequence: UInt64) async throws {
        var changes = [Self.sequenceKey(connector): nextSequence]
        for (topic, offset) in offsets { changes[Self.offsetKey(connector, topic)] = offset }
        try await store.setMetadata(changes)
        values.merge(changes) { $1 }
    }
}
