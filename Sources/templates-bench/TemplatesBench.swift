import Foundation
import Templates

/// The rivulet side of the templates benchmark (`scripts/bench/templates.sh`): evaluates each case of `cases.json`
/// against its 1 KB event on one thread and prints evaluations per second, one line per case and path, in the
/// form `scripts/bench/templates/main.go` prints for Go's `text/template`:
/// `<case>\t<variant>\t<evaluations per second>\t<FNV-1a of the output>`; lines starting with # are comments.
///
/// The event is parsed into a `JSONValue` once, as the node parses a request body once; each evaluation then does
/// what the node does per event. Variant `evaluator` is the node's path, `TemplateEvaluator.evaluate` with its
/// template cache and language detection (for JavaScript that includes converting the event to JavaScript);
/// `execute` is `GoTemplate.execute` alone, compiled once. An optional second argument names the one case to run,
/// so a profiler (`perf record`) sees that case alone.
@main
struct TemplatesBench {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 || arguments.count == 3 else { fail("usage: templates-bench CASES.json [CASE]") }
        do {
            let cases = try BenchCases(contentsOf: arguments[1])
            let only = arguments.count == 3 ? arguments[2] : nil
            let evaluator = TemplateEvaluator(javascript: try JavaScriptEngine())
            print("# rivulet Templates, one thread")
            for benchCase in cases.cases where only == nil || benchCase.name == only {
                var output = ""
                let viaEvaluator = try Measurement.rate { () throws(TemplateError) in
                    output = try evaluator.evaluate(expression: benchCase.expression, object: cases.event).responseText
                }
                printLine(benchCase.name, "evaluator", viaEvaluator, output)
                guard benchCase.language == "go" else { continue }
                let template = try GoTemplate(parsing: benchCase.expression)
                let viaExecute = try Measurement.rate { () throws(TemplateError) in
                    output = try template.execute(cases.event)
                }
                printLine(benchCase.name, "execute", viaExecute, output)
            }
        } catch {
            fail("\(error)")
        }
    }

    private static func printLine(_ name: String, _ variant: String, _ perSecond: Double, _ output: String) {
        print("\(name)\t\(variant)\t\(Int(perSecond.rounded()))\t\(OutputHash.fnv1a(output))")
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("templates-bench: \(message)\n".utf8))
        exit(2)
    }
}
