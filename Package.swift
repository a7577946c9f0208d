// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

// The layers, lowest first; every dependency points down this list (docs/architecture.md).
let package = Package(
    name: "skyshard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skyshard", targets: ["skyshard"]),
        .executable(name: "skyshard-bench", targets: ["skyshard-bench"]),
        // Text to plan, for the fuzz package (Tests/Fuzz), which is built apart from this one.
        .library(name: "SkyShardPlanning", targets: ["ADQL", "Sky", "Tabular", "Catalog", "Planner"]),
        .executable(name: "skyshard-loadtest", targets: ["skyshard-loadtest"]),
        .executable(name: "ceiling-server", targets: ["ceiling-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Settings from the environment and a YAML file (`skyshard serve --config F`).
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // multipart/form-data bodies: the tables a TAP UPLOAD sends inline.
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        // The load generator's HTTP client and latency histograms (never linked into the service).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // SQLite's C API, from the system library. Only `SQLiteKit` imports it.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // libxml2's C API, from the system library. Only `VOTable` imports it (the VOTable reader).
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        // ADQL text → AST → ADQL / SQLite SQL. Knows nothing of catalogs or TAP.
        .target(name: "ADQL", swiftSettings: strict),
        // Spherical geometry and the Qserv chunking scheme.
        .target(name: "Sky", swiftSettings: strict),
        // Values, column descriptors, row batches and the query error shared by every layer.
        .target(name: "Tabular", swiftSettings: strict),
        // Tables, columns, partitioning metadata, Felis YAML, TAP_SCHEMA (column names as ADQL writes them).
        .target(name: "Catalog", dependencies: ["ADQL", "Tabular", .product(name: "Yams", package: "Yams")],
                swiftSettings: strict),
        // Typed column files per chunk (memory-mapped) and the vectorised executor of aggregates over them.
        .target(name: "Columnar", dependencies: ["Sky", "Tabular"], swiftSettings: strict),
        // Binder, rewrite passes, DistributedPlan.
        .target(name: "Planner", dependencies: ["ADQL", "Sky", "Catalog", "Tabular", "Columnar"], swiftSettings: strict),
        // SQLite connections and statements, the authorizer, and the SQL functions (ADQL
        // geometry and math, scisql, partial aggregates).
        .target(name: "SQLiteKit", dependencies: ["CSQLite", "ADQL", "Sky", "Tabular"], swiftSettings: strict),
        // Shard workers, the scatter-gather executor, merge streams, shared scans.
        .target(name: "ScatterGather", dependencies: ["SQLiteKit", "Planner", "Catalog", "Tabular", "Columnar"],
                swiftSettings: strict),
        // The query engine the service sees: catalog versions, planning, the coordinator,
        // TAP_SCHEMA, per-user admission.
        .target(name: "QueryEngine", dependencies: [
            "ScatterGather", "SQLiteKit", "Planner", "Catalog", "ADQL", "Sky", "Tabular",
        ], swiftSettings: strict),
        // CSV catalogs → chunk files, the director index, catalog versions.
        .target(name: "Ingest", dependencies: ["SQLiteKit", "Planner", "Catalog", "Sky", "Tabular", "Columnar"],
                swiftSettings: strict),
        // The DC2-like demo catalog: its schema (a resource) and generator.
        .target(name: "DemoData", dependencies: ["Ingest", "Catalog", "Tabular"],
                resources: [.copy("Resources/dp02_dc2_demo.yaml")], swiftSettings: strict),
        // UWS 1.1 jobs: the job model, the job store on disk, the queue that runs them.
        .target(name: "UWS", dependencies: ["Tabular"], swiftSettings: strict),
        // Who may do what: bearer tokens (the token file, salted hashes, the authenticator).
        .target(name: "Access", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // Streaming VOTable / CSV / TSV / JSON writers, and the streaming VOTable reader (uploads).
        .target(name: "VOTable", dependencies: ["CLibXML2", "Tabular"], swiftSettings: strict),
        // The TAP 1.1 HTTP service.
        // Knows the query engine only through the `TAPQueryEngine` protocol.
        .target(name: "TAPService", dependencies: [
            "Access", "VOTable", "UWS", "Tabular",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "MultipartKit", package: "multipart-kit"),
        ],
                // The built-in web page (HTML, CSS, JavaScript), served at `/` (WebPage.swift).
                resources: [.copy("Web")], swiftSettings: strict),
        .executableTarget(name: "skyshard", dependencies: [
            "ADQL", "Sky", "Catalog", "Planner", "QueryEngine", "Ingest", "DemoData", "VOTable", "TAPService",
            "UWS", "Tabular", "Access",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // The benchmark suite: SkyShard against one unsharded SQLite file, apart from the library,
        // with its CPU-affinity calls.
        .target(name: "CPUAffinity", path: "Benchmarks/CPUAffinity"),
        .executableTarget(name: "skyshard-bench", dependencies: [
            "CPUAffinity", "ADQL", "Catalog", "Planner", "SQLiteKit", "ScatterGather", "QueryEngine", "Ingest",
            "DemoData", "Tabular",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/skyshard-bench", swiftSettings: strict),
        // The load generator (`skyshard loadtest` runs `skyshard-loadtest`): N users of the TAP
        // service over keep-alive connections, latency per query kind. Apart from the service
        // targets so that the HTTP client stays out of the server.
        .target(name: "LoadTest", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "skyshard-loadtest", dependencies: [
            "LoadTest", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The ceiling of the load benchmark: a trivial Hummingbird handler answering a fixed VOTable.
        .executableTarget(name: "ceiling-server", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
        ], path: "Benchmarks/ceiling-server", swiftSettings: strict),

        // Helpers shared by the test targets: scratch directories, repository paths, XML reading.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ADQLTests", dependencies: ["ADQL"], swiftSettings: strict),
        .testTarget(name: "SkyTests", dependencies: ["Sky"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Tabular"], swiftSettings: strict),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "ADQL", "Catalog", "Sky", "Tabular"], swiftSettings: strict),
        .testTarget(name: "EngineTests", dependencies: [
            "TestSupport", "QueryEngine", "ScatterGather", "SQLiteKit", "Ingest", "DemoData", "Planner", "Catalog",
            "Sky", "Tabular", "ADQL", "Columnar",
        ], swiftSettings: strict),
        .testTarget(name: "BenchmarkTests", dependencies: ["skyshard-bench"], swiftSettings: strict),
        .testTarget(name: "LoadTestTests", dependencies: ["LoadTest", "ADQL"], swiftSettings: strict),
        .testTarget(name: "UWSTests", dependencies: ["TestSupport", "UWS", "Tabular"], swiftSettings: strict),
        .testTarget(name: "VOTableTests", dependencies: ["TestSupport", "VOTable", "Tabular"], swiftSettings: strict),
        .testTarget(name: "AccessTests", dependencies: ["TestSupport", "Access"], swiftSettings: strict),
        .testTarget(name: "TAPServiceTests", dependencies: [
            "TestSupport", "TAPService", "Tabular", "Access", "UWS", "VOTable",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict),
    ]
)
