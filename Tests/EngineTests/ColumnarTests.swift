import ADQL
import Catalog
import Columnar
import Foundation
import Planner
import QueryEngine
import ScatterGather
import Tabular
import TestSupport
import Testing

/// The columnar path (issue 20) against the SQLite path and the unsharded oracle: every shape
/// runs three ways on the differential catalog (whose ingest wrote column files) — the plan as
/// compiled (columnar where supported), the same plan with its columnar plan removed (SQLite
/// chunk statements), and plain SQLite on one unsharded file — and the answers must agree.
/// Integers and text exactly; floats within a relative 1e-9 (`DifferentialComparison`): a
/// chunk's floats are summed in rowid order on both paths, but the merge adds the chunks'
/// partial sums in arrival order, and the oracle sums all rows in one order.
@Suite struct ColumnarTests {
    struct Shape: Sendable, CustomStringConvertible {
        var name: String
        var adql: String
        /// Whether the plan must be columnar (false: whatever the planner chooses is checked).
        var columnar = true
        var description: String { name }
    }

    static let fs = "dp02_dc2_catalogs.ForcedSource"
    static let object = "dp02_dc2_catalogs.Object"
    static let magnitude = "FLOOR(-2.5 * LOG10(r_psfFlux) + 31.4)"

    static let shapes: [Shape] = [
        Shape(name: "group by one column", adql: "SELECT band, COUNT(*), AVG(psfFlux) FROM \(fs) GROUP BY band"),
        Shape(
            name: "group by two columns",
            adql: "SELECT tract, patch, COUNT(*), MIN(r_psfFlux), MAX(r_psfFlux), SUM(patch) FROM \(object) GROUP BY tract, patch"),
        Shape(
            name: "group by an expression (magnitude histogram)",
            adql: "SELECT \(magnitude) AS mag, COUNT(*) FROM \(object) WHERE r_psfFlux > 0 GROUP BY \(magnitude)"),
        Shape(
            name: "integer arithmetic key",
            adql: "SELECT tract * 1000 + patch AS tp, COUNT(*), AVG(g_psfFlux) FROM \(object) GROUP BY tract * 1000 + patch"),
        Shape(
            name: "HAVING", adql: "SELECT ccdVisitId, COUNT(*) AS n FROM \(fs) GROUP BY ccdVisitId HAVING COUNT(*) > 2"),
        Shape(
            name: "ORDER BY an aggregate",
            adql: "SELECT band, SUM(psfFlux) AS s, COUNT(*) AS n FROM \(fs) GROUP BY band ORDER BY s DESC"),
        Shape(
            name: "NULL group key",
            adql: "SELECT patch / (tract - tract) AS g, COUNT(*), SUM(r_psfFlux) FROM \(object) GROUP BY patch / (tract - tract)"),
        Shape(
            name: "NULL values in aggregates",
            adql:
                "SELECT band, AVG(LOG10(psfFlux)), SUM(psfFlux / (ccdVisitId - ccdVisitId)), COUNT(LOG10(psfFlux)), MIN(LOG10(psfFlux)) FROM \(fs) GROUP BY band"
        ),
        Shape(
            name: "COUNT(DISTINCT) without GROUP BY",
            adql: "SELECT COUNT(DISTINCT objectId) FROM \(fs) WHERE band = 'r'"),
        Shape(
            name: "COUNT(DISTINCT) with GROUP BY (values gathered)",
            adql: "SELECT band, COUNT(DISTINCT ccdVisitId) FROM \(fs) GROUP BY band"),
        Shape(
            name: "COUNT(DISTINCT) of the director key with GROUP BY (counted per chunk)",
            adql: "SELECT band, COUNT(DISTINCT objectId), COUNT(*) FROM \(fs) WHERE psfFlux > 0 GROUP BY band"),
        Shape(
            name: "empty input, no GROUP BY",
            adql: "SELECT COUNT(*), SUM(psfFlux), MIN(psfFlux), MAX(tract), AVG(psfFlux) FROM \(fs) WHERE psfFlux > 1e300"),
        Shape(name: "empty input, GROUP BY", adql: "SELECT band, COUNT(*) FROM \(fs) WHERE psfFlux > 1e300 GROUP BY band"),
        Shape(name: "filtered aggregate", adql: "SELECT AVG(psfFlux), COUNT(*) FROM \(fs) WHERE psfFluxErr > 0"),
        Shape(
            name: "IN, BETWEEN, OR, NOT, IS NULL",
            adql:
                "SELECT COUNT(*), SUM(tract) FROM \(object) WHERE (patch IN (1, 2, 3) OR tract BETWEEN 3000 AND 5000 OR patch NOT BETWEEN 10 AND 40) AND NOT (r_psfFlux IS NULL)"
        ),
        Shape(
            name: "boolean and text keys",
            adql: "SELECT detect_isPrimary, band, COUNT(*) FROM \(fs) WHERE band <> 'g' AND band >= 'i' GROUP BY detect_isPrimary, band"
        ),
        Shape(
            name: "DISTANCE and math",
            adql:
                "SELECT COUNT(*), AVG(SQRT(ABS(r_psfFlux))), MAX(POWER(g_psfFlux, 2)) FROM \(object) WHERE DISTANCE(POINT('ICRS', coord_ra, coord_dec), POINT('ICRS', 60, -35)) < 30"
        ),
        Shape(
            name: "CONTAINS in a wide circle",
            adql:
                "SELECT COUNT(*), AVG(r_psfFlux) FROM \(object) WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -37, 40)) = 1",
            columnar: false),
    ]

