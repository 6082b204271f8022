import Templates

/// Where the S3 sink puts events: the connector's `customPath` (or the default template) filled in per topic and time
/// partition, plus the node and flush sequence that keep every object's key its own. Pure.
///
/// Warning: keys are what analytics jobs read, so the default template and the `-{node}-{NNNNNN}` suffix must not
/// change.
struct S3ObjectPath: Sendable, Equatable {
    static let defaultTemplate = "{eventType}/realm/{realm}/topics/{topic}/year={yyyy}/month={MM}/day={dd}/hour={hh}/minute={mm}/{topic}.json"
    /// Every name a template may use in braces.
    static let placeholders = ["eventType", "namespace", "topic", "realm", "yyyy", "MM", "dd", "hh", "mm"]

    let template: String
    /// `{realm}`: the connector's `realm`, or `default`.
    let realm: String
    /// The time partition in minutes (`customPartitionDuration`): up to 60 it floors the minute within its hour
    /// (15 gives 00, 15, 30, 45); above 60 it floors the minute of the day (120 gives 00:00, 02:00, ...).
    let partitionMinutes: Int

    init(template: String = defaultTemplate, realm: String = "default", partitionMinutes: Int = 15) {
        precondition(partitionMinutes > 0, "partitionMinutes \(partitionMinutes)")
        self.template = template
        self.realm = realm
        self.partitionMinutes = partitionMinutes
    }

    /// The first name in braces that is not a placeholder, for the connector's validation; nil when all are known.
    static func unknownPlaceholder(in template: String) -> String? {
        fill(template) { placeholders.contains(String($0)) ? "" : nil }.unknown.map(String.init)
    }

    /// The key, without the node and sequence, of the object holding `topic`'s events ingested at `ingestedAt`
    /// (milliseconds since 1970, UTC): events with equal keys share one object of a batch. A value holding `/` has it
    /// replaced by `_`, so a topic or namespace never adds a level to the path.
    func groupKey(topic: TopicName, ingestedAt: Int64) -> String {
        let seconds = ingestedAt / 1000 - (ingestedAt % 1000 < 0 ? 1 : 0)
        let time = UTCCalendar.fields(unixSeconds: seconds)
        let minuteOfDay = time.hour * 60 + time.minute
        // Partitions of up to an hour restart every hour, longer ones every day.
        let floored = minuteOfDay - (partitionMinutes <= 60 ? time.minute : minuteOfDay) % partitionMinutes
        let (hour, minute) = (floored / 60, floored % 60)
        let values = [
            "eventType": topic.eventType, "namespace": topic.namespace, "topic": topic.topic, "realm": realm,
            "yyyy": Self.padded(time.year, 4), "MM": Self.padded(time.month, 2), "dd": Self.padded(time.day, 2),
            "hh": Self.padded(hour, 2), "mm": Self.padded(minute, 2),
        ]
        let key = Self.fill(template) { name in values[String(name)].map(Self.sanitized) }.text
        // A leading `/` would give an empty first level (`<bucket>//...`).
        return String(key.drop { $0 == "/" })
    }

    /// `group` with `-{node}-{NNNNNN}` (the batch sequence, at least six digits) before its final `.json`, or with
    /// `-{node}-{NNNNNN}.json` appended when it has none. A retried batch keeps its sequence, so it overwrites the
    /// objects of its first attempt instead of adding copies.
    static func objectKey(group: String, node: String, sequence: UInt64) -> String {
        let stem = group.hasSuffix(".json") ? group.dropLast(".json".count) : group[...]
        return "\(stem)-\(sanitized(node))-\(padded(sequence, 6)).json"
    }

    /// `template` with each `{name}` replaced by `value(name)`, stopping at the first name `value` does not know.
    /// A `{` without a closing `}` is kept as text.
    private static func fill(_ template: String, _ value: (Substring) -> String?) -> (text: String, unknown: Substring?) {
        var text = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            text += rest[..<open]
            let name = rest[rest.index(after: open)..<close]
            guard let filled = value(name) else { return (text, name) }
            text += filled
            rest = rest[rest.index(after: close)...]
        }
        return (text + rest, nil)
    }

    private static func sanitized(_ value: String) -> String {
        value.replacingOccurrences(of: "/", with: "_")
    }

    /// `number` in decimal with leading zeros up to `width` digits; wider numbers keep all their digits.
    private static func padded(_ number: some BinaryInteger, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
