import Synchronization

/// Compiled Go templates by their text, so an expression is parsed once however often it runs. Bounded: when full,
/// the least recently used template is dropped. Safe to share between threads.
final class TemplateCache: Sendable {
    private struct Entry {
        let template: Result<GoTemplate, TemplateError>
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    /// - Parameter capacity: how many distinct expressions stay compiled; parse failures are remembered too.
    init(capacity: Int) {
        precondition(capacity > 0, "template cache capacity must be positive, got \(capacity)")
        self.capacity = capacity
    }

    /// The compiled template for `text`, parsing it on first use.
    func template(for text: String) throws(TemplateError) -> GoTemplate {
        let cached: Result<GoTemplate, TemplateError>? = state.withLock { state in
            state.clock += 1
            // Through the index, so a hit hashes the text once.
            guard let index = state.entries.index(forKey: text) else { return nil }
            state.entries.values[index].lastUse = state.clock
            return state.entries.values[index].template
        }
        let result = cached ?? store(text, Result { () throws(TemplateError) in try GoTemplate(parsing: text) })
        return try result.get()
    }

    /// How many expressions are cached; for tests and metrics.
    var count: Int { state.withLock { $0.entries.count } }

    /// Whether `text` is cached, without counting as a use; for tests.
    func contains(_ text: String) -> Bool { state.withLock { $0.entries[text] != nil } }

    private func store(_ text: String, _ template: Result<GoTemplate, TemplateError>) -> Result<GoTemplate, TemplateError> {
        state.withLock { state in
            if state.entries[text] == nil, state.entries.count >= capacity,
               let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                // A linear scan, but only on a miss with a full cache; lookups stay O(1).
                state.entries[oldest] = nil
            }
            state.clock += 1
            state.entries[text] = Entry(template: template, lastUse: state.clock)
        }
        return template
    }
}
