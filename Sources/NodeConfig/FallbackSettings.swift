/// The `fallback:` section: the files that keep events a destination refused.
public struct FallbackSettings: Sendable, Equatable {
    /// `fallback.rotation_min`, default 5: how often a non-empty active fallback file is closed and renamed with its
    /// time, so replay can take finished files while new failures go to a fresh one. Fractions are allowed (0.5 is
    /// 30 s), down to one second.
    public var rotationMinutes = 5.0

    /// `rotationMinutes` as a duration.
    public var rotation: Duration { .milliseconds(Int64(rotationMinutes * 60_000)) }

    public init() {}
}
