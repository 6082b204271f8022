import HTTP
import SourceSync

/// The sources as the routes see them: the configuration from the start (so mistakes are answered even while the
/// node starts), the scheduler once the cluster and pipeline are up. Loop-bound.
final class SourceServices: @unchecked Sendable {
    let configs: [String: SourceConfig]
    var scheduler: SourceScheduler?

    init(configs: [SourceConfig]) {
        self.configs = Dictionary(uniqueKeysWithValues: configs.map { ($0.id, $0) })
    }

    func requireScheduler() throws(HTTPError) -> SourceScheduler {
        guard let scheduler else { throw HTTPError(.serviceUnavailable, "The node is starting; sources are not scheduled yet") }
        return scheduler
    }

    /// The source named `id`, or Jitsu's 400.
    func source(_ id: String?) throws(HTTPError) -> SourceConfig {
        guard let id, !id.isEmpty else { throw HTTPError(.badRequest, "source is required") }
        guard let source = configs[id] else { throw HTTPError(.badRequest, "Source [\(id)] doesn't exist") }
        return source
    }

    /// The collections named (all when `name` is nil or empty), or a 400 naming the unknown one.
    func collections(_ name: String?, of source: SourceConfig) throws(HTTPError) -> [String] {
        guard let name, !name.isEmpty else { return source.collections.map(\.name) }
        guard source.collections.contains(where: { $0.name == name }) else {
            throw HTTPError(.badRequest, "Collection [\(name)] doesn't exist in source [\(source.id)]")
        }
        return [name]
    }
}
