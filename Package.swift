// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rivulet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rivulet", targets: ["rivulet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // 4.x because jwt-kit 5.7 requires it.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        // Debian's C libraries, one module map each; only the module named beside each imports it.
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),  // Loop
        .systemLibrary(name: "CHTTPParser", providers: [.apt(["libhttp-parser-dev"])]),  // HTTP
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),  // Pipeline (gzip S3 objects)
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),  // Pipeline

        // Libraries only some nodes use, opened on first use rather than linked (CLazyLibrary), with the headers
        // of libjavascriptcoregtk-4.1-dev and libpq-dev.
        .target(name: "CLazyLibrary"),
        .target(name: "CJavaScriptCore", dependencies: ["CLazyLibrary"]),  // Templates
        .target(name: "CLibPQ", dependencies: ["CLazyLibrary"]),  // Pipeline

        .target(name: "Loop", dependencies: ["CLibUV"]),
        .target(name: "HTTP", dependencies: [
            "Loop", "CHTTPParser",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The byte reader and writer the Gossip and Replication wire codecs share.
        .target(name: "WireBytes"),
        .target(name: "Gossip", dependencies: ["WireBytes"]),
        // The in-memory network the gossip tests and the membership benchmark share.
        .target(name: "GossipSimulation", dependencies: ["Gossip"]),
        .target(name: "Templates", dependencies: ["CJavaScriptCore"]),
        // The replicated map, its sync protocol, ownership hashing and id allocation: pure, like Gossip.
        .target(name: "Replication", dependencies: ["WireBytes"]),
        .target(name: "Cluster", dependencies: [
            "Loop", "HTTP", "Gossip", "Replication", "WireBytes",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Events in, destinations out: ingestion, the incoming log, delivery, fallback files.
        .target(name: "Pipeline", dependencies: [
            "Loop", "HTTP", "Templates", "NodeConfig", "CLibPQ", "CZlib", "CHiredis",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Sources: scheduled syncs from databases into destinations, run by the owner node, with replicated state.
        .target(name: "SourceSync", dependencies: [
            "Loop", "Templates", "NodeConfig", "Pipeline", "Cluster",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Admin token, OAuth2 client credentials (HS256 tokens) and permission checks.
        // Analytics connectors: topic logs, the connector model and validation, tasks and their S3/PostgreSQL sinks.
        .target(name: "Connectors", dependencies: [
            "Loop", "HTTP", "Templates", "NodeConfig", "Pipeline", "Cluster",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "Auth", dependencies: [
            "NodeConfig", "WireBytes",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "NodeConfig", dependencies: ["HTTP", "Gossip", .product(name: "Yams", package: "Yams")]),
        .target(name: "Node", dependencies: [
            "Loop", "HTTP", "Auth", "NodeConfig", "Cluster", "Gossip", "Templates", "Pipeline", "SourceSync", "Connectors",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // startup.order is the release link order (scripts/build-release.sh), written by scripts/startup-order.sh.
        .executableTarget(name: "rivulet", dependencies: [
            "Node", "NodeConfig", "HTTP", "Loop", "Templates", "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["startup.order"]),
        .executableTarget(name: "gossip-bench", dependencies: ["GossipSimulation", "Gossip"]),
        .executableTarget(name: "templates-bench", dependencies: ["Templates"]),
        .executableTarget(name: "postgres-bench", dependencies: [
            "Pipeline", "Loop", "HTTP", "NodeConfig", "Templates", .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "TestSupport", dependencies: [
            "Loop", "HTTP", "Pipeline", "Templates", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "LoopTests", dependencies: ["Loop", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Loop", "TestSupport"]),
        .testTarget(name: "GossipTests", dependencies: ["Gossip", "GossipSimulation", "WireBytes"]),
        // The Go reference program is built by the differential test, not by SwiftPM.
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"], exclude: ["GoReference"]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication"]),
        .testTarget(name: "ClusterTests", dependencies: [
            "Cluster", "Replication", "HTTP", "Loop", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "NodeConfig", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ConnectorsTests", dependencies: [
            "Connectors", "Pipeline", "Cluster", "Templates", "HTTP", "Loop", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SourceSyncTests", dependencies: ["SourceSync", "Templates", "NodeConfig", "Pipeline", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "Templates", "NodeConfig", "HTTP", "Loop", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "NodeConfigTests", dependencies: ["NodeConfig", "HTTP", "Gossip"]),
        .testTarget(name: "NodeTests", dependencies: [
            "Node", "NodeConfig", "HTTP", "Loop", "Auth", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Cluster"]),
    ]
)
