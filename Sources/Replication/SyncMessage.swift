/// One message of the anti-entropy exchange, which repairs whatever gossip missed between an initiator I and a
/// responder R over one TCP stream:
///
/// 1. I→R `.digest`: I's digest.
/// 2. R→I `.versions`: the buckets where R's digest differs, and R's key versions in those buckets; when those would
///    not fit one message, as many buckets as fit, preceded by `.more`.
/// 3. I→R zero or more `.records` (I's records that R lacks or holds older), then `.wants` (keys where R is newer or
///    I lacks them).
/// 4. R→I zero or more `.records` with the wanted records, then `.done`.
///
/// `SyncPlan` makes each side's decisions and `SyncCodec` converts the messages to bytes.
public enum SyncMessage: Equatable, Sendable {
    /// Step 1: the initiator's digest.
    case digest(Digest)
    /// Step 2: the buckets that differ, ascending, and the responder's key versions in them.
    case versions(buckets: [UInt16], entries: [KeyVersion])
    /// Steps 3 and 4: records for the other side to merge, one chunk of them per message.
    case records([Record])
    /// Step 3: the keys the initiator asks the responder to send.
    case wants([String])
    /// Step 4: the responder has sent everything wanted; the exchange is over.
    case done
    /// Step 2, before `.versions`: the answer covers only part of the differing buckets, so the initiator syncs again
    /// once this exchange is over (the buckets settled now match then, and the next ones get their turn).
    case more
}
