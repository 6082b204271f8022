import Logging
import Loop
import Templates

/// The node's data plane: the incoming log every accepted event is written to, one delivery runner per configured
/// destination, their committed offsets and fallback files. Loop-bound.
public final class EventPipeline: @unchecked Sendable {
    public struct Settings: Sendable {
        public var nodeName: String
        public var dataDirectory: String
        public var destinations: [DestinationConfig]
        public var apiKeys: APIKeys
        public var fallbackRotation: Duration
        public var intake: EventIntake

        public init(nodeName: String, dataDirectory: String, destinations: [DestinationConfig], apiKeys: APIKeys,
                    fallbackRotation: Duration, intake: EventIntake) {
            self.nodeName = nodeName
            self.dataDirectory = dataDirectory
            self.destinations = destinations
            self.apiKeys = apiKeys
            self.fallbackRotation = fallbackRotation
            self.intake = intake
        }
    }

    public let settings: Settings
    public let log: EventLog
    public let offsets: OffsetStore
    /// Runners by destination id.
    public let runners: [String: DeliveryRunner]
    public let context: DestinationContext
    /// Trimmed incoming segments kept for new ones to write over (64 MB each): a batch delivery every few seconds at
    /// a busy node's rate trims three or four at once. While none is left, the log writes one ahead of need.
    static let spareSegments = 4
    /// `<data_dir>/fallback`.
    public var fallbackDirectory: String { "\(settings.dataDirectory)/fallback" }

    private init(settings: Settings, log: EventLog, offsets: OffsetStore, runners: [String: DeliveryRunner], context: DestinationContext) {
        self.settings = settings
        self.log = log
        self.offsets = offsets
        self.runners = runners
        self.context = context
    }

    /// Opens (recovering) the log and offsets and starts a runner per destination, which resumes at its committed
    /// offset: events acknowledged before a crash are delivered now.
    public static func start(settings: Settings, context: DestinationContext) async throws -> EventPipeline {
        let incoming = "\(settings.dataDirectory)/incoming"
        let log = try await EventLog.open(directory: incoming, loop: context.loop, spareSegments: Self.spareSegments,
                                         preparesSpares: true)
        if log.recoveredTruncatedBytes > 0 {
            context.logger.warning("incoming log: cut \(log.recoveredTruncatedBytes) bytes after its last record (a write torn by a crash, never acknowledged, or a recycled file's old records)")
        }
        let offsets = try await OffsetStore.open(path: "\(incoming)/offsets.json", loop: context.loop)
        var runners: [String: DeliveryRunner] = [:]
        let keys = Dictionary(settings.apiKeys.keys.map { ($0.id, $0) }) { first, _ in first }
        for config in settings.destinations {
            let fallback = try FallbackWriter(loop: context.loop, directory: "\(settings.dataDirectory)/fallback",
                                              nodeName: settings.nodeName, destinationID: config.id,
                                              rotation: settings.fallbackRotation)
            let id = config.id
            var accepts: (@Sendable (String?) -> Bool)?
            if keys.values.contains(where: { key in key.destinations.map { !$0.contains(id) } ?? false }) {
                accepts = { keyID in
                    // An event from a key that is no longer configured goes everywhere rather than nowhere.
                    guard let keyID, let key = keys[keyID], let destinations = key.destinations else { return true }
                    return destinations.contains(id)
                }
            }
            runners[id] = try DeliveryRunner(
                config: config, destination: DestinationSettings.make(config, context: context), log: log,
                offsets: offsets, fallback: fallback, templates: context.templates, logger: context.logger,
                accepts: accepts)
        }
        let pipeline = EventPipeline(settings: settings, log: log, offsets: offsets, runners: runners, context: context)
        offsets.onDurable = { [weak pipeline] durable in pipeline?.trim(durable) }
        for runner in runners.values { runner.start() }
        return pipeline
    }

    /// Appends the enriched events (their JSON bytes) that `encode` makes of a request to the log; returns once they
    /// are on disk, which is when the request may be answered. `encode` runs on an I/O thread, in the flush that
    /// writes its records (`EventLog.append(encodedBy:)`); what it throws (a bad body's 400) comes back here, and
    /// nothing of that request is kept.
    public func accept(encodedBy encode: @escaping @Sendable () throws -> [[UInt8]]) async throws {
        _ = try await log.append(encodedBy: encode)
    }

    /// Readers of the log besides the destinations' runners (the topic router), by their offset's name.
    private var readers: Set<String> = []

    /// Makes segments wait for `reader`'s committed offset too before they are trimmed. Call before it commits.
    public func addReader(_ reader: String) {
        readers.insert(reader)
    }

    /// Removes log segments every destination and reader has durably committed past.
    private func trim(_ durable: [String: UInt64]) {
        let floor = (Array(runners.keys) + readers).map { durable[$0] ?? 0 }.min() ?? log.endOffset
        Task.immediate(executorPreference: log.loop) { [log] in await log.trim(below: floor) }
    }

    /// Stops the runners (an unreachable destination's events stay in the log), then closes the log and writes the
    /// last offsets.
    public func close() async {
        for runner in runners.values { await runner.stop() }
        await log.close()
        await offsets.flush()
    }

    /// `POST /api/v1/destinations/test`: builds the destination from `config` and runs its connection test within
    /// `timeout`, then releases it.
    public static func test(_ config: DestinationConfig, context: DestinationContext, timeout: Duration = .seconds(10)) async throws(DestinationFailure) {
        let destination = DestinationSettings.make(config, context: context)
        let attempt = Task(executorPreference: context.loop) { () async throws in try await destination.testConnection() }
        let outcome = await LoopDeadline.run(on: context.loop, milliseconds: timeout.milliseconds) { try await attempt.value }
        // A timed-out attempt still runs to its own timeouts; the destination is released only after it.
        Task(executorPreference: context.loop) {
            _ = try? await attempt.value
            await destination.close()
        }
        switch outcome {
        case .success: return
        case .failure(.timedOut): throw DestinationFailure("timed out after \(timeout.components.seconds) s")
        case .failure(.failed(let error as DestinationFailure)): throw error
        case .failure(.failed(let error)): throw DestinationFailure("\(error)")
        }
    }
}
