// swift-tools-version:6.0
import PackageDescription

// The reference point of `scripts/bench/http.sh`: a plain Hummingbird 2 app serving rivulet's `GET /api/v1/cluster`.
// It is a package of its own so that rivulet's build never resolves Hummingbird.
let package = Package(
    name: "hummingbird-baseline",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        // Hummingbird's own dependency, named here for `HTTPField.Name`, which it does not re-export.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(name: "hummingbird-baseline", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ]
)
