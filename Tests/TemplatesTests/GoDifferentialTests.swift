import Foundation
import Testing
@testable import Templates

/// Runs the corpus through Go's `text/template` and the Swift engine and requires the same output, or errors of
/// the same kind (parse or execution). Skipped where Go is not installed; `make test` installs it.
@Suite(.enabled(if: GoReference.isAvailable, "Go is not installed: the differential test against text/template is skipped"))
struct GoDifferentialTests {
    private struct Outcome: Equatable {
        let output: String?
        let kind: String?
        let message: String?
    }

    private static func swiftOutcome(_ testCase: DifferentialCorpus.Case) -> Outcome {
        do {
            let object = try JSONValue(parsing: testCase.object)
            let template = try GoTemplate(parsing: testCase.template)
            return Outcome(output: try template.execute(object), kind: nil, message: nil)
        } catch {
            switch error {
            case .parse(let message): return Outcome(output: nil, kind: "parse", message: message)
            case .execution(let message): return Outcome(output: nil, kind: "exec", message: message)
            default: return Outcome(output: nil, kind: "other", message: error.description)
            }
        }
    }

    @Test func eachExecutionLocationNamesOneNode() throws {
        // Errors name the node execution was at from its kind and byte offset alone.
        for testCase in DifferentialCorpus.handWrittenCases + DifferentialCorpus.generated(count: 360) {
            guard let template = try? GoTemplate(parsing: testCase.template) else { continue }
            let texts = Dictionary(grouping: template.locatedNodes, by: \.location).mapValues { Set($0.map(\.text)) }
            for (location, names) in texts where names.count > 1 {
                Issue.record("\(testCase.template.debugDescription): \(location) names \(names)")
            }
        }
    }

    @Test func corpusMatchesGoTextTemplate() throws {
        let cases = DifferentialCorpus.handWrittenCases + DifferentialCorpus.generated(count: 360)
        #expect(cases.count >= 300)
        let binary = try GoReference.build()
        defer { try? FileManager.default.removeItem(at: binary.deletingLastPathComponent()) }
        let replies = try GoReference.evaluate(cases.map { GoReference.Request(template: $0.template, object: $0.object) },
                                               binary: binary)
        try #require(replies.count == cases.count)
        var identicalMessages = 0
        var errors = 0
        for (testCase, reply) in zip(cases, replies) {
            let swift = Self.swiftOutcome(testCase)
            if let output = reply.output {
                #expect(swift.output == output, "template \(testCase.template.debugDescription): Go printed \(output.debugDescription), Swift \(swift)")
            } else {
                errors += 1
                #expect(swift.kind == reply.kind, "template \(testCase.template.debugDescription): Go failed (\(reply.kind ?? "")) with \(reply.error ?? ""), Swift \(swift)")
                if swift.message == reply.error { identicalMessages += 1 } else {
                    print("message differs for \(testCase.template.debugDescription):\n  go:    \(reply.error ?? "")\n  swift: \(swift.message ?? swift.output ?? "")")
                }
            }
        }
        print("differential corpus: \(cases.count) cases, \(errors) errors, \(identicalMessages) with identical messages")
    }
}
