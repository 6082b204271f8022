import Gossip
import GossipSimulation

/// One seeded run of a scenario on virtual time: a cluster started already joined warms up, its steady-state load
/// is measured, one member publishes new metadata, and then another member crashes.
struct Trial {
    /// How long members run before anything is measured, so every member's probe and gossip timers are under way.
    static let warmUp: Duration = .seconds(5)
    /// How long the steady-state load is counted; long enough for a few hundred probes per member at N=1000.
    static let loadWindow: Duration = .seconds(20)
    /// How long an update is given to reach every member; the target is 3 s, so a miss here is a clear failure.
    static let spreadLimit: Duration = .seconds(6)
    /// How long a crash is given to be detected: well above the bound at every N (16 s at N=1000), so a slow
    /// detection shows as a number, and only a crash some member still has not marked dead counts as a miss.
    static let detectionLimit: Duration = .seconds(40)

    /// Crash to the moment the last live member marked the crashed member dead; nil when some live member never
    /// did within `detectionLimit`.
    var detection: Duration?
    /// Update to the moment the last other member applied it; nil when some member never did within `spreadLimit`.
    var spread: Duration?
    /// Frames (datagrams and stream messages) sent per member per second during the load window.
    var messagesPerMemberPerSecond: Double
    /// Bytes of those frames per member per second.
    var bytesPerMemberPerSecond: Double
    /// State-exchange bytes per member per second: each member starts one exchange per scaled push-pull interval,
    /// and an exchange writes two states (request and reply) of the size one member's state has here. The first
    /// exchange at N=1000 comes after three minutes, far beyond the load window, so this part is computed.
    var pushPullBytesPerMemberPerSecond: Double
    /// Times a member declared another member dead that had not crashed, over the whole trial.
    var falseDeaths: Int

    /// Runs the trial with every member on `settings`; `seed` fixes the network, every member's choices, and which
    /// members update and crash.
    init(_ scenario: Scenario, settings: GossipSettings, seed: UInt64) {
        var random = GossipRandom(seed: seed)
        var simulation = Simulation(settings: settings, seed: seed)
        simulation.loss = scenario.loss
        simulation.startJoined(count: scenario.members)
        simulation.run(for: Self.warmUp)

        let framesBefore = simulation.framesSent
        let bytesBefore = simulation.bytesSent
        simulation.run(for: Self.loadWindow)
        let memberSeconds = Double(scenario.members) * (Self.loadWindow / .seconds(1))
        messagesPerMemberPerSecond = Double(simulation.framesSent - framesBefore) / memberSeconds
        bytesPerMemberPerSecond = Double(simulation.bytesSent - bytesBefore) / memberSeconds

        let names = simulation.running
        let origin = names[Int.random(in: 0..<names.count, using: &random)]
        let state = simulation.nodes[origin]!.machine.localState(join: false)
        let interval = settings.scaledPushPullInterval(memberCount: scenario.members)
        pushPullBytesPerMemberPerSecond = Double(2 * state.count) / (interval / .seconds(1))
        var victim = origin
        while victim == origin {
            victim = names[Int.random(in: 0..<names.count, using: &random)]
        }
        spread = Self.spread(of: origin, in: &simulation)
        detection = Self.detection(of: victim, in: &simulation)
        falseDeaths = simulation.deaths.filter { $0.member != victim }.count
    }

    /// Publishes new metadata at `origin` and returns when the last other running member applied it.
    private static func spread(of origin: String, in simulation: inout Simulation) -> Duration? {
        let metadata: [UInt8] = [1]
        let firstRecord = simulation.records.count
        let updatedAt = simulation.now
        simulation.updateMetadata(origin, to: metadata)
        simulation.run(for: spreadLimit)
        // Each member emits one change when it first applies the new metadata; later copies are old news to it.
        var appliedAt: [String: Instant] = [:]
        for record in simulation.records[firstRecord...] {
            if case .changed(let member, _) = record.event, member.name == origin, member.metadata == metadata {
                appliedAt[record.observer] = appliedAt[record.observer] ?? record.time
            }
        }
        guard appliedAt.count == simulation.running.count - 1, let last = appliedAt.values.max() else { return nil }
        return updatedAt.duration(to: last)
    }

    /// Crashes `victim` and returns when the last live member marked it dead.
    private static func detection(of victim: String, in simulation: inout Simulation) -> Duration? {
        let observers = simulation.running.count - 1
        let crashedAt = simulation.now
        simulation.crash(victim)
        simulation.run(until: crashedAt.advanced(by: detectionLimit)) { $0.goneTimes(of: victim).count == observers }
        let times = simulation.goneTimes(of: victim)
        guard times.count == observers, let last = times.values.max() else { return nil }
        return crashedAt.duration(to: last)
    }
}
