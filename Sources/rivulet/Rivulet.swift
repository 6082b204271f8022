import ArgumentParser
import Foundation
import Loop
import Node
import NodeConfig

@main
struct Rivulet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rivulet",
        abstract: "A clustered event-pipeline node.",
        subcommands: [Serve.self, ClusterCommand.self, FallbackCommand.self, ReplayCommand.self, EvaluateCommand.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

/// `rivulet serve`: runs one node in the foreground until SIGTERM or SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a node (embedded single-node defaults without --config).")

    @Option(name: .long, help: "Path of the node's YAML configuration.")
    var config: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: NodeConfiguration
        do {
            configuration = try config.map { try NodeConfiguration.load(path: $0, environment: environment) }
                ?? NodeConfiguration.load(yaml: NodeConfiguration.embeddedDefault, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("rivulet: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        NodeLogging.bootstrap(configuration.logging)
        HeapTuning.apply()
        let node: NodeApplication
        do {
            node = try NodeApplication(configuration: configuration)
        } catch let error as ConfigError {
            // `destinations` and `api_keys` are typed by the pipeline when the node is built.
            FileHandle.standardError.write(Data("rivulet: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let status = node.run { listening in
            // One machine-readable line on stdout: scripts and tests read the real ports from it.
            FileHandle.standardOutput.write(Data("rivulet \(configuration.server.name) listening http=\(listening.http) gossip=\(listening.gossip)\n".utf8))
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// `rivulet version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("rivulet \(RivuletVersion.current)")
    }
}
