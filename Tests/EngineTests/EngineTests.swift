import Catalog
import Foundation
import Planner
import Sky
import Tabular
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

/// One small demo catalog, generated and ingested once for all engine tests into a temporary
/// directory: real chunk files, a real director index, real SQLite.
enum EngineFixture {
    static let objects = 5_000

    static let dataRoot = ScratchDirectory.make(prefix: "skyshard-engine-tests-")

    static let engine: SkyShardEngine = {
        do {
            _ = try DemoCatalog.ensure(dataRoot: dataRoot, objects: objects)
            return try SkyShardEngine(dataRoot: dataRoot, defaultTimeout: TestTimeLimits.correctness)
        } catch {
            fatalError("cannot build the engine test catalog: \(error)")
        }
    }()

    /// (objectId, ra, dec) of every Object row, read straight from the chunk files.
    static let allObjects: [(id: Int64, ra: Double, dec: Double)] = {
        var rows: [(Int64, Double, Double)] = []
        for chunk in engine.catalog.chunkIds {
            let connection = try! SQLiteConnection(path: engine.version.chunkFile(chunk).path, mode: .readOnly)
            for row in try! connection.query("SELECT objectId, coord_ra, coord_dec FROM \"Object\"") {
                rows.append((row[0].int64Value!, row[1].doubleValue!, row[2].doubleValue!))
            }
        }
        return rows
    }()

    static func run(_ adql: String, rowLimit: Int? = nil) async throws -> RowBatch {
        try await engine.execute(adql, rowLimit: rowLimit).collect()
    }
}

@Suite(.serialized) struct EngineTests {
    let engine = EngineFixture.engine

    @Test func topTenReturnsTenRowsWithCatalogMetadata() async throws {
        let result = try await engine.execute("SELECT TOP 10 objectId, coord_ra, coord_dec FROM dp02_dc2_catalogs.Object")
        #expect(result.fields.map(\.name) == ["objectId", "coord_ra", "coord_dec"])
        #expect(result.fields[1].unit == "deg")
        #expect(result.fields[2].ucd?.hasPrefix("pos.eq.dec") == true)
        let rows = try await result.collect()
        #expect(rows.rowCount == 10)
        for r in 0..<rows.rowCount {
            let ra = rows[r, 1].doubleValue!, dec = rows[r, 2].doubleValue!
            #expect((50.0...75.0).contains(ra) && (-45.0...(-25.0)).contains(dec))
        }
    }

    @Test func countIsExact() async throws {
        let rows = try await EngineFixture.run("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object")
        #expect(rows.rowCount == 1)
        #expect(rows[0, 0].int64Value == Int64(EngineFixture.allObjects.count))
        #expect(EngineFixture.allObjects.count == EngineFixture.objects)
    }

    @Test func objectIdLookupTouchesOneChunk() async throws {
        let all = EngineFixture.allObjects
        for probe in [all[0], all[all.count / 2], all[all.count - 1]] {
            let query = "SELECT objectId, r_cModelFlux FROM dp02_dc2_catalogs.Object WHERE objectId = \(probe.id)"
            let plan = try engine.plan(query)
            #expect(plan.chunkIds.count == 1)
            let chunker = Chunker(
                numStripes: engine.catalog.chunking.numStripes,
                numSubStripesPerStripe: engine.catalog.chunking.numSubStripesPerStripe)
            #expect(plan.chunkIds == [chunker.chunkId(lon: probe.ra, lat: probe.dec)])
            let rows = try await EngineFixture.run(query)
            #expect(rows.rowCount == 1)
            #expect(rows[0, 0].int64Value == probe.id)
        }
        // An id that does not exist touches no chunk and returns nothing.
        let missing = try engine.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = -5")
        #expect(missing.chunkIds.isEmpty)
        #expect(try await EngineFixture.run("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = -5").rowCount == 0)
    }

