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
        .systemLibrary(
            name: "CJavaScriptCore",
            pkgConfig: "javascriptcoregtk-4.1",
            providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]
        ),
        .target(name: "Templates", dependencies: ["CJavaScriptCore"]),
        .testTarget(
            name: "TemplatesTests",
            dependencies: ["Templates"],
            // The Go reference program is built by the differential test, not by SwiftPM.
            exclude: ["GoReference"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
