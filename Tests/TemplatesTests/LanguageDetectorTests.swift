import Testing
@testable import Templates

struct LanguageDetectorTests {
    private func format(_ expression: String) -> String {
        switch LanguageDetector.detect(expression, parse: { (text: String) throws(TemplateError) in
            try GoTemplate(parsing: text)
        }) {
        case .go: return "go"
        case .constant: return "constant"
        case .javascript: return "javascript"
        }
    }

    @Test(arguments: [
        ("{{.event_type}}", "go"),
        ("events_{{.app}}", "go"),
        // Go drops comments while parsing, so this is plain text; not an identifier either, so JavaScript.
        ("{{/* comment */}}x", "javascript"),
        ("events", "constant"),
        ("schema.table", "constant"),
        ("a$b#c_1", "constant"),
        ("\"Quoted Name\"", "constant"),
        ("https://example.com/hook?x=1", "constant"),
        ("$.event_type", "javascript"),
        ("$.app + \"_events\"", "javascript"),
        ("1abc", "javascript"),
        ("a..b", "javascript"),
        ("{{.unclosed", "javascript"),
    ])
    func detectsJitsuLanguages(expression: String, expected: String) {
        #expect(format(expression) == expected)
    }

    @Test func identifierRuleMatchesJitsuPattern() {
        #expect(LanguageDetector.isIdentifier("a.b.c"))
        #expect(LanguageDetector.isIdentifier("a."))
        #expect(!LanguageDetector.isIdentifier("a.1"))
        #expect(!LanguageDetector.isIdentifier(".a"))
        #expect(!LanguageDetector.isIdentifier(""))
    }

    @Test func goParseFailureIsKeptForTheJavaScriptAttempt() {
        let detection = LanguageDetector.detect("{{.x") { (text: String) throws(TemplateError) in
            try GoTemplate(parsing: text)
        }
        guard case .javascript(let goError?) = detection else {
            Issue.record("expected javascript with a Go error, got \(detection)")
            return
        }
        #expect(goError.description == "template: expression:1: unclosed action")
    }
}
