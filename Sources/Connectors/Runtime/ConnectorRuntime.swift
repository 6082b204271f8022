import Cluster
import Foundation
import Logging
import Pipeline
import Replication
import Templates

/// Runs this node's task of every active connector: watches the replicated `connector/<id>` records and starts,
/// restarts (after an edit) or stops tasks to match, one change at a time per connector. Every node runs one, so
/// each node's topic logs (its partitions) are drained by its own tasks. Loop-bound.
public final class ConnectorRuntime: @unchecked Sendable {
    private let node: String
    private let state: ReplicatedState
    private let store: TopicStore
    private let offsets: ConnectorOffsets
    private let context: DestinationContext
    private let logger: Logger
    private var tasks: [UInt64: ConnectorTask] = [:]
    /// Sinks that could not be built, by connector: reported as failed tasks.
    private var failures: [UInt64: TaskStatus] = [:]
    /// The last change being applied per connector; the next waits for it.
    private var changes: [UInt64: Task<Void, Never>] = [:]
    private var watchToken: UInt64?
    private var isClosed = false

    public init(node: String, state: ReplicatedState, store: TopicStore, offsets: ConnectorOffsets, context: DestinationContext, logger: Logger) {
        self.node = node
        self.state = state
        self.store = store
        self.offsets = offsets
        self.context = context
        self.logger = logger
    }

    public func start() {
        state.loop.assertInLoop()
        watchToken = state.watch(prefix: Connector.keyPrefix) { [weak self] record in self?.changed(record) }
        for record in state.list(prefix: Connector.keyPrefix) { changed(record) }
    }

    private func changed(_ record: Record) {
        guard !isClosed, let id = UInt64(record.key.dropFirst(Connector.keyPrefix.count)) else { return }
        let connector = record.isTombstone ? nil : try? JSONDecoder().decode(Connector.self, from: Data(record.value))
        let previous = changes[id]
        changes[id] = Task(executorPreference: state.loop) { [self] in
            await previous?.value
            await apply(connector, id: id)
        }
    }

    private func apply(_ connector: Connector?, id: UInt64) async {
        let wanted = connector.flatMap { $0.active && $0.storageType.isImplemented && !isClosed ? $0 : nil }
        if let running = tasks[id] {
            guard running.connector != wanted else { return }
            tasks[id] = nil
            await running.stop()
            logger.info("connector \(running.connector.connectorName): task stopped")
        }
        failures[id] = nil
        guard let wanted else { return }
        do {
            let sink = try ConnectorSinks.make(wanted, context: context)
            let task = try ConnectorTask(connector: wanted, node: node, store: store, offsets: offsets, sink: sink, logger: logger)
            tasks[id] = task
            task.start()
            logger.info("connector \(wanted.connectorName): task started on \(task.topics.count) topics")
        } catch {
            let reason = (error as? SinkFailure)?.description ?? "\(error)"
            logger.error("connector \(wanted.connectorName): cannot start its task: \(reason)")
            failures[id] = TaskStatus(node: node, state: .failed, error: reason, since: RFC3339.now())
        }
    }

    /// This node's task of connector `id`: nil when it runs none (inactive, deleted or unknown here).
    public func status(of id: UInt64) -> TaskStatus? {
        tasks[id]?.currentStatus ?? failures[id]
    }

    /// The connectors whose task on this node is failing (or could not start).
    public func failingConnectors() -> Set<UInt64> {
        Set(failures.keys).union(tasks.filter { $0.value.status.state == .failed }.keys)
    }

    /// Stops every task (buffers not yet written are re-read at the next start).
    public func close() async {
        isClosed = true
        if let watchToken { state.unwatch(watchToken) }
        for change in changes.values { await change.value }
        for task in tasks.values { await task.stop() }
        tasks.removeAll()
    }
}
