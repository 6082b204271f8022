extension NodeConfiguration {
    /// The configuration `rivulet serve` uses when no `--config` is given: one node, every default written out.
    ///
    /// It doubles as a commented reference for the file format. A test
    /// checks that it loads to exactly `NodeConfiguration()`, so the text cannot drift from the defaults in code.
    public static let embeddedDefault = """
        # rivulet node configuration: the built-in single-node defaults.
        # Every key is optional; a key set to nothing (`port:`) also means its default.
        # Durations take seconds (10, 0.5) or Go-style strings ("500ms", "10s", "1m", "2h").

        server:
          name: rivulet             # instance name, unique in the cluster; part of file names ([A-Za-z0-9._-])
          port: 8001                # HTTP port for the admin, event and connector APIs; 0 = any free port
          # admin_token: "..."      # X-Admin-Token for /api/v1/*; the RIVULET_ADMIN_TOKEN variable overrides it
          # data_dir: ./data/rivulet  # defaults to ./data/<name>
          max_event_size: 51200     # bytes; larger events get 413
          trust_proxy: false        # true only behind a proxy that sets X-Forwarded-For
          replay_allowed_dirs: []   # directories besides data_dir that replay may read
          http:
            max_header_bytes: 16384
            max_body_bytes: 10485760
            header_timeout: 10s     # to receive a request's head
            idle_timeout: 60s       # keep-alive connection between requests
            drain_timeout: 10s      # for in-flight requests at shutdown

        cluster:
          name: rivulet             # every node of one cluster uses the same name
          bind: 127.0.0.1:7001      # UDP gossip and TCP push-pull; 0.0.0.0 to reach other hosts
          # advertise: 10.0.0.5:7001  # what other nodes dial, when the bind address is not it
          seeds: []                 # host:port of other nodes to join; empty = a cluster of one
          roles: [admin, pipeline]  # work this node takes; gossiped so owners are picked among members with the role
          # secret: "..."           # base64 of 32 bytes (openssl rand -base64 32): encrypts gossip; a list rotates keys
          # gossip: {profile: lan}  # memberlist's LAN timing; loopback for one host; single keys override

        logging:
          level: info               # trace, debug, info, notice, warning, error, critical
          format: text              # text or json

        metrics:
          enabled: true
          path: /metrics
        """
}
