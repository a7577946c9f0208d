// swift-tools-version: 6.1
import PackageDescription

// The libFuzzer target over lexer → parser → binder → planner (issue 22, point 6). A package of
// its own, referring to the main package by path, so that the normal build and test never
// build it. Build and run it with scripts/fuzz.sh (`-sanitize=fuzzer,address`).
let package = Package(
    name: "skyshard-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "skyshard", path: "../..")],
    targets: [
        .executableTarget(
            name: "ADQLPlannerFuzz",
            dependencies: [.product(name: "SkyShardPlanning", package: "skyshard")],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
)
