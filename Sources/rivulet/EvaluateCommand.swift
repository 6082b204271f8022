import ArgumentParser
import Foundation
import HTTP
import Templates

/// `rivulet evaluate`: the template engine of `POST /api/v1/templates/evaluate`, offline. Prints the endpoint's
/// JSON answer, so scripts can use either.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Evaluate a Go template or JavaScript expression against an event.")

    @Option(name: .long, help: "The expression: a Go text/template, a JavaScript expression, or a constant.")
    var expression: String

    @Option(name: .long, help: "A file holding the event as a JSON object ('-' reads standard input).")
    var object: String

    @Flag(name: .long, help: "Apply the table-name rules to the result.")
    var reformat = false

    func run() throws {
        let data = object == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: object))
        let event: JSONValue
        do {
            event = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure("\(object): \(error)")
        }
        guard case .object = event else { throw CommandFailure("\(object): the event must be a JSON object") }
        let evaluation: Evaluation
        do {
            evaluation = try TemplateEvaluator(javascript: LazyJavaScriptEngine()).evaluate(expression: expression, object: event, reformat: reformat)
        } catch {
            throw CommandFailure("\(error)")
        }
        let answer = try JSONBodyEncoder.encode(Answer(result: evaluation.responseText, format: evaluation.format.rawValue))
        print(String(decoding: answer, as: UTF8.self))
    }

    /// The endpoint's answer shape.
    struct Answer: Encodable {
        let result: String
        let format: String
    }
}
