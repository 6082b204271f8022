import Loop

/// Writes a sync's pages one behind its reads: while a page goes to the destinations, the next is fetched, and at
/// most one page waits, so memory stays at two pages. Writes run in order; the first failure ends the run.
/// Loop-bound.
final class PageWriter: @unchecked Sendable {
    private let loop: EventLoop
    private var inFlight: Task<Void, any Error>?

    init(loop: EventLoop) { self.loop = loop }

    /// Waits for the page before (rethrowing its failure), then starts `write`.
    func submit(_ write: @escaping @Sendable () async throws -> Void) async throws {
        try await inFlight?.value
        inFlight = Task(executorPreference: loop) { try await write() }
    }

    /// Runs `read`, which submits pages, and waits for the last write. When reading fails, the write in flight is
    /// waited for before the failure is passed on, so nothing writes after the run ended.
    func run(_ read: () async throws -> Void) async throws {
        do {
            try await read()
        } catch {
            _ = try? await inFlight?.value
            throw error
        }
        try await inFlight?.value
    }
}