    var engine: SkyShardEngine { DifferentialFixture.engine }

    func rows(_ result: QueryResult) async throws -> [[Value]] {
        let batch = try await result.collect()
        return (0..<batch.rowCount).map { Array(batch.row($0)) }
    }

    func localWorker() throws -> LocalShardWorker {
        try #require(engine.executor.workers.first as? LocalShardWorker)
    }

    @Test(arguments: ColumnarTests.shapes)
    func columnarAgreesWithSQLiteAndTheOracle(_ shape: Shape) async throws {
        let plan = try #require(try engine.plan(shape.adql).distributed, "\(shape.name) does not distribute")
        if shape.columnar {
            #expect(plan.columnar != nil, "\(shape.name): \(plan.sqliteReason)")
            #expect(plan.explanation.contains("chunk path: columnar"))
        }
        let worker = try localWorker()
        let before = worker.columnarStats.columnarChunks
        let columnar = try await rows(engine.executor.execute(plan))
        if plan.columnar != nil {
            #expect(worker.columnarStats.columnarChunks > before, "no chunk was answered from column files")
        }
        var sqlitePlan = plan
        sqlitePlan.columnar = nil
        let sqlite = try await rows(engine.executor.execute(sqlitePlan))
        let oracle = DifferentialFixture.oracle
        let reference = try oracle.rows(try oracle.render(try ADQLParser.parse(shape.adql)))
        let ordered = shape.adql.contains("ORDER BY")
        for (name, other) in [("SQLite path", sqlite), ("unsharded oracle", reference)] {
            let problem =
                ordered
                ? DifferentialComparison.compareOrdered(columnar, other)
                : DifferentialComparison.compareMultiset(columnar, other)
            #expect(problem == nil, "\(shape.name), columnar vs \(name): \(problem ?? "")")
        }
        // The shapes must not be trivially empty (except the empty-input ones).
        if !shape.name.hasPrefix("empty") { #expect(!reference.isEmpty) }
    }

    /// Statements the executor does not support stay on SQLite, and EXPLAIN says why.
    @Test(arguments: [
        "SELECT objectId, r_psfFlux FROM dp02_dc2_catalogs.Object WHERE r_psfFlux > 0",
        "SELECT band, COUNT(*) FROM dp02_dc2_catalogs.ForcedSource WHERE band LIKE 'r%' GROUP BY band",
        "SELECT COUNT(*) FROM dp02_dc2_catalogs.Object WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -37, 0.2)) = 1",
        // Key lookups read a few rows through the key's index rather than scanning the chunk.
        "SELECT COUNT(*) FROM dp02_dc2_catalogs.Object WHERE objectId IN (1, 2, 3)",
        "SELECT AVG(psfFlux) FROM dp02_dc2_catalogs.ForcedSource WHERE objectId = 7 AND band = 'r'",
    ])
    func unsupportedStatementsStayOnSQLite(_ adql: String) throws {
        let plan = try #require(try engine.plan(adql).distributed)
        #expect(plan.columnar == nil)
        #expect(plan.explanation.contains("chunk path: SQLite ("))
    }

    /// GROUP BY objectId over ForcedSource with a bound of 4 groups per chunk: every chunk with
    /// more objects runs its SQLite statement instead, and the answer is still exact.
    @Test func tooManyGroupsFallBackToSQLitePerChunk() async throws {
        let pool = BlockingPool(threads: 2)
        let worker = LocalShardWorker(
            version: engine.version, description: engine.catalog, pool: pool, columnarMaxGroups: 4)
        let executor = ScatterGatherExecutor(workers: [worker], pool: pool)
        let adql = "SELECT objectId, COUNT(*), AVG(psfFlux) FROM \(Self.fs) GROUP BY objectId"
        let plan = try #require(try engine.plan(adql).distributed)
        #expect(plan.columnar != nil)
        let actual = try await rows(executor.execute(plan))
        let oracle = DifferentialFixture.oracle
        let reference = try oracle.rows(try oracle.render(try ADQLParser.parse(adql)))
        #expect(DifferentialComparison.compareMultiset(actual, reference) == nil)
        #expect(worker.columnarStats.fallbacks > 0)
        #expect(worker.columnarStats.fallbackReasons["more than 4 groups in the chunk"] ?? 0 > 0)
        // Chunks with few objects were still answered from their column files.
        #expect(worker.columnarStats.columnarChunks + worker.columnarStats.fallbacks == plan.chunkIds.count)
    }
}

/// The column file format: what is written is read back, and a file that does not belong to
/// the chunk beside it, or is damaged, is never read.
@Suite struct ColumnFileTests {
    /// One directory for the process: each test gets its own instance of the suite, and making
    /// the directory again would empty it under the tests already writing there.
    static let scratch = ScratchDirectory.make(prefix: "skyshard-columns-")
    var directory: URL { Self.scratch }
    let identity = ColumnFileIdentity(chunkId: 42, chunkFileSize: 123_456, catalogVersion: "v1")

