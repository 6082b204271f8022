import Foundation

/// Runs Go's own `text/template` (the program in `GoReference/main.go`) on batches of cases, so the differential
/// test can compare the Swift engine with the language it implements. Needs `go` on PATH.
enum GoReference {
    /// One case as the Go program reads it: template text and the object's JSON text.
    struct Request {
        let template: String
        let object: String

        /// The request line; the object's JSON text is embedded as written so Go decodes exactly it.
        func line() throws -> Data {
            var data = Data(#"{"template":"#.utf8)
            data.append(try JSONEncoder().encode(template))
            data.append(contentsOf: #","object":"#.utf8)
            // Raw newlines in JSON text are only whitespace; the protocol is one request per line.
            data.append(contentsOf: object.replacingOccurrences(of: "\n", with: " ").utf8)
            data.append(contentsOf: "}\n".utf8)
            return data
        }
    }

    /// The Go program's answer: output, or an error with its kind ("parse" or "exec").
    struct Reply: Decodable {
        let output: String?
        let error: String?
        let kind: String?
    }

    /// Whether a Go toolchain is on PATH.
    static let goExecutable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/go"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var isAvailable: Bool { goExecutable != nil }

    private static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("GoReference")

    /// Builds the reference program into a fresh temporary directory and returns the binary's path.
    static func build() throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("goreference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let binary = work.appendingPathComponent("goreference")
        var environment = ProcessInfo.processInfo.environment
        // HOME may be read-only in CI; Go needs a writable build cache.
        environment["GOCACHE"] = work.appendingPathComponent("cache").path
        environment["GOFLAGS"] = "-mod=mod"
        environment["GO111MODULE"] = "on"
        _ = try run(goExecutable!, ["build", "-o", binary.path, "."], input: Data(), directory: sourceDirectory,
                    environment: environment)
        return binary
    }

    /// Evaluates every request with Go in one process run; replies come back in request order.
    static func evaluate(_ requests: [Request], binary: URL) throws -> [Reply] {
        var input = Data()
        for request in requests {
            input.append(try request.line())
        }
        let output = try run(binary.path, [], input: input, directory: nil,
                             environment: ProcessInfo.processInfo.environment)
        let decoder = JSONDecoder()
        return try output.split(separator: 0x0A).map { try decoder.decode(Reply.self, from: Data($0)) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static func run(_ executable: String, _ arguments: [String], input: Data, directory: URL?,
                            environment: [String: String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // A child that exits early must fail the test with its message, not kill the test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        // Write on another thread so a full stdout pipe cannot deadlock against a full stdin pipe.
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return output
    }
}
