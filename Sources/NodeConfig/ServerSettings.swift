import HTTP

/// The `server:` section: who this node is and how its HTTP side behaves.
public struct ServerSettings: Sendable, Equatable {
    /// `server.name`, default `"rivulet"`. The instance name `/api/v1/cluster` reports, and part of the names of
    /// the fallback files this node writes, so it must be unique in the cluster and is limited to `[A-Za-z0-9._-]`.
    /// The default is a fixed word rather than the hostname so a restarted container keeps finding its own files.
    public var name = "rivulet"

    /// `server.port`, default 8001. The TCP port of the HTTP listener serving the admin, event and connector APIs
    /// (Jitsu's default). 0 binds an ephemeral port, which tests use and which the node prints once bound.
    public var port = 8001

    /// `server.host`, default `127.0.0.1`. The address the HTTP listener binds. Loopback by default so a node started
    /// by hand is not reachable from the network by accident; containers and real clusters set `0.0.0.0`.
    public var host = "127.0.0.1"

    /// `server.admin_token`, default none. The `X-Admin-Token` value required by the `/api/v1/*` admin endpoints;
    /// the environment variable `RIVULET_ADMIN_TOKEN` overrides it, so it need not be written into a file. Leave it
    /// unset only on a node that nobody else can reach.
    public var adminToken: String?

    /// `server.data_dir`, default `./data/<server.name>`, relative to the working directory. Holds fallback files,
    /// batch logs, topic logs and the state database. Two nodes on one machine need different directories, which
    /// the name-based default gives them.
    public var dataDir: String?

    /// `server.max_event_size`, in bytes, default 51200 (Jitsu's limit). An event body larger than this is refused
    /// with 413; raising it lets bigger events in at the cost of memory held per request.
    public var maxEventSize = 51_200

    /// `server.trust_proxy`, default false. When true, the client address of an event comes from `X-Forwarded-For`
    /// and `X-Real-IP`; only enable it behind a proxy that sets them, since any client can forge them otherwise.
    public var trustProxy = false

    /// `server.replay_allowed_dirs`, default empty. Directories besides `data_dir` from which the replay API may
    /// read files. Every other path is refused, so the API cannot be used to read arbitrary files on the host.
    public var replayAllowedDirs: [String] = []

    /// `server.http`: limits of the HTTP listener.
    public var http = HTTPLimits()

    /// Settings with every default.
    public init() {}

    /// The directory the node uses: `dataDir` when set, otherwise `./data/<name>`.
    public var dataDirectory: String {
        dataDir ?? "./data/\(name)"
    }
}
