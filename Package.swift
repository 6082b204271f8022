// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rivulet",
    platforms: [.macOS(.v15)],
    products: [],
    dependencies: [],
    targets: [
        .target(name: "Gossip"),
        .testTarget(name: "GossipTests", dependencies: ["Gossip"]),
    ],
    swiftLanguageModes: [.v6]
)
