import Foundation
import HTTP
import Logging
import Loop
import Pipeline
import Templates
import TestSupport

/// A loop and a temporary data directory for one test; `finish()` checks every handle was closed.
final class PipelineFixture: Sendable {
    let harness: LoopHarness
    let directory: String

    init() throws {
        harness = try LoopHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-pipeline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var loop: EventLoop { harness.loop }

    /// What destinations get: the loop, an HTTP client, templates and the data directory.
    func context(http: HTTPClient) -> DestinationContext {
        DestinationContext(loop: loop, http: http, templates: TemplateEvaluator(), dataDirectory: directory,
                           logger: Logger(label: "test.pipeline"))
    }

    func finish() async -> Int32? {
        let status = await harness.finish()
        try? FileManager.default.removeItem(atPath: directory)
        return status
    }

    /// The JSON objects of a JSON-lines file.
    static func lines(of path: String) throws -> [[String: JSONValue]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard case .object(let object) = try JSONValue(parsing: String(line)) else { throw ServiceError.failed("not an object: \(line)") }
            return object
        }
    }
}
