@testable import Gossip

/// Many `Membership` values exchanging frames over an in-memory network on virtual time: datagrams are delayed,
/// may be lost, and never cross a partition; state exchanges are reliable streams. A frozen member's inputs queue
/// up and arrive, in order, when it wakes (a member whose loop was blocked). Everything is seeded, so a run is
/// reproducible.
struct Simulation {
    /// One simulated process.
    struct Node {
        var machine: Membership
        var tickGeneration = 0
        var frozenUntil: Instant?
        var isCrashed = false
    }

    /// An event observed by one member.
    struct Record {
        var time: Instant
        var observer: String
        var event: MembershipEvent
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

    var settings: GossipSettings
    /// Probability that a datagram is lost.
    var loss = 0.0
    /// One-way delay of every frame, plus up to `jitter` more, in milliseconds.
    var delay: Int64 = 2
    var jitter: Int64 = 3
    /// Members in different groups cannot reach each other; members not listed are in group 0.
    var partition: [String: Int] = [:]

    private(set) var nodes: [String: Node] = [:]
    private(set) var now = Instant(milliseconds: 0)
    private(set) var records: [Record] = []
    /// Frames sent so far, over either transport, and their bytes.
    private(set) var framesSent = 0
    private(set) var bytesSent = 0
    /// For each member, when each observer first saw it dead or left.
    private var gone: [String: [String: Instant]] = [:]
    private var nameAt: [Address: String] = [:]
    private var queue = Heap<Event>()
    private var order: UInt64 = 0
    private var random: GossipRandom

    init(settings: GossipSettings = .lan, seed: UInt64) {
        self.settings = settings
        random = GossipRandom(seed: seed)
    }

    static func address(of name: String, port: UInt16 = 7000) -> Address {
        Address(host: name, port: port)
    }

    /// Starts a member that joins through `seeds`.
    mutating func start(_ name: String, startID: UInt64 = 1, port: UInt16 = 7000, seeds: [Address] = []) {
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
    mutating func startJoined(count: Int) {
        let names = (0..<count).map { "node\($0)" }
        var everyone: [String: Member] = [:]
        for name in names {
            let machine = try! Membership(
                name: name, startID: 1, address: Self.address(of: name), settings: settings,
                random: GossipRandom(seed: random.next()), now: now)
            everyone[name] = machine.local
            nodes[name] = Node(machine: machine)
            nameAt[machine.local.address] = name
        }
        for name in names {
            nodes[name]!.machine.members = everyone
            nodes[name]!.machine.probeOrder = names.filter { $0 != name }.shuffled(using: &random)
            apply(nodes[name]!.machine.join(seeds: [], now: now), for: name)
        }
    }

    /// Kills a member without a word, like `kill -9`.
    mutating func crash(_ name: String) {
        nodes[name]!.isCrashed = true
        nameAt[nodes[name]!.machine.local.address] = nil
    }

    /// Blocks a member's loop until `until`; its inputs wait and arrive late, in order.
    mutating func freeze(_ name: String, until: Instant) {
        nodes[name]!.frozenUntil = until
    }

    /// Lets a member leave gracefully.
    mutating func leave(_ name: String) {
        apply(nodes[name]!.machine.leave(now: now), for: name)
    }

    /// Publishes new metadata for a member, which gossip carries to everyone.
    mutating func updateMetadata(_ name: String, to metadata: [UInt8]) {
        apply(try! nodes[name]!.machine.updateMetadata(metadata, now: now), for: name)
    }

    /// Feeds a member one decoded message, as if it had arrived from `from`.
    mutating func inject(_ message: Message, into name: String, from: Address) {
        let frame = nodes[name]!.machine.codec.frame([WireCodec.encode(message)])
        apply(nodes[name]!.machine.receive(frame, from: from, now: now), for: name)
    }

    /// Runs every event up to `deadline`, or until `stop` holds after an event.
    mutating func run(until deadline: Instant, stop: (Simulation) -> Bool = { _ in false }) {
        while let next = queue.peek(), next.time <= deadline {
            _ = queue.pop()
            now = next.time
            process(next.action)
            if stop(self) { return }
        }
        now = max(now, deadline)
    }

    /// Runs for `duration` of virtual time.
    mutating func run(for duration: Duration) {
        run(until: now.advanced(by: duration))
    }

    /// What `observer` believes about `name`.
    func view(of observer: String, about name: String) -> Member? {
        nodes[observer]!.machine.members[name]
    }

    /// The members still running.
    var running: [String] {
        nodes.filter { !$0.value.isCrashed }.keys.sorted()
    }

    /// When each observer first saw `name` dead or left.
    func goneTimes(of name: String) -> [String: Instant] {
        gone[name, default: [:]]
    }

    /// Every (observer, member) pair where a member was declared dead, for false-death checks.
    var deaths: [(observer: String, member: String)] {
        records.compactMap { record in
            guard case .changed(let member, _) = record.event, member.status == .dead else { return nil }
            return (record.observer, member.name)
        }
    }

    private mutating func schedule(_ action: Action, at time: Instant) {
        order += 1
        queue.push(Event(time: time, order: order, action: action))
    }

    private mutating func latency() -> Int64 {
        delay + Int64.random(in: 0...jitter, using: &random)
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
                    schedule(.deliver(frame: frame, from: address, to: to, over: transport), at: now + latency())
                }
            case .scheduleTick(let after):
                nodes[name]!.tickGeneration += 1
                schedule(.tick(name: name, generation: nodes[name]!.tickGeneration), at: now.advanced(by: after))
            case .exchangeState(let with, let join):
                if reachable(address, with) {
                    let request = nodes[name]!.machine.localState(join: join)
                    schedule(.exchange(request: request, from: address, to: with), at: now + latency())
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
            schedule(.exchangeReply(reply: reply, from: to, to: from), at: now + latency())
        case .exchangeReply(let reply, let from, let to):
            guard let name = receiver(nameAt[to], action: action) else { return }
            apply(nodes[name]!.machine.mergeRemoteState(reply, from: from, now: now), for: name)
        }
    }
}

/// A binary min-heap for the simulation's event queue.
struct Heap<Element: Comparable> {
    private var items: [Element] = []

    func peek() -> Element? { items.first }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
