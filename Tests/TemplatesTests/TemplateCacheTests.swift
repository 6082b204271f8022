import Testing
@testable import Templates

struct TemplateCacheTests {
    @Test func reusesCompiledTemplatesAndDropsTheLeastRecentlyUsed() throws {
        let cache = TemplateCache(capacity: 2)
        _ = try cache.template(for: "{{.a}}")
        _ = try cache.template(for: "{{.b}}")
        _ = try cache.template(for: "{{.a}}")
        _ = try cache.template(for: "{{.c}}")
        #expect(cache.count == 2)
        #expect(cache.contains("{{.a}}"))
        #expect(!cache.contains("{{.b}}"))
        #expect(cache.contains("{{.c}}"))
    }

    @Test func remembersParseFailures() {
        let cache = TemplateCache(capacity: 4)
        #expect(throws: TemplateError.parse("template: expression:1: unclosed action")) {
            try cache.template(for: "{{.a")
        }
        #expect(cache.contains("{{.a"))
    }
}
