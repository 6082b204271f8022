import Testing
@testable import Templates

struct TemplateEvaluatorTests {
    private let evaluator = TemplateEvaluator(cacheCapacity: 16)
    private let event = try! JSONValue(parsing: #"""
        {"event_type":"Page View","app":"shop","n":3,"_timestamp":"2024-03-05T07:08:09Z","user":{"id":"u1"}}
        """#)

    @Test func evaluatesGoTemplates() throws {
        let evaluation = try evaluator.evaluate(expression: "{{.event_type}}", object: event)
        #expect(evaluation == Evaluation(result: .text("Page View"), format: .go))
        #expect(evaluation.responseText == "Page View")
    }

    @Test func reformatsGoResultsAsTableNames() throws {
        let evaluation = try evaluator.evaluate(expression: "{{.event_type}}", object: event, reformat: true)
        #expect(evaluation.result == .text("page_view"))
        let missing = try evaluator.evaluate(expression: "{{.nothing}}", object: event, reformat: true)
        #expect(missing.result == .text("null"))
    }

    @Test func timestampFormatsWithGoLayouts() throws {
        let evaluation = try evaluator.evaluate(expression: #"{{._timestamp.Format "2006_01"}}_{{.app}}"#, object: event)
        #expect(evaluation.result == .text("2024_03_shop"))
    }

    @Test func constantsAreReturnedAsWritten() throws {
        let evaluation = try evaluator.evaluate(expression: "Events.Table", object: event, reformat: true)
        #expect(evaluation == Evaluation(result: .text("events_table"), format: .constant))
    }

    @Test func numbersAreFloat64AsInGo() throws {
        #expect(throws: TemplateError.execution(#"template: expression:1:5: executing "expression" at <gt .n 2>: error calling gt: incompatible types for comparison"#)) {
            try evaluator.evaluate(expression: "{{if gt .n 2}}big{{end}}", object: event)
        }
        let evaluation = try evaluator.evaluate(expression: "{{if gt .n 2.0}}big{{end}}", object: event)
        #expect(evaluation.result == .text("big"))
    }

    @Test func parseErrorsUseGoTextAndNameTheJavaScriptAttempt() {
        let goError = #"template: expression:1: function "nope" not defined"#
        #expect(throws: TemplateError.notAnExpression(go: goError, javascript: "JavaScript is not available")) {
            try evaluator.evaluate(expression: "{{nope .x}}", object: event)
        }
    }

    @Test func emptyExpressionIsRejected() {
        #expect(throws: TemplateError.emptyExpression) {
            try evaluator.evaluate(expression: "", object: event)
        }
    }

    @Test func javaScriptWithoutAnEngineNamesBothAttempts() {
        #expect(throws: TemplateError.notAnExpression(go: "plain text", javascript: "JavaScript is not available")) {
            try evaluator.evaluate(expression: "$.event_type", object: event)
        }
    }

    @Test func jsonResultsAreIndentedWithThreeSpaces() {
        let evaluation = Evaluation(result: .json(.object(["a": .array([.number(1)])])), format: .javascript)
        #expect(evaluation.responseText == "{\n   \"a\": [\n      1\n   ]\n}")
    }
}
