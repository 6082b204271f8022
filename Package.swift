// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rivulet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Templates", targets: ["Templates"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "Templates"),
        .testTarget(
            name: "TemplatesTests",
            dependencies: ["Templates"],
            // The Go reference program is built by the differential test, not by SwiftPM.
            exclude: ["GoReference"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
