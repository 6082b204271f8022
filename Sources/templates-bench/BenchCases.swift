import Foundation
import Templates

/// `scripts/bench/templates/cases.json`: the 1 KB event and the expressions both sides of the benchmark run.
struct BenchCases {
    /// The event, parsed once as the node parses a request body.
    let event: JSONValue
    let cases: [BenchCase]

    /// Reads and parses the file at `path`.
    init(contentsOf path: String) throws {
        let document = try JSONValue(parsing: String(contentsOfFile: path, encoding: .utf8))
        guard case .object(let fields) = document, let event = fields["event"], case .array(let list)? = fields["cases"]
        else { throw BenchCasesError(reason: "\(path): expected an object with event and cases") }
        self.event = event
        cases = try list.map { item in
            guard case .object(let fields) = item, case .string(let name)? = fields["name"],
                  case .string(let language)? = fields["language"], case .string(let expression)? = fields["expression"]
            else { throw BenchCasesError(reason: "\(path): a case needs name, language and expression strings") }
            return BenchCase(name: name, language: language, expression: expression)
        }
    }
}
