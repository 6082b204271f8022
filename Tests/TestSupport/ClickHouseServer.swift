import Foundation

/// A real `clickhouse-server` (Debian's package, 18.16) for destination tests: HTTP on a free loopback port, no
/// native TCP port, data and logs in a temporary directory. Users: `default` without a password and
/// `writer`/`secret`, for authentication tests. It runs as root too, so no `runAs` is needed.
public final class ClickHouseServer: @unchecked Sendable {
    public static let executable = "/usr/sbin/clickhouse-server"
    public static let user = "writer"
    public static let password = "secret"

    /// One server per test process, started on first use; tests that stop a server start their own.
    public static let shared = Result { try ClickHouseServer() }

    public let port: Int
    public let directory: URL
    private var process: ServiceProcess

    /// Writes the configuration and starts the server; fails with the package to install when it is missing.
    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw ServiceError.failed("\(Self.executable) is missing: install the Debian package clickhouse-server (scripts/install-deps.sh test)")
        }
        port = try ServiceProcess.freePort()
        directory = try ServiceProcess.makeDirectory("clickhouse")
        try Self.configuration(directory: directory.path, port: port).write(to: directory.appendingPathComponent("config.xml"), atomically: true, encoding: .utf8)
        try Self.users.write(to: directory.appendingPathComponent("users.xml"), atomically: true, encoding: .utf8)
        process = try Self.start(port: port, directory: directory)
    }

    /// Stops the server at once (SIGKILL, like a crash); its data stays for `restart()`.
    public func stop() {
        killProcess(listedIn: directory.appendingPathComponent("server.pid"))
        process.stop()
    }

    /// Starts the server again on the same port with the same data.
    public func restart() throws { process = try Self.start(port: port, directory: directory) }

    /// `http://user:password@127.0.0.1:port/database`.
    public func dsn(database: String, user: String = ClickHouseServer.user, password: String = ClickHouseServer.password) -> String {
        "http://\(user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// Runs `sql` as `default` with curl and returns the answer; throws with ClickHouse's message on an error.
    public func query(_ sql: String) throws -> String {
        try ServiceProcess.run("/usr/bin/curl", ["-sS", "--fail-with-body", "--data-binary", sql, "http://127.0.0.1:\(port)/"])
    }

    /// Starts the server under a shell that stays its parent. clickhouse-server closes the descriptors it inherits,
    /// among them the one Foundation's `Process` watches to learn that a child exited; Foundation would then block
    /// in `waitpid` on the running server and stop reaping every other child of the test process. The shell keeps
    /// that descriptor open and writes the server's pid for `stop()` (see `killProcess`). `setpriv --pdeathsig`
    /// ends the server with the shell, whoever kills the shell.
    private static func start(port: Int, directory: URL) throws -> ServiceProcess {
        let script = #"setpriv --pdeathsig KILL "$0" "$@" & echo $! > server.pid; wait"#
        return try ServiceProcess(name: "clickhouse", executable: "/bin/sh",
                                  arguments: ["-c", script, executable, "--config-file=\(directory.path)/config.xml"],
                                  port: port, directory: directory)
    }

    private static func configuration(directory: String, port: Int) -> String {
        """
        <?xml version="1.0"?>
        <yandex>
            <logger><level>warning</level><log>\(directory)/server.log</log><errorlog>\(directory)/error.log</errorlog></logger>
            <http_port>\(port)</http_port>
            <listen_host>127.0.0.1</listen_host>
            <path>\(directory)/data/</path>
            <tmp_path>\(directory)/tmp/</tmp_path>
            <user_files_path>\(directory)/user_files/</user_files_path>
            <format_schema_path>\(directory)/format_schemas/</format_schema_path>
            <users_config>\(directory)/users.xml</users_config>
            <default_profile>default</default_profile>
            <default_database>default</default_database>
            <mark_cache_size>268435456</mark_cache_size>
        </yandex>
        """
    }

    private static let users = """
        <?xml version="1.0"?>
        <yandex>
            <profiles><default></default></profiles>
            <users>
                <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
                <\(user)><password>\(password)</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></\(user)>
            </users>
            <quotas><default></default></quotas>
        </yandex>
        """
}
