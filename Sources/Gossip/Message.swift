/// One protocol message, as the codec decodes it and the machine handles it (memberlist `net.go`).
enum Message: Equatable, Sendable {
    /// A probe; the receiver answers with an ack carrying the same sequence number.
    case ping(Ping)
    /// Asks the receiver to ping `target` on the sender's behalf and relay the ack (SWIM ping-req).
    case indirectPing(IndirectPing)
    /// Answers the ping with this sequence number.
    case ack(sequence: UInt32)
    /// A helper's word that the target did not answer the relayed ping in time (Lifeguard IV-A).
    case nack(sequence: UInt32)
    /// A member is alive at this incarnation (also how members join and refute).
    case alive(Alive)
    /// `from` suspects a member at this incarnation.
    case suspect(Accusation)
    /// `from` declares a member dead; when `from` is the member itself, it left gracefully.
    case dead(Accusation)
    /// A full state exchange over TCP (join and anti-entropy).
    case pushPull(PushPull)
    /// An opaque application update to hand to the caller.
    case application([UInt8])

    /// A probe.
    struct Ping: Equatable, Sendable {
        /// Matches the ack to the probe.
        var sequence: UInt32
        /// The name the sender meant to reach, so a ping that lands on a new process at an old address is ignored.
        var target: String
    }

    /// A ping-req.
    struct IndirectPing: Equatable, Sendable {
        /// The requester's sequence number, echoed in the relayed ack or nack.
        var sequence: UInt32
        /// The member to ping.
        var target: String
        /// Where to ping it.
        var targetAddress: Address
        /// Whether the requester wants a nack when the target stays silent.
        var wantsNack: Bool
    }

    /// A member's self-description at one incarnation.
    struct Alive: Equatable, Sendable {
        var name: String
        var startID: UInt64
        var incarnation: UInt32
        var address: Address
        var metadata: [UInt8]
    }

    /// A suspicion or death notice about one incarnation of a member.
    struct Accusation: Equatable, Sendable {
        var name: String
        var startID: UInt64
        var incarnation: UInt32
        /// Who accuses; equal to `name` in a dead message means a graceful leave.
        var from: String
    }

    /// One side's member list (and the caller's application state) in a push-pull exchange.
    struct PushPull: Equatable, Sendable {
        /// Sent by a joining member; the receiver treats the exchange the same, the flag is for the shell's logs.
        var isJoin: Bool
        var members: [Entry]
        /// Opaque bytes from the caller (the replicated state's digest), handed to the other side's caller.
        var applicationState: [UInt8]

        /// One member as the sender sees it.
        struct Entry: Equatable, Sendable {
            var alive: Alive
            var status: MemberStatus
        }
    }
}

/// Wire numbers of message types.
///
/// WARNING: these numbers are the protocol. Only append new cases; never renumber, reuse or remove one, or members
/// of different versions misread each other during a rolling upgrade. Protocol version 1 has all cases below.
enum MessageType: UInt8 {
    case ping = 0
    case indirectPing = 1
    case ack = 2
    case nack = 3
    case alive = 4
    case suspect = 5
    case dead = 6
    case pushPull = 7
    case application = 8
    /// Several length-prefixed messages in one frame; only at the top of a frame, never nested.
    case compound = 9
}