    /// A column file of five rows, under a name of the test's own (tests run at once).
    func written(_ name: String = #function) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var writer = ColumnFileWriter(identity: identity, rowCount: 5)
        writer.add("id", .int64([1, -2, 3, Int64.max, Int64.min], nulls: nil))
        writer.add("flux", .double([0.5, -1e300, 0, 2, 3], nulls: [false, false, true, false, true]))
        writer.add("flag", .bool([true, false, true, false, false], nulls: nil))
        writer.add("band", .text(["r", "g", nil, "r", "i"]))
        let path = directory.appendingPathComponent("\(name.prefix { $0 != "(" }).columns").path
        try writer.write(to: path)
        return path
    }

    @Test func valuesRoundTrip() throws {
        let file = try MappedColumnFile(path: written(), expected: identity)
        #expect(file.rowCount == 5)
        var plan = ColumnarPlan(
            table: "T", filter: nil, keys: [.column("id"), .column("flux"), .column("flag"), .column("band")],
            aggregates: [], outputs: (0..<4).map { .key($0) }, grouped: true)
        plan.columns = ["id", "flux", "flag", "band"]
        let batch = try ColumnarExecutor().run(plan, file: file)
        let rows = (0..<batch.rowCount).map { Array(batch.row($0)) }
        #expect(
            rows == [
                [.integer(1), .real(0.5), .integer(1), .text("r")],
                [.integer(-2), .real(-1e300), .integer(0), .text("g")],
                [.integer(3), .null, .integer(1), .null],
                [.integer(Int64.max), .real(2), .integer(0), .text("r")],
                [.integer(Int64.min), .null, .integer(0), .text("i")],
            ])
    }

