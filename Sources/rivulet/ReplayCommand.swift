import ArgumentParser
import Foundation
import HTTP
import Pipeline

/// `rivulet replay`: replays a fallback file on the node that holds it (`--file`, through any node, as an async job
/// whose progress it shows), or sends a local file of events to a node's bulk endpoint (`--local`), with the same
/// progress bar either way.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a fallback file of the cluster (--file) or a local file of events (--local) into a destination.")

    @OptionGroup var target: NodeOptions

    @Option(name: .long, help: "A fallback file's name as `rivulet fallback` lists it, or an absolute path in server.replay_allowed_dirs.")
    var file: String?

    @Option(name: .long, help: "A file on this machine to send (JSON lines, or fallback lines with --format fallback; .gz is read).")
    var local: String?

    @Option(name: .long, help: "Destination id (default: from the fallback file's name; required with --local).")
    var destination: String?

    @Option(name: .long, help: "fallback or raw_json (default: fallback for --file, raw_json for --local).")
    var format: String?

    @Option(name: .long, help: "The node holding --file when its name does not say (an absolute path).")
    var instance: String?

    @Flag(name: .long, help: "Skip and count malformed lines instead of failing before anything is written.")
    var skipMalformed = false

    @Flag(name: .long, help: "Replay a file that was replayed already.")
    var force = false

    static let pollInterval: Duration = .milliseconds(500)
    /// Lines per bulk request with --local: under the default 10 MiB body limit for events up to about 1 KB.
    static let localChunkLines = 5_000

    func validate() throws {
        guard (file == nil) != (local == nil) else { throw ValidationError("give exactly one of --file and --local") }
        if local != nil, destination == nil { throw ValidationError("--local needs --destination") }
        if let format, ReplayFormat(rawValue: format) == nil { throw ValidationError("--format must be fallback or raw_json") }
    }

    func run() throws {
        let node = try target.node
        let token = local == nil ? target.adminToken : target.token
        let summary: String
        if let file {
            summary = try replayRemote(file, node: node, token: token)
        } else {
            summary = try sendLocal(local!, node: node, token: token)
        }
        print(summary)
    }

    struct Start: Encodable {
        let file_name: String
        let destination_id: String?
        let file_format: String?
        let skip_malformed: Bool
        let force: Bool
        let async: Bool
        let instance: String?
    }

    /// Starts the job, then polls it until it ends.
    private func replayRemote(_ file: String, node: NodeAddress, token: String?) throws -> String {
        let body = try JSONEncoder().encode(Start(file_name: file, destination_id: destination, file_format: format, skip_malformed: skipMalformed,
                                                  force: force, async: true, instance: instance))
        var headers = AdminCall.headers(token: token)
        headers.set("Content-Type", "application/json")
        let request = HTTPRequest(method: .post, target: "/api/v1/replay", headers: headers, body: Array(body))
        let job = try AdminCall.run { client in
            let started = try await AdminCall.send(request, to: node, client: client)
            guard started.status == .accepted else { throw CommandFailure("\(node.description) answered \(started.status): \(started.bodyText)") }
            var job = try started.decode(ReplayService.Job.self)
            var bar = ProgressBar()
            while job.status == "running" {
                try await Task.sleep(for: Self.pollInterval)
                let polled = try await AdminCall.send(HTTPRequest(method: .get, target: "/api/v1/replay/\(job.job)", headers: AdminCall.headers(token: token)),
                                                      to: node, client: client)
                guard polled.status == .ok else { throw CommandFailure("polling job \(job.job): \(polled.status): \(polled.bodyText)") }
                job = try polled.decode(ReplayService.Job.self)
                let elapsed = Double(job.duration_ms) / 1000
                let remaining = job.percent > 0 ? elapsed * (100 - job.percent) / job.percent : nil
                bar.show(percent: job.percent, rate: job.events_per_sec, remaining: remaining, final: job.status != "running")
            }
            return job
        }
        guard job.status == "ok" else { throw CommandFailure("replay of \(job.file_name) on \(job.instance) failed: \(job.error ?? "unknown error")") }
        return "replayed \(job.replayed) events of \(job.file_name) on \(job.instance) into \(job.destination_id): "
            + "\(job.failed_again) failed again, \(job.skipped_malformed) malformed skipped, \(Self.seconds(job.duration_ms))"
    }

    struct Written: Decodable {
        let replayed: Int
        let skipped_malformed: Int
        let failed_again: Int
    }

    /// Sends the file in chunks of lines to the bulk endpoint, one request after the other.
    private func sendLocal(_ path: String, node: NodeAddress, token: String?) throws -> String {
        let reader = try LineReader(path: path)
        let fallback = (format ?? "raw_json") == "fallback"
        let target = "/api/v1/events/bulk?destination_ids=\(destination!)&fallback=\(fallback)&skip_malformed=\(skipMalformed)"
        let (destination, chunkLines) = (destination!, Self.localChunkLines)
        let totals = try AdminCall.run { client in
            var totals = (replayed: 0, failedAgain: 0, skipped: 0)
            var bar = ProgressBar()
            let started = ContinuousClock.now
            while let chunk = try reader.next(maxLines: chunkLines) {
                var body: [UInt8] = []
                for line in chunk.lines {
                    body += chunk.bytes[line.range]
                    body.append(UInt8(ascii: "\n"))
                }
                var headers = HTTPHeaders()
                if let token { headers.set("X-Auth-Token", token) }
                let answer = try await AdminCall.send(HTTPRequest(method: .post, target: target, headers: headers, body: body), to: node, client: client, timeout: 600_000)
                guard answer.status == .ok else {
                    throw CommandFailure("\(node.description) answered \(answer.status) for lines \(chunk.lines.first!.number)-\(chunk.lines.last!.number): \(answer.bodyText)"
                        + (totals.replayed > 0 ? " (\(totals.replayed) events before them were written)" : ""))
                }
                let written = try answer.decode(Written.self)
                totals.replayed += written.replayed
                totals.failedAgain += written.failed_again
                totals.skipped += written.skipped_malformed
                let elapsed = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
                let fraction = reader.size > 0 ? Double(reader.bytesRead) / Double(reader.size) : 1
                let events = Double(totals.replayed + totals.failedAgain + totals.skipped)
                bar.show(percent: fraction * 100, rate: elapsed > 0 ? events / elapsed : 0,
                         remaining: fraction > 0 ? elapsed * (1 - fraction) / fraction : nil)
            }
            bar.show(percent: 100, rate: 0, remaining: 0, final: true)
            return totals
        }
        return "sent \(path) to \(destination): \(totals.replayed) written, \(totals.failedAgain) failed again, \(totals.skipped) malformed skipped"
    }

    static func seconds(_ milliseconds: Int) -> String {
        String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}
