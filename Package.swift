// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "skyshard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skyshard", targets: ["skyshard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // The only place that imports SQLite's C API.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // ADQL text → AST → ADQL / SQLite SQL. Knows nothing of catalogs or TAP.
        .target(name: "ADQL", swiftSettings: strict),
        // Spherical geometry and the Qserv chunking scheme.
        .target(name: "Sky", swiftSettings: strict),
        // Values, column descriptors and row batches shared by the engine and the writers.
        .target(name: "Tabular", swiftSettings: strict),
        // Tables, columns, partitioning metadata, Felis YAML.
        .target(name: "Catalog", dependencies: ["Sky", "Tabular", .product(name: "Yams", package: "Yams")],
                swiftSettings: strict),
        // Binder, rewrite passes, DistributedPlan.
        .target(name: "Planner", dependencies: ["ADQL", "Sky", "Catalog", "Tabular"], swiftSettings: strict),
        // SQLite connections, UDFs, scatter-gather executor, merge, ingest, demo data generator.
        .target(name: "Shard", dependencies: ["Planner", "Catalog", "Sky", "Tabular", "CSQLite"],
                swiftSettings: strict),
        // Streaming VOTable / CSV / TSV writers.
        .target(name: "VOTable", dependencies: ["Tabular"], swiftSettings: strict),
        // The TAP 1.1 HTTP service.
        // Knows the query engine only through the `TAPQueryEngine` protocol.
        .target(name: "TAPService", dependencies: [
            "VOTable", "Tabular",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "skyshard", dependencies: [
            "ADQL", "Sky", "Catalog", "Planner", "Shard", "VOTable", "TAPService", "Tabular",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),

        .testTarget(name: "ADQLTests", dependencies: ["ADQL"], resources: [], swiftSettings: strict),
        .testTarget(name: "SkyTests", dependencies: ["Sky"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"], swiftSettings: strict),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "ADQL", "Catalog", "Sky"], swiftSettings: strict),
        .testTarget(name: "ShardTests", dependencies: ["Shard", "Planner", "Catalog", "Sky", "Tabular", "ADQL"],
                    swiftSettings: strict),
        .testTarget(name: "VOTableTests", dependencies: ["VOTable", "Tabular"], swiftSettings: strict),
        .testTarget(name: "TAPServiceTests", dependencies: [
            "TAPService", "VOTable", "Tabular",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ], swiftSettings: strict),
    ]
)
