import Gossip

/// Many `Membership` values exchanging frames over an in-memory network on virtual time: datagrams are delayed,
/// may be lost, and never cross a partition; state exchanges are reliable streams. A frozen member's inputs queue
/// up and arrive, in order, when it wakes (a member whose loop was blocked). Everything is seeded, so a run is
/// reproducible.
///
/// The gossip tests assert cluster behaviour with it, and `gossip-bench` measures detection, spreading and load
/// with it, so both see the same network. It drives each machine only through `Membership`'s public inputs, as
/// a shell would.
public struct Simulation {
    /// One simulated process.
    public struct Node {
        /// The member's machine, fed by the simulation.
        public var machine: Membership
        /// Which `.scheduleTick` is current; an older tick event is dropped, as the shell replaces its one timer.
        var tickGeneration = 0
        /// When a frozen member's loop runs again.
        public var frozenUntil: Instant?
        /// Whether the member was killed; a crashed member never handles input again.
        public var isCrashed = false
    }

    /// An event observed by one member.
    public struct Record {
        /// When the member emitted it.
        public var time: Instant
        /// The member that emitted it.
        public var observer: String
        /// What it emitted.
        public var event: MembershipEvent
    }

    private enum Action {
        case deliver(frame: [UInt8], from: Address, to: Address, over: Transport)
        case tick(name: String, generation: Int)
        case exchange(request: [UInt8], from: Address, to: Address)
        case exchangeReply(reply: [UInt8], from: Address, to: Address)
    }

    private struct Event: Comparable {
        var time: Instant
        var order: UInt64
        var action: Action

        static func < (lhs: Event, rhs: Event) -> Bool {
            (lhs.time, lhs.order) < (rhs.time, rhs.order)
        }

        static func == (lhs: Event, rhs: Event) -> Bool {
            lhs.time == rhs.time && lhs.order == rhs.order
        }
    }

    /// The settings every member starts with.
    public var settings: GossipSettings
    /// Probability that a datagram is lost.
    public var loss = 0.0
    /// One-way delay of every frame, plus up to `jitter` more, in milliseconds.
    public var delay: Int64 = 2
    /// The most extra one-way delay, in milliseconds, drawn uniformly per frame.
    public var jitter: Int64 = 3
    /// Members in different groups cannot reach each other; members not listed are in group 0.
    public var partition: [String: Int] = [:]

    /// Every member ever started, by name, crashed ones included.
    public private(set) var nodes: [String: Node] = [:]
    /// The virtual time of the event processed last.
    public private(set) var now = Instant(milliseconds: 0)
    /// Every event every member emitted, in time order.
    public private(set) var records: [Record] = []
    /// Frames sent so far, over either transport, including lost ones.
    public private(set) var framesSent = 0
    /// Bytes of the frames in `framesSent`.
    public private(set) var bytesSent = 0
    /// For each member, when each observer first saw it dead or left.
    private var gone: [String: [String: Instant]] = [:]
    private var nameAt: [Address: String] = [:]
    private var queue = Heap<Event>()
    private var order: UInt64 = 0
    private var random: GossipRandom

    /// Creates an empty network on virtual time 0; `seed` fixes every delay, loss and member's random choices.
    public init(settings: GossipSettings = .lan, seed: UInt64) {
        self.settings = settings
        random = GossipRandom(seed: seed)
    }

    /// The address a member named `name` listens on.
    public static func address(of name: String, port: UInt16 = 7000) -> Address {
        Address(host: name, port: port)
    }

    /// Starts a member that joins through `seeds`.
    public mutating func start(_ name: String, startID: UInt64 = 1, port: UInt16 = 7000, seeds: [Address] = []) {
        let address = Self.address(of: name, port: port)
        let machine = try! Membership(
            name: name, startID: startID, address: address, settings: settings,
            random: GossipRandom(seed: random.next()), now: now)
        nodes[name] = Node(machine: machine)
        nameAt[address] = name
        apply(nodes[name]!.machine.join(seeds: seeds, now: now), for: name)
    }

    /// Starts `count` members named `node0...` that already know each other, as after a finished join; large
    /// clusters start this way because joining a thousand members one by one says nothing new and costs minutes.
    /// Each machine gets the full roster as `knownMembers`, as a shell restoring a persisted member list would.
    public mutating func startJoined(count: Int) {
        let roster = (0..<count).map { index in
            let name = "node\(index)"
            return Member(
                name: name, startID: 1, address: Self.address(of: name), metadata: [], incarnation: 1, status: .alive,
                statusChangedAt: now)
        }
        for member in roster {
            let machine = try! Membership(
                name: member.name, startID: member.startID, address: member.address, knownMembers: roster,
                settings: settings, random: GossipRandom(seed: random.next()), now: now)
            nodes[member.name] = Node(machine: machine)
            nameAt[member.address] = member.name
        }
        for member in roster {
            apply(nodes[member.name]!.machine.join(seeds: [], now: now), for: member.name)
        }
    }

    /// Kills a member without a word, like `kill -9`.
    public mutating func crash(_ name: String) {
        nodes[name]!.isCrashed = true
        nameAt[nodes[name]!.machine.local.address] = nil
    }