    @Test func aFileOfAnotherChunkOrVersionIsNotRead() throws {
        let path = try written()
        for other in [
            ColumnFileIdentity(chunkId: 43, chunkFileSize: 123_456, catalogVersion: "v1"),
            ColumnFileIdentity(chunkId: 42, chunkFileSize: 123_457, catalogVersion: "v1"),
            ColumnFileIdentity(chunkId: 42, chunkFileSize: 123_456, catalogVersion: "v2"),
        ] {
            #expect(throws: ColumnFileError.self) { try MappedColumnFile(path: path, expected: other) }
        }
    }

    @Test func aDamagedFileIsRefused() throws {
        let path = try written()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Cut anywhere: too short for its directory or its sections.
        for length in [0, 7, 40, bytes.count / 2, bytes.count - 8] {
            let cut = directory.appendingPathComponent("damaged_\(length).columns")
            try bytes.prefix(length).write(to: cut)
            #expect(throws: ColumnFileError.self) { try MappedColumnFile(path: cut.path, expected: identity) }
        }
    }

    @Test func anOutOfRangeCodeLeavesTheChunkToSQLite() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try written())))
        // band's codes, little-endian u32: r g NULL r i over the dictionary g i r.
        let codes: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]
        let at = try #require((0...(bytes.count - codes.count)).first { Array(bytes[$0..<($0 + codes.count)]) == codes })
        bytes[at] = 7
        let damaged = directory.appendingPathComponent("out_of_range_code.columns")
        try Data(bytes).write(to: damaged)
        // The header and directory are sound: the file opens; its codes are checked when read.
        let file = try MappedColumnFile(path: damaged.path, expected: identity)
        let byBand = ColumnarPlan(
            table: "T", filter: nil, keys: [.column("band")], aggregates: [ColumnarAggregate(.countStar, nil)],
            outputs: [.key(0), .aggregate(0)], grouped: true)
        #expect(throws: ColumnarFallback.self) { try ColumnarExecutor().run(byBand, file: file) }
        // Its other columns are still read.
        let positive = ColumnarPlan(
            table: "T", filter: .compare(.greater, .column("id"), .integer(0)), keys: [],
            aggregates: [ColumnarAggregate(.countStar, nil)], outputs: [.aggregate(0)], grouped: false)
        let batch = try ColumnarExecutor().run(positive, file: file)
        #expect(Array(batch.row(0)) == [.integer(3)])
    }

    @Test func integerOverflowLeavesTheChunkToSQLite() throws {
        let file = try MappedColumnFile(path: written(), expected: identity)
        let plan = ColumnarPlan(
            table: "T", filter: nil, keys: [], aggregates: [ColumnarAggregate(.sum, .column("id"))],
            outputs: [.aggregate(0)], grouped: false)
        #expect(throws: ColumnarFallback.self) { try ColumnarExecutor().run(plan, file: file) }
        let product = ColumnarPlan(
            table: "T", filter: .compare(.greater, .arithmetic(.multiply, .column("id"), .integer(2)), .integer(0)),
            keys: [], aggregates: [ColumnarAggregate(.countStar, nil)], outputs: [.aggregate(0)], grouped: false)
        #expect(throws: ColumnarFallback.self) { try ColumnarExecutor().run(product, file: file) }
    }
}
