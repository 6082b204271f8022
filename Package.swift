// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rivulet",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "NodeConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "NodeConfigTests",
            dependencies: ["NodeConfig"]
        ),
    ]
)