    /// Blocks a member's loop until `until`; its inputs wait and arrive late, in order.
    public mutating func freeze(_ name: String, until: Instant) {
        nodes[name]!.frozenUntil = until
    }

    /// Lets a member leave gracefully.
    public mutating func leave(_ name: String) {
        apply(nodes[name]!.machine.leave(now: now), for: name)
    }

    /// Publishes new metadata for a member, which gossip carries to everyone.
    public mutating func updateMetadata(_ name: String, to metadata: [UInt8]) {
        apply(try! nodes[name]!.machine.updateMetadata(metadata, now: now), for: name)
    }

    /// Feeds a member one datagram at once, as if it had arrived from `from`; tests use it to plant news.
    public mutating func deliver(_ frame: [UInt8], to name: String, from: Address) {
        apply(nodes[name]!.machine.receive(frame, from: from, now: now), for: name)
    }

    /// Runs every event up to `deadline`, or until `stop` holds after an event.
    public mutating func run(until deadline: Instant, stop: (Simulation) -> Bool = { _ in false }) {
        while let next = queue.peek(), next.time <= deadline {
            _ = queue.pop()
            now = next.time
            process(next.action)
            if stop(self) { return }
        }
        now = max(now, deadline)
    }

    /// Runs for `duration` of virtual time.
    public mutating func run(for duration: Duration) {
        run(until: now.advanced(by: duration))
    }

    /// What `observer` believes about `name`.
    public func view(of observer: String, about name: String) -> Member? {
        nodes[observer]!.machine.members[name]
    }

    /// The members still running.
    public var running: [String] {
        nodes.filter { !$0.value.isCrashed }.keys.sorted()
    }

    /// When each observer first saw `name` dead or left.
    public func goneTimes(of name: String) -> [String: Instant] {
        gone[name, default: [:]]
    }

    /// Every (observer, member) pair where a member was declared dead, for false-death checks.
    public var deaths: [(observer: String, member: String)] {
        records.compactMap { record in
            guard case .changed(let member, _) = record.event, member.status == .dead else { return nil }
            return (record.observer, member.name)
        }
    }

    private mutating func schedule(_ action: Action, at time: Instant) {
        order += 1
        queue.push(Event(time: time, order: order, action: action))
    }

    private mutating func latency() -> Duration {
        .milliseconds(delay + Int64.random(in: 0...jitter, using: &random))
    }

    private func reachable(_ from: Address, _ to: Address) -> Bool {
        guard let source = nameAt[from], let target = nameAt[to] else { return false }
        return partition[source, default: 0] == partition[target, default: 0]
    }

    private mutating func apply(_ directives: [Directive], for name: String) {
        for directive in directives {
            let address = nodes[name]!.machine.local.address
            switch directive {
            case .send(let frame, let to, let transport):
                framesSent += 1
                bytesSent += frame.count
                let lost = transport == .datagram && Double.random(in: 0..<1, using: &random) < loss
                if !lost, reachable(address, to) {
                    schedule(.deliver(frame: frame, from: address, to: to, over: transport), at: now.advanced(by: latency()))
                }
            case .scheduleTick(let after):
                nodes[name]!.tickGeneration += 1
                schedule(.tick(name: name, generation: nodes[name]!.tickGeneration), at: now.advanced(by: after))
            case .exchangeState(let with, let join):
                if reachable(address, with) {
                    let request = nodes[name]!.machine.localState(join: join)
                    schedule(.exchange(request: request, from: address, to: with), at: now.advanced(by: latency()))
                }
            case .emit(let event):
                records.append(Record(time: now, observer: name, event: event))
                if case .changed(let member, _) = event, member.status.isGone, gone[member.name]?[name] == nil {
                    gone[member.name, default: [:]][name] = now
                }
            case .ignored:
                break
            }
        }
    }

    /// The member that should handle an event now, or nil when it is gone; a frozen member's event waits.
    private mutating func receiver(_ name: String?, action: Action) -> String? {
        guard let name, let node = nodes[name], !node.isCrashed else { return nil }
        if let until = node.frozenUntil, now < until {
            schedule(action, at: until)
            return nil
        }
        return name
    }

    private mutating func process(_ action: Action) {
        switch action {
        case .deliver(let frame, let from, let to, let transport):
            guard let name = receiver(nameAt[to], action: action) else { return }
            apply(nodes[name]!.machine.receive(frame, from: from, over: transport, now: now), for: name)
        case .tick(let name, let generation):
            guard nodes[name]?.tickGeneration == generation, let name = receiver(name, action: action) else { return }
            apply(nodes[name]!.machine.tick(now: now), for: name)
        case .exchange(let request, let from, let to):
            guard let name = receiver(nameAt[to], action: action) else { return }
            apply(nodes[name]!.machine.mergeRemoteState(request, from: from, now: now), for: name)
            let reply = nodes[name]!.machine.localState(join: false)
            schedule(.exchangeReply(reply: reply, from: to, to: from), at: now.advanced(by: latency()))
        case .exchangeReply(let reply, let from, let to):
            guard let name = receiver(nameAt[to], action: action) else { return }
            apply(nodes[name]!.machine.mergeRemoteState(reply, from: from, now: now), for: name)
        }
    }
}