    @Test(arguments: [(62.0, -37.0, 0.2), (55.0, -30.0, 1.5), (70.5, -44.0, 0.05)])
    func coneSearchMatchesBruteForce(_ ra: Double, _ dec: Double, _ radius: Double) async throws {
        let query = """
            SELECT objectId FROM dp02_dc2_catalogs.Object
            WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', \(ra), \(dec), \(radius))) = 1
            """
        let plan = try engine.plan(query)
        #expect(plan.chunkIds.count < engine.catalog.chunkRowCounts.count)
        let rows = try await EngineFixture.run(query)
        let got = (0..<rows.rowCount).map { rows[$0, 0].int64Value! }.sorted()
        let expected = EngineFixture.allObjects
            .filter { SkyAngle.separation(lon1: $0.ra, lat1: $0.dec, lon2: ra, lat2: dec) <= radius }
            .map(\.id).sorted()
        #expect(got == expected)
    }

    /// SQLite uses an expression index only for the same expression: the zone list the planner
    /// adds must be read through the zone index that ingest built, or it is dead weight.
    /// (A small cone: these test chunks hold ~50 rows, and for a wide band SQLite rightly
    /// prefers reading all of them.)
    @Test func coneSearchesReadTheZoneIndex() throws {
        let radius = 0.05
        #expect(engine.catalog.zonesPerDegree == ZoneIndex.defaultZonesPerDegree)
        let plan = try #require(
            try engine.plan(
                """
                SELECT objectId, r_cModelFlux FROM dp02_dc2_catalogs.Object
                WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, \(radius))) = 1
                """
            ).distributed)
        #expect(plan.chunkSQL.contains("CAST(((\"Object\".\"coord_dec\" + 90) * 30) AS INTEGER) IN ("))
        let chunk = try #require(plan.chunkIds.first)
        let db = try SQLiteConnection(path: engine.version.chunkFile(chunk).path, mode: .readOnlyImmutable)
        UserFunctions.register(on: db)
        func queryPlan(_ sql: String) throws -> [String] {
            try db.query("EXPLAIN QUERY PLAN " + sql).compactMap { row -> String? in
                if case .text(let t) = row.last { t } else { nil }
            }
        }
        let steps = try queryPlan(plan.chunkSQL)
        // objectId and r_cModelFlux are principal columns: the zone index carries them, so the
        // rows are not fetched from the table at all.
        #expect(steps.contains { $0.contains("USING COVERING INDEX Object_zone_coord_ra_idx") }, "\(steps)")
        // refFwhm is not principal: the zone index narrows the search and the rows are fetched.
        let wide = try #require(
            try engine.plan(
                """
                SELECT objectId, refFwhm FROM dp02_dc2_catalogs.Object
                WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, \(radius))) = 1
                """
            ).distributed)
        let wideSteps = try queryPlan(wide.chunkSQL)
        #expect(wideSteps.contains { $0.contains("USING INDEX Object_zone_coord_ra_idx") }, "\(wideSteps)")
        // A full scan of principal columns reads the zone index instead of the wide rows.
        let scan = try #require(
            try engine.plan(
                "SELECT AVG(r_cModelFlux) FROM dp02_dc2_catalogs.Object WHERE r_cModelFlux > 1000"
            ).distributed)
        let scanSteps = try queryPlan(scan.chunkSQL)
        #expect(scanSteps.contains { $0.contains("SCAN Object USING COVERING INDEX Object_zone_coord_ra_idx") }, "\(scanSteps)")
    }

    /// A dense one-chunk cone runs as several statements over runs of its zones, each with the
    /// circle's longitude window in those zones; the answer is the same rows (these test chunks
    /// are small, so the split is forced by a low threshold). A box runs as two halves.
    @Test(arguments: [(62.5, -36.5, 0.3), (70.5, -44.0, 0.3)])
    func aSplitConeMatchesBruteForce(_ ra: Double, _ dec: Double, _ radius: Double) async throws {
        var planner = QueryPlanner(catalog: engine.catalog, directorIndex: nil)
        planner.zoneSplitRows = 0
        let adql = """
            SELECT objectId FROM dp02_dc2_catalogs.Object
            WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', \(ra), \(dec), \(radius))) = 1
            """
        let plan = try #require(try planner.plan(try SkyShardEngine.parse(adql)).distributed)
        try #require(plan.chunkIds.count == 1, "the circle must lie in one chunk for this test")
        #expect(plan.passes.contains { $0.hasPrefix("zone-split") })
        // Every point of the circle, its edge included, is in the window of its zone's run; the
        // outer runs' windows are narrower than the circle's bounding box.
        let circle = SkyCircle(centerLon: ra, centerLat: dec, radius: radius)
        let perDegree = try #require(engine.catalog.zonesPerDegree)
        let box = circle.boundingBox
        let zones =
            ZoneIndex.zone(
                of: box.latMin - 1e-9, zonesPerDegree: perDegree)...ZoneIndex.zone(
                of: box.latMax + 1e-9, zonesPerDegree: perDegree)
        let parts = planner.circleParts(
            zones, circles: [circle], west: box.lonMin, east: box.lonMax,
            perDegree: perDegree, margin: 1e-9)
        // 0.6° spans 19 or 20 two-minute zones: runs of four or five zones.
        #expect(parts.count >= 4)
        #expect(plan.chunkSQLParts.count == parts.count)
        #expect(parts.first!.east - parts.first!.west < 0.9 * (box.lonMax - box.lonMin))
        #expect(parts.last!.east - parts.last!.west < 0.9 * (box.lonMax - box.lonMin))
        let rad = Double.pi / 180, r = radius * rad * (1 - 1e-12), d = dec * rad
        for k in 0..<5000 {
            let theta = Double(k) / 5000 * 2 * .pi
            let lat = asin(sin(d) * cos(r) + cos(d) * sin(r) * cos(theta))
            let lon = ra + atan2(sin(theta) * sin(r) * cos(d), cos(r) - sin(d) * sin(lat)) / rad
            let zone = ZoneIndex.zone(of: lat / rad, zonesPerDegree: perDegree)
            let part = try #require(parts.first { $0.zones.contains(zone) }, "zone \(zone) of an edge point is in no run")
            #expect(lon >= part.west && lon <= part.east, "edge point (\(lon), \(lat / rad)) outside \(part)")
        }
        let boxPlan = try #require(
            try planner.plan(
                try SkyShardEngine.parse(
                    adql.replacingOccurrences(
                        of: "CIRCLE('ICRS', \(ra), \(dec), \(radius))", with: "BOX('ICRS', \(ra), \(dec), \(radius), \(radius))"))
            ).distributed)
        #expect(boxPlan.chunkSQLParts.count == 2)
        let rows = try await engine.executor.execute(plan).collect()
        let got = (0..<rows.rowCount).map { rows[$0, 0].int64Value! }.sorted()
        let expected = EngineFixture.allObjects
            .filter { SkyAngle.separation(lon1: $0.ra, lat1: $0.dec, lon2: ra, lat2: dec) <= radius }
            .map(\.id).sorted()
        #expect(!expected.isEmpty)
        #expect(got == expected)
        // An aggregate's parts are merged like chunks.
        let count = try #require(
            try planner.plan(
                try SkyShardEngine.parse(
                    adql.replacingOccurrences(of: "SELECT objectId", with: "SELECT COUNT(*)"))
            ).distributed)
        #expect(count.chunkSQLParts.count == parts.count)
        let counted = try await engine.executor.execute(count).collect()
        #expect(counted[0, 0].int64Value == Int64(expected.count))
        // Ordering with TOP and OFFSET: each part's top rows, merged and cut once.
        let ordered = try #require(
            try planner.plan(
                try SkyShardEngine.parse(
                    adql.replacingOccurrences(of: "SELECT objectId", with: "SELECT TOP 5 objectId")
                        + " ORDER BY objectId OFFSET 3")
            ).distributed)
        #expect(ordered.chunkSQLParts.count == parts.count)
        let page = try await engine.executor.execute(ordered).collect()
        #expect((0..<page.rowCount).map { page[$0, 0].int64Value! } == Array(expected.dropFirst(3).prefix(5)))
        // TOP without ORDER BY: any n of the rows, none twice.
        let some = try #require(
            try planner.plan(
                try SkyShardEngine.parse(
                    adql.replacingOccurrences(of: "SELECT objectId", with: "SELECT TOP 4 objectId"))
            ).distributed)
        let few = try await engine.executor.execute(some).collect()
        let ids = (0..<few.rowCount).map { few[$0, 0].int64Value! }
        #expect(ids.count == min(4, expected.count) && Set(ids).count == ids.count && Set(ids).isSubset(of: Set(expected)))
        // And the engine's own planner leaves these sparse chunks whole.
        #expect(try #require(try engine.plan(adql).distributed).chunkSQLParts.isEmpty)
    }

    @Test func aggregatesMatchBruteForce() async throws {
        let rows = try await EngineFixture.run(
            """
            SELECT COUNT(*) AS n, MIN(coord_ra) AS lo, MAX(coord_ra) AS hi, AVG(coord_dec) AS mean
            FROM dp02_dc2_catalogs.Object WHERE coord_dec > -35
            """)
        let selected = EngineFixture.allObjects.filter { $0.dec > -35 }
        #expect(rows[0, 0].int64Value == Int64(selected.count))
        #expect(rows[0, 1].doubleValue == selected.map(\.ra).min())
        #expect(rows[0, 2].doubleValue == selected.map(\.ra).max())
        let mean = selected.map(\.dec).reduce(0, +) / Double(selected.count)
        #expect(abs(rows[0, 3].doubleValue! - mean) < 1e-9)
    }

    @Test func orderByWithTopMatchesBruteForce() async throws {
        let rows = try await EngineFixture.run(
            "SELECT TOP 7 objectId, coord_dec FROM dp02_dc2_catalogs.Object ORDER BY coord_dec DESC")
        let expected = EngineFixture.allObjects.sorted { $0.dec > $1.dec }.prefix(7).map(\.id)
        #expect((0..<rows.rowCount).map { rows[$0, 0].int64Value! } == Array(expected))
    }

    @Test func laterChunksOfATopKTakeTheBoundAndLoseNoRow() async throws {
        // Two chunk statements at a time over ~100 chunks: all but the first few start after
        // the merge has its 7 rows, with the 7th largest flux as their bound.
        let executor = ScatterGatherExecutor(
            workers: engine.executor.workers, pool: engine.pool, fanOut: 2, shareScans: false)
        for (order, descending) in [("DESC", true), ("", false)] {
            let adql =
                "SELECT TOP 7 objectId, r_cModelFlux FROM dp02_dc2_catalogs.Object ORDER BY r_cModelFlux \(order), objectId"
            let plan = try #require(try engine.plan(adql).distributed)
            #expect(plan.topKBound == TopKBound(column: 1, descending: descending, count: 7))
            let before = executor.stats.chunksWithTopKBound
            let rows = try await executor.execute(plan).collect()
            #expect(executor.stats.chunksWithTopKBound - before > plan.chunkIds.count / 2)
            // Brute force over every chunk file: NULL fluxes sort first ascending, last descending.
            var all: [(id: Int64, flux: Double?)] = []
            for chunk in engine.catalog.chunkIds {
                let connection = try SQLiteConnection(path: engine.version.chunkFile(chunk).path, mode: .readOnly)
                for row in try connection.query("SELECT objectId, r_cModelFlux FROM \"Object\"") {
                    all.append((row[0].int64Value!, row[1].doubleValue))
                }
            }
            let sorted = all.sorted { a, b in
                switch (a.flux, b.flux) {
                case (nil, nil): return a.id < b.id
                case (nil, _): return !descending
                case (_, nil): return descending
                case (let x?, let y?): return x == y ? a.id < b.id : (descending ? x > y : x < y)
                }
            }
            #expect((0..<rows.rowCount).map { rows[$0, 0].int64Value! } == sorted.prefix(7).map(\.id))
        }
    }

    @Test func rowLimitStopsEarly() async throws {
        let rows = try await EngineFixture.run("SELECT objectId FROM dp02_dc2_catalogs.Object", rowLimit: 25)
        #expect(rows.rowCount == 25)
    }

    @Test func chunksRunConcurrentlyAndTheBufferStaysBounded() async throws {
        // A fresh executor, so that its counters see this query only.
        let executor = ScatterGatherExecutor(
            workers: engine.executor.workers, pool: engine.pool, fanOut: 3, shareScans: false)
        let plan = try #require(try engine.plan("SELECT forcedSourceId, psfFlux FROM dp02_dc2_catalogs.ForcedSource").distributed)
        let result = executor.execute(plan)
        var rows = 0
        for try await batch in result.batches { rows += batch.rowCount }
        #expect(rows > 10_000)
        #expect(executor.stats.maxConcurrentChunks > 1)
        #expect(executor.stats.maxConcurrentChunks <= 3)
        #expect(executor.stats.chunksRun == plan.chunkIds.count)
        #expect(executor.stats.maxBufferedBatches <= executor.channelCapacity)
    }

    @Test func cancellingStopsTheQuery() async throws {
        let result = try await engine.execute("SELECT forcedSourceId FROM dp02_dc2_catalogs.ForcedSource")
        var iterator = result.batches.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first != nil)
        result.cancel()
        // After cancel the sequence ends (with the cancellation error) instead of running on.
        do {
            while try await iterator.next() != nil {}
        } catch let error as QueryError {
            #expect(error.code == .cancelled)
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() async throws {
        do {
            _ = try await engine.execute("SELECT objectId\nFROM dp02_dc2_catalogs.Object WHERE")
            Issue.record("expected a syntax error")
        } catch let error as QueryError {
            #expect(error.code == .syntax)
            #expect(error.line == 2)
            #expect(error.message.hasPrefix("line 2, column "))
        }
    }

    // MARK: Queries finished at the coordinator

    func count(_ adql: String) async throws -> Int64 {
        let rows = try await EngineFixture.run(adql)
        #expect(rows.rowCount == 1)
        return try #require(rows[0, 0].int64Value)
    }

    @Test func inSubqueryIsMaterialized() async throws {
        let query = """
            SELECT COUNT(*) FROM dp02_dc2_catalogs.Object
            WHERE objectId IN (SELECT objectId FROM dp02_dc2_catalogs.Object WHERE coord_dec > -30)
            """
        guard case .coordinated(let plan) = try engine.plan(query) else {
            Issue.record("expected a coordinator plan")
            return
        }
        #expect(plan.steps.count == 2)
        #expect(try await count(query) == Int64(EngineFixture.allObjects.filter { $0.dec > -30 }.count))
    }

    @Test func unionAllAddsUp() async throws {
        let north = EngineFixture.allObjects.filter { $0.dec > -28 }.count
        let south = EngineFixture.allObjects.filter { $0.dec < -44 }.count
        let rows = try await EngineFixture.run(
            """
            SELECT objectId FROM dp02_dc2_catalogs.Object WHERE coord_dec > -28
            UNION ALL
            SELECT objectId FROM dp02_dc2_catalogs.Object WHERE coord_dec < -44
            """)
        #expect(rows.rowCount == north + south)
    }

    @Test func commonTableExpressions() async throws {
        let expected = EngineFixture.allObjects.filter { $0.dec > -30 && $0.ra < 60 }.count
        #expect(
            try await count(
                """
                WITH north AS (SELECT objectId, coord_ra FROM dp02_dc2_catalogs.Object WHERE coord_dec > -30)
                SELECT COUNT(*) FROM north WHERE coord_ra < 60
                """) == Int64(expected))
    }

    @Test func derivedTables() async throws {
        let expected = EngineFixture.allObjects.filter { $0.dec > -30 }.count
        let rows = try await EngineFixture.run(
            """
            SELECT t.n FROM (SELECT COUNT(*) AS n FROM dp02_dc2_catalogs.Object WHERE coord_dec > -30) AS t
            """)
        #expect(rows[0, 0].int64Value == Int64(expected))
    }

    @Test func correlatedExistsAgreesWithTheJoin() async throws {
        let viaExists = try await count(
            """
            SELECT COUNT(*) FROM dp02_dc2_catalogs.Object AS o
            WHERE o.coord_dec > -27 AND EXISTS
              (SELECT 1 FROM dp02_dc2_catalogs.ForcedSource AS f WHERE f.objectId = o.objectId AND f.band = 'r')
            """)
        let viaJoin = try await count(
            """
            SELECT COUNT(DISTINCT o.objectId) FROM dp02_dc2_catalogs.Object AS o
            JOIN dp02_dc2_catalogs.ForcedSource AS f ON f.objectId = o.objectId
            WHERE o.coord_dec > -27 AND f.band = 'r'
            """)
        #expect(viaExists == viaJoin)
        #expect(viaExists > 0)
    }

    @Test func coordinatorErrorsAreTheUsers() async throws {
        do {
            _ = try await engine.execute(
                """
                SELECT nosuch FROM (SELECT objectId FROM dp02_dc2_catalogs.Object) AS t
                """)
            Issue.record("expected an error")
        } catch let error as QueryError {
            #expect(error.isUserError)
            #expect(error.message.contains("nosuch"))
        }
    }

    @Test func nearNeighbourPairsMatchBruteForce() async throws {
        let radius = 0.015
        #expect(radius <= engine.catalog.chunking.overlap)
        let query = """
            SELECT o1.objectId, o2.objectId FROM dp02_dc2_catalogs.Object AS o1, dp02_dc2_catalogs.Object AS o2
            WHERE DISTANCE(POINT('ICRS', o1.coord_ra, o1.coord_dec), POINT('ICRS', o2.coord_ra, o2.coord_dec)) < \(radius)
              AND o1.objectId <> o2.objectId
            """
        let plan = try #require(try engine.plan(query).distributed)
        #expect(plan.passes.contains { $0.hasPrefix("near-neighbour") })
        let rows = try await EngineFixture.run(query)
        let got = Set((0..<rows.rowCount).map { "\(rows[$0, 0].int64Value!)-\(rows[$0, 1].int64Value!)" })
        #expect(got.count == rows.rowCount, "each pair once")
        var expected = Set<String>()
        let all = EngineFixture.allObjects
        for a in all {
            for b in all where a.id != b.id && abs(a.dec - b.dec) < radius {
                if SkyAngle.separation(lon1: a.ra, lat1: a.dec, lon2: b.ra, lat2: b.dec) < radius {
                    expected.insert("\(a.id)-\(b.id)")
                }
            }
        }
        #expect(!expected.isEmpty)
        #expect(got == expected)
    }

    @Test func nearNeighbourBeyondTheOverlapIsRefused() throws {
        do {
            _ = try engine.plan(
                """
                SELECT o1.objectId FROM dp02_dc2_catalogs.Object AS o1 JOIN dp02_dc2_catalogs.Object AS o2
                ON DISTANCE(POINT(o1.coord_ra, o1.coord_dec), POINT(o2.coord_ra, o2.coord_dec)) < 0.5
                """)
            Issue.record("expected an error")
        } catch let error as QueryError {
            #expect(error.code == .limitExceeded)
            #expect(error.message.contains("overlap"))
        }
    }

    /// A CTE referenced twice is materialised by SQLite at the coordinator; the authorizer must
    /// let the query read it (it refused such queries with "not authorized").
    @Test func aCommonTableExpressionCanBeUsedTwice() async throws {
        let rows = try await EngineFixture.run(
            "WITH a AS (SELECT TOP 5 objectId FROM dp02_dc2_catalogs.Object ORDER BY objectId) "
                + "SELECT (SELECT COUNT(*) FROM a) AS n, objectId FROM a")
        #expect(rows.rowCount == 5)
        #expect((0..<rows.rowCount).allSatisfy { rows[$0, 0].int64Value == 5 })
        let pairs = try await EngineFixture.run(
            "WITH t AS (SELECT table_name FROM tap_schema.tables) SELECT COUNT(*) FROM t AS x, t AS y")
        let tables = try await EngineFixture.run("SELECT COUNT(*) FROM tap_schema.tables")
        let n = try #require(tables[0, 0].int64Value)
        #expect(pairs[0, 0].int64Value == n * n)
    }

    @Test func oneUserCannotTakeEveryWorker() async throws {
        let limited = try SkyShardEngine(version: engine.version, threads: 2, queriesPerUser: 1)
        defer { limited.pool.shutdown() }
        let scan = "SELECT forcedSourceId FROM dp02_dc2_catalogs.ForcedSource"
        let first = try await limited.execute(scan, user: "ann")
        #expect(limited.userLimiter.running(for: "ann") == 1)
        do {
            _ = try await limited.execute(scan, user: "ann")
            Issue.record("a second query of the same user should be refused")
        } catch let error as QueryError {
            #expect(error.code == .quotaExceeded)
            #expect(error.message.contains("quota of queries per user"))
        }
        // Another user is not affected.
        let other = try await limited.execute("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object", user: "bob")
        #expect(try await other.collect().rowCount == 1)
        #expect(limited.userLimiter.running(for: "bob") == 0)
        first.cancel()
        #expect(limited.userLimiter.running(for: "ann") == 0)
        let again = try await limited.execute("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object", user: "ann")
        #expect(try await again.collect().rowCount == 1)
    }
}
