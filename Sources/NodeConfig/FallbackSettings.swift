/// The `fallback:` section: the files that keep events a destination refused.
public struct FallbackSettings: Sendable, Equatable {
    /// `fallback.rotation_min`, default 5: how often a non-empty active fallback file is closed and renamed with its
    /// time, so replay can take finished files while new failures go to a fresh one.
    public var rotationMinutes = 5

    public init() {}
}
