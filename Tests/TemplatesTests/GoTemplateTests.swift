import Testing
@testable import Templates

struct GoTemplateTests {
    @Test func recursionStopsAtTheDepthLimitWithoutExhaustingTheStack() throws {
        let template = try GoTemplate(parsing: #"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#)
        #expect(throws: TemplateError.execution(#"template: expression:1:25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (300)"#)) {
            try template.execute(.object([:]))
        }
    }

    @Test func deepRecursionThroughControlStructuresFinishes() throws {
        let template = try GoTemplate(parsing: #"{{define "r"}}{{if .}}{{with .}}{{template "r" slice . 1}}{{end}}{{end}}{{end}}{{template "r" .s}}x"#)
        #expect(try template.execute(.object(["s": .string(String(repeating: "a", count: 90))])) == "x")
    }

    @Test func hostileNestingIsAParseErrorNotACrash() {
        let text = String(repeating: "{{if 1}}", count: 5000) + String(repeating: "(", count: 5000)
        #expect(throws: TemplateError.parse("template: expression:1: max expression depth exceeded")) {
            try GoTemplate(parsing: text)
        }
        #expect(throws: TemplateError.parse("template: expression:1: max expression depth exceeded")) {
            try GoTemplate(parsing: "{{" + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "}}")
        }
    }

    @Test func plainTextIsDetected() throws {
        #expect(try GoTemplate(parsing: "events").isPlainText)
        #expect(try GoTemplate(parsing: "").isPlainText)
        #expect(try !GoTemplate(parsing: "{{.a}}").isPlainText)
    }

    @Test func timestampIsATimeOnlyWhenMentioned() throws {
        let event = JSONValue.object(["_timestamp": .string("2024-03-05T07:08:09Z")])
        #expect(try GoTemplate(parsing: "{{._timestamp.Year}}").execute(event) == "2024")
        #expect(try GoTemplate(parsing: "{{json .}}").execute(event) == #"{"_timestamp":"2024-03-05T07:08:09Z"}"#)
    }

    @Test func oneCompiledTemplateServesManyEvents() throws {
        let template = try GoTemplate(parsing: "{{.a}}-{{len .b}}")
        for n in 0..<50 {
            let event = JSONValue.object(["a": .number(Double(n)), "b": .array(Array(repeating: .null, count: n))])
            #expect(try template.execute(event) == "\(n)-\(n)")
        }
    }

    /// Go's `%v` of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`), around the bounds of its plain-decimal range.
    @Test(arguments: [
        (89.9, "89.9"), (1, "1"), (-1.5, "-1.5"), (0, "0"), (-0.0, "-0"), (0.0001, "0.0001"), (0.00009, "9e-05"),
        (999_999, "999999"), (999_999.5, "999999.5"), (1e6, "1e+06"), (123_456.789, "123456.789"),
        (0.1 + 0.2, "0.30000000000000004"), (-0.000123, "-0.000123"), (5e-324, "5e-324"),
    ])
    func floatsPrintAsGoPrintsThem(value: Double, expected: String) throws {
        #expect(try GoTemplate(parsing: "{{.n}}").execute(.object(["n": .number(value)])) == expected)
    }
}

struct GoFloatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (2, "2"), (-5, "-5"), (999_999, "999999"), (1e6, "1e+06"), (0.5, "0.5"),
        (142.5, "142.5"), (-0.25, "-0.25"), (1e-4, "0.0001"), (1e-5, "1e-05"), (1e21, "1e+21"), (123_456.5, "123456.5"),
    ])
    func shortestIsGosPercentV(value: Double, expected: String) {
        #expect(GoFloat.shortest(value) == expected)
    }
}
