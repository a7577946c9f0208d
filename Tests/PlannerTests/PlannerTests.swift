import ADQL
import Catalog
import Foundation
import Sky
import Tabular
import Testing

@testable import Planner

/// A small catalog description shaped like DP0.2's: Object (director), ForcedSource (child),
/// CcdVisit (replicated), with data in every chunk that overlaps the DC2 footprint.
enum TestCatalog {
    static let schema = "dp02_dc2_catalogs"

    static let description: CatalogDescription = {
        let object = TableInfo(
            schema: schema, name: "Object",
            columns: [
                ColumnInfo(name: "objectId", datatype: "long", ucd: "meta.id;src;meta.main", nullable: false),
                ColumnInfo(name: "coord_ra", datatype: "double", unit: "deg", ucd: "pos.eq.ra;meta.main"),
                ColumnInfo(name: "coord_dec", datatype: "double", unit: "deg", ucd: "pos.eq.dec;meta.main"),
                ColumnInfo(name: "detect_isPrimary", datatype: "boolean"),
                ColumnInfo(name: "r_cModelFlux", datatype: "double", unit: "nJy"),
                ColumnInfo(name: "g_cModelFlux", datatype: "double", unit: "nJy"),
                ColumnInfo(name: "tract", datatype: "long"),
            ],
            primaryKey: ["objectId"],
            partitioning: .director(DirectorSpec(keyColumn: "objectId", lonColumn: "coord_ra", latColumn: "coord_dec")))
        let forced = TableInfo(
            schema: schema, name: "ForcedSource",
            columns: [
                ColumnInfo(name: "forcedSourceId", datatype: "long"),
                ColumnInfo(name: "objectId", datatype: "long"),
                ColumnInfo(name: "ccdVisitId", datatype: "long"),
                ColumnInfo(name: "band", datatype: "char", length: 1),
                ColumnInfo(name: "psfFlux", datatype: "double", unit: "nJy"),
            ],
            primaryKey: ["forcedSourceId"], partitioning: .child(directorTable: "Object", foreignKey: "objectId"))
        let visit = TableInfo(
            schema: schema, name: "CcdVisit",
            columns: [
                ColumnInfo(name: "ccdVisitId", datatype: "long"),
                ColumnInfo(name: "band", datatype: "char", length: 1),
                ColumnInfo(name: "expMidptMJD", datatype: "double", unit: "d"),
            ],
            primaryKey: ["ccdVisitId"], partitioning: .replicated)
        let chunking = ChunkingParameters.demo
        let chunker = Chunker(numStripes: chunking.numStripes, numSubStripesPerStripe: chunking.numSubStripesPerStripe)
        let footprint = SkyRegion.box(SkyBox(lonMin: 50, lonMax: 75, latMin: -45, latMax: -25))
        var counts: [Int: Int] = [:]
        for id in chunker.chunks(intersecting: footprint) { counts[id] = 100 }
        return CatalogDescription(
            schemas: [SchemaInfo(name: schema)], tables: [object, forced, visit], chunking: chunking,
            chunkRowCounts: counts, tableRowCounts: ["Object": counts.count * 100])
    }()

    /// The scatter-gather plan of a query that distributes (an issue is recorded for one that
    /// does not).
    static func plan(_ adql: String) throws -> DistributedPlan {
        let outcome = try QueryPlanner(catalog: description, directorIndex: nil).planDistributed(try ADQLParser.parse(adql))
        return try #require(outcome.plan, "\(outcome)")
    }
}

@Suite struct PlannerTests {
    let total = TestCatalog.description.chunkRowCounts.count

    @Test func plainSelectStreamsWithEarlyStop() throws {
        let plan = try TestCatalog.plan("SELECT TOP 10 objectId, coord_ra FROM dp02_dc2_catalogs.Object")
        #expect(plan.merge == .concatenate(limit: 10, offset: 0))
        #expect(plan.chunkIds.count == total)
        #expect(plan.chunkSQL.contains("LIMIT 10"))
        #expect(plan.chunkSQL.contains("FROM \"Object\""))
        #expect(plan.fields.map(\.name) == ["objectId", "coord_ra"])
        #expect(plan.fields[1].unit == "deg")
        #expect(plan.fields[1].ucd == "pos.eq.ra;meta.main")
        #expect(plan.fields[0].datatype == .long)
    }

    @Test func countBecomesSumOfPartialCounts() throws {
        let plan = try TestCatalog.plan("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object")
        #expect(plan.chunkSQL.uppercased().contains("COUNT(*)"))
        guard case .mergeSQL(let sql, let columns) = plan.merge else {
            Issue.record("expected a merge statement, got \(plan.merge)")
            return
        }
        #expect(columns == 1)
        #expect(sql.uppercased().contains("SUM"))
        #expect(plan.fields.count == 1 && plan.fields[0].datatype == .long)
        #expect(plan.passes.contains { $0.hasPrefix("aggregate-split") })
    }

    @Test func averageIsSumOverCount() throws {
        let plan = try TestCatalog.plan(
            "SELECT tract, AVG(r_cModelFlux) AS mean FROM dp02_dc2_catalogs.Object GROUP BY tract HAVING COUNT(*) > 5")
        guard case .mergeSQL(let sql, let columns) = plan.merge else {
            Issue.record("expected a merge statement")
            return
        }
        // tract, AVG's partial (sum and count), COUNT(*)
        #expect(columns == 3)
        #expect(plan.chunkSQL.contains("skyshard_avg_partial(\"Object\".\"r_cModelFlux\")"))
        #expect(sql.contains("skyshard_avg_merge(\"c1\")"))
        #expect(plan.chunkSQL.contains("GROUP BY"))
        #expect(!plan.chunkSQL.contains("HAVING"))
        #expect(sql.contains("HAVING"))
        #expect(plan.fields.map(\.name) == ["tract", "mean"])
    }

    @Test func countOfAColumnTheWhereKeepsNonNullIsCountStar() throws {
        // Under a WHERE that keeps no NULL of the column, COUNT(x) is COUNT(*) in the chunks
        // (one column read less per row); AVG is one partial aggregate per row.
        let filtered = try TestCatalog.plan(
            "SELECT AVG(r_cModelFlux), COUNT(r_cModelFlux) FROM dp02_dc2_catalogs.Object WHERE r_cModelFlux > 1000")
        #expect(filtered.chunkSQL.contains("skyshard_avg_partial(\"Object\".\"r_cModelFlux\")"))
        #expect(!filtered.chunkSQL.contains("count(\"Object\".\"r_cModelFlux\")"))
        #expect(filtered.chunkSQL.contains("count(*)"))
        // Without such a WHERE (OR, IS NULL), the count counts values.
        for condition in ["r_cModelFlux > 1000 OR tract = 1", "r_cModelFlux IS NULL"] {
            let open = try TestCatalog.plan(
                "SELECT COUNT(r_cModelFlux) FROM dp02_dc2_catalogs.Object WHERE \(condition)")
            #expect(open.chunkSQL.contains("count(\"Object\".\"r_cModelFlux\")"))
            #expect(!open.chunkSQL.contains("count(*)"))
        }
    }

    @Test func orderByWithTopIsPushedDown() throws {
        let plan = try TestCatalog.plan(
            "SELECT TOP 100 objectId FROM dp02_dc2_catalogs.Object ORDER BY r_cModelFlux DESC")
        #expect(plan.chunkSQL.contains("ORDER BY"))
        #expect(plan.chunkSQL.contains("LIMIT 100"))
        guard case .mergeSQL(let sql, let columns) = plan.merge else {
            Issue.record("expected a merge statement")
            return
        }
        #expect(columns == 2)  // objectId and the hidden sort key
        #expect(sql.contains("ORDER BY \"c1\" DESC"))
        #expect(sql.contains("LIMIT 100"))
    }

    @Test(arguments: [
        "CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, 0.2)) = 1",
        "1 = CONTAINS(POINT(coord_ra, coord_dec), CIRCLE(62.0, -37.0, 0.2))",
        "DISTANCE(POINT(coord_ra, coord_dec), POINT(62.0, -37.0)) < 0.2",
        "scisql_s2PtInCircle(coord_ra, coord_dec, 62.0, -37.0, 0.2) = 1",
        "scisql_s2PtInBox(coord_ra, coord_dec, 61.8, -37.2, 62.2, -36.8) = 1",
        "CONTAINS(POINT(coord_ra, coord_dec), POLYGON(61.8, -37.2, 62.2, -37.2, 62.0, -36.8)) = 1",
        "coord_ra BETWEEN 61.8 AND 62.2 AND coord_dec BETWEEN -37.2 AND -36.8",
    ])
    func spatialPredicatesPruneChunks(_ predicate: String) throws {
        let plan = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(predicate)")
        #expect(plan.chunkIds.count >= 1)
        #expect(plan.chunkIds.count <= 4, "kept \(plan.chunkIds.count) of \(total)")
        #expect(plan.interactive)
        let chunker = Chunker(numStripes: 85, numSubStripesPerStripe: 12)
        #expect(plan.chunkIds.contains(chunker.chunkId(lon: 62.0, lat: -37.0)))
    }

    @Test func orOfRegionsIsTheUnionAndOfRegionsTheIntersection() throws {
        let a = "CONTAINS(POINT(coord_ra, coord_dec), CIRCLE(52.0, -27.0, 0.1)) = 1"
        let b = "CONTAINS(POINT(coord_ra, coord_dec), CIRCLE(72.0, -43.0, 0.1)) = 1"
        let union = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(a) OR \(b)")
        let first = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(a)")
        let second = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(b)")
        #expect(Set(union.chunkIds) == Set(first.chunkIds).union(second.chunkIds))
        let both = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(a) AND \(b)")
        #expect(both.chunkIds.isEmpty)
        // A non-spatial OR branch keeps every chunk.
        let wide = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(a) OR r_cModelFlux > 5")
        #expect(wide.chunkIds.count == total)
    }

    @Test func constantRegionsPruneLikeTheirConstructors() throws {
        func chunks(_ predicate: String) throws -> Set<Int> {
            Set(try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE \(predicate)").chunkIds)
        }
        let p = "POINT(coord_ra, coord_dec)"
        let circle = try chunks("CONTAINS(\(p), CIRCLE('ICRS', 62.0, -37.0, 0.2)) = 1")
        #expect(circle.count < total)
        #expect(try chunks("CONTAINS(\(p), REGION('Circle ICRS 62 -37 0.2')) = 1") == circle)
        #expect(try chunks("CONTAINS(\(p), CAST('62 -37 0.2' AS CIRCLE)) = 1") == circle)
        #expect(
            try chunks("CONTAINS(\(p), REGION('Box 62 -37 0.4 0.4')) = 1")
                == chunks("CONTAINS(\(p), BOX(62, -37, 0.4, 0.4)) = 1"))
        // A Union prunes to the union of its members, an Intersection to their intersection.
        let a = "Circle 52 -27 0.1", b = "Circle 72 -43 0.1"
        let first = try chunks("CONTAINS(\(p), REGION('\(a)')) = 1")
        let second = try chunks("CONTAINS(\(p), REGION('\(b)')) = 1")
        #expect(try chunks("CONTAINS(\(p), REGION('Union ICRS (\(a) \(b))')) = 1") == first.union(second))
        #expect(try chunks("CONTAINS(\(p), REGION('Intersection (\(a) \(b))')) = 1").isEmpty)
        // Not keeps everything (the complement of a small region is most of the sky).
        #expect(try chunks("CONTAINS(\(p), REGION('Not (\(a))')) = 1").count == total)
    }

    @Test func regionResultTypes() throws {
        let plan = try TestCatalog.plan(
            """
            SELECT REGION('Circle ICRS 1 2 3') AS c, REGION(CAST(tract AS VARCHAR)) AS r,
                   CAST('1 2' AS POINT) AS p FROM dp02_dc2_catalogs.Object
            """)
        let fields = plan.fields
        #expect(fields.map(\.xtype) == ["circle", "region", "point"])
        #expect(fields[0].datatype == .double && fields[1].datatype == .char && fields[2].datatype == .double)
    }

    @Test(arguments: [
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object\nWHERE CONTAINS(POINT(coord_ra, coord_dec),\n  REGION('Circle ICRS 62 -37')) = 1",
            3, 10,
            "'Circle ICRS 62 -37': STC-S error at character 19: expected 3 numbers after Circle (number 3 is missing), found the end of the string"
        ),
        (
            "SELECT REGION('Circle GALACTIC 1 2 3') FROM dp02_dc2_catalogs.Object", 1, 15,
            "STC-S error at character 8: frame GALACTIC is not supported"
        ),
        ("SELECT CAST(CIRCLE(1, 2, 3) AS POINT) FROM dp02_dc2_catalogs.Object", 1, 8, "CAST of a CIRCLE to POINT"),
        ("SELECT CAST(BOX(1, 2, 3, 4) AS POLYGON) FROM dp02_dc2_catalogs.Object", 1, 8, "not the great circles of a POLYGON"),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE CONTAINS(CIRCLE(coord_ra, coord_dec, 1), REGION('Union (Circle 1 2 3 Circle 2 3 4)')) = 1",
            1, 53, "CONTAINS with a compound region"
        ),
        (
            "SELECT REGION('Not (Circle 1 2 3)') FROM dp02_dc2_catalogs.Object", 1, 8,
            "REGION of a Not region can only be used as an argument of CONTAINS or INTERSECTS"
        ),
    ])
    func regionAndCastErrorsArePositioned(_ query: String, _ line: Int, _ column: Int, _ message: String) throws {
        try Self.expectPlanningError(query, line, column, message)
    }

    /// Planning `query` (through `plan`, so coordinator queries too) fails at line:column with
    /// a message that contains `message`.
    static func expectPlanningError(_ query: String, _ line: Int, _ column: Int, _ message: String) throws {
        let planner = QueryPlanner(catalog: TestCatalog.description, directorIndex: nil)
        do {
            _ = try planner.plan(try ADQLParser.parse(query))
            Issue.record("expected an error for \(query)")
        } catch let error as QueryError {
            #expect(error.line == line && error.column == column, "\(error.message)")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test(arguments: [
        ("WITH t AS (SELECT objectId FROM dp02_dc2_catalogs.Object)\nSELECT nosuch FROM t", 2, 8, "unknown column nosuch"),
        (
            "WITH t AS (SELECT objectId FROM dp02_dc2_catalogs.Object) SELECT objectid2 FROM t", 1, 66,
            "unknown column objectid2; did you mean objectId?"
        ),
        (
            "WITH t (a, b) AS (SELECT objectId, tract FROM dp02_dc2_catalogs.Object) SELECT t.objectId FROM t", 1, 80,
            "unknown column t.objectId"
        ),
        ("SELECT d.n, d.x FROM (SELECT COUNT(*) AS n FROM dp02_dc2_catalogs.Object) AS d", 1, 13, "unknown column d.x"),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId IN (SELECT objectId FROM dp02_dc2_catalogs.ForcedSource WHERE psfFlx > 1)",
            1, 124, "unknown column psfFlx; did you mean psfFlux?"
        ),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object UNION SELECT objectId FROM dp02_dc2_catalogs.ForcedSource WHERE bnd = 'r'",
            1, 111, "unknown column bnd; did you mean band?"
        ),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object UNION SELECT objectId FROM dp02_dc2_catalogs.Object ORDER BY coord_ra",
            1, 108,
            "unknown column coord_ra"
        ),
        (
            "SELECT x.objectId FROM (SELECT objectId FROM dp02_dc2_catalogs.Object) AS d", 1, 8,
            "x does not name a table of the FROM clause (d)"
        ),
    ])
    func namesFinishedAtTheCoordinatorArePositioned(_ query: String, _ line: Int, _ column: Int, _ message: String) throws {
        try Self.expectPlanningError(query, line, column, message)
    }

    @Test(arguments: [
        // CTE and derived-table columns, correlated references, aliases in ORDER BY / GROUP BY,
        // result names in a set operation's ORDER BY, USING.
        "WITH t (a, b) AS (SELECT objectId, tract FROM dp02_dc2_catalogs.Object) SELECT t.a, b FROM t WHERE a > 3",
        "SELECT d.n FROM (SELECT COUNT(*) AS n, tract FROM dp02_dc2_catalogs.Object GROUP BY tract) AS d ORDER BY d.n",
        "SELECT o.objectId FROM dp02_dc2_catalogs.Object AS o WHERE EXISTS (SELECT 1 FROM dp02_dc2_catalogs.ForcedSource AS f WHERE f.objectId = o.objectId AND o.tract = 3)",
        "SELECT objectId AS id FROM dp02_dc2_catalogs.Object UNION SELECT objectId FROM dp02_dc2_catalogs.ForcedSource ORDER BY id",
        "WITH t AS (SELECT objectId, tract AS tr FROM dp02_dc2_catalogs.Object) SELECT tr, COUNT(*) AS n FROM t GROUP BY tr ORDER BY n",
        "SELECT * FROM (SELECT band FROM dp02_dc2_catalogs.CcdVisit) AS v JOIN dp02_dc2_catalogs.CcdVisit AS c USING (band) WHERE c.ccdVisitId > 1",
    ])
    func validNamesFinishedAtTheCoordinatorPlan(_ query: String) throws {
        let planner = QueryPlanner(catalog: TestCatalog.description, directorIndex: nil)
        guard case .coordinated = try planner.plan(try ADQLParser.parse(query)) else {
            Issue.record("expected a coordinator plan")
            return
        }
    }

    @Test func replicatedOnlyQueriesRunOnce() throws {
        let plan = try TestCatalog.plan("SELECT ccdVisitId, band FROM dp02_dc2_catalogs.CcdVisit WHERE band = 'r'")
        #expect(plan.target == .replicated)
        #expect(plan.chunkSQL.contains("\"replicated\".\"CcdVisit\""))
    }

    @Test(arguments: [
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId IN (SELECT objectId FROM dp02_dc2_catalogs.ForcedSource)",
            "sub-query"
        ),
        // Below the top of an ORDER BY item too, before binding.
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object ORDER BY 1 + (SELECT COUNT(*) FROM dp02_dc2_catalogs.CcdVisit)",
            "sub-query"
        ),
        ("SELECT o.objectId FROM (SELECT objectId FROM dp02_dc2_catalogs.Object) AS o", "derived table"),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Object UNION SELECT objectId FROM dp02_dc2_catalogs.ForcedSource",
            "set operation"
        ),
        (
            "SELECT a.objectId FROM dp02_dc2_catalogs.Object AS a, dp02_dc2_catalogs.Object AS b",
            "the director table Object is joined with itself without a distance bound"
        ),
        (
            "SELECT f.psfFlux FROM dp02_dc2_catalogs.CcdVisit AS v LEFT JOIN dp02_dc2_catalogs.ForcedSource AS f ON f.ccdVisitId = v.ccdVisitId",
            "an outer join keeps unmatched rows of a replicated table"
        ),
    ])
    func notDistributingIsAnOutcomeWithItsReason(_ adql: String, _ reason: String) throws {
        let planner = QueryPlanner(catalog: TestCatalog.description, directorIndex: nil)
        let query = try ADQLParser.parse(adql)
        guard case .needsCoordinator(let found) = try planner.planDistributed(query) else {
            Issue.record("\(adql) distributes")
            return
        }
        #expect(found == reason)
        guard case .coordinated(let plan) = try planner.plan(query) else {
            Issue.record("\(adql) is not planned at the coordinator")
            return
        }
        #expect(plan.passes.first == "coordinator: \(reason)")
    }

    @Test func aNearNeighbourRadiusBeyondTheOverlapIsAnError() throws {
        do {
            _ = try QueryPlanner(catalog: TestCatalog.description, directorIndex: nil).planDistributed(
                try ADQLParser.parse(
                    """
                    SELECT a.objectId FROM dp02_dc2_catalogs.Object AS a, dp02_dc2_catalogs.Object AS b
                    WHERE DISTANCE(POINT('ICRS', a.coord_ra, a.coord_dec), POINT('ICRS', b.coord_ra, b.coord_dec)) < 1
                    """))
            Issue.record("expected an error")
        } catch let error as QueryError {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test func childJoinsStayInTheChunk() throws {
        let plan = try TestCatalog.plan(
            """
            SELECT o.objectId, f.psfFlux, v.expMidptMJD
            FROM dp02_dc2_catalogs.Object AS o
            JOIN dp02_dc2_catalogs.ForcedSource AS f ON o.objectId = f.objectId
            JOIN dp02_dc2_catalogs.CcdVisit AS v ON f.ccdVisitId = v.ccdVisitId
            WHERE CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), CIRCLE('ICRS', 62, -37, 0.05)) = 1
            """)
        #expect(plan.chunkIds.count <= 2)
        #expect(plan.chunkSQL.contains("\"ForcedSource\" AS \"f\""))
        #expect(plan.fields.map(\.name) == ["objectId", "psfFlux", "expMidptMJD"])
    }

    @Test func caseRulesOfIdentifiers() throws {
        // Regular identifiers match case-insensitively...
        let plan = try TestCatalog.plan("select OBJECTID, Coord_Ra from DP02_DC2_CATALOGS.object")
        #expect(plan.fields.map(\.name) == ["objectId", "coord_ra"])
        // ...delimited ones exactly.
        #expect(throws: QueryError.self) {
            try TestCatalog.plan("SELECT \"objectid\" FROM dp02_dc2_catalogs.Object")
        }
        _ = try TestCatalog.plan("SELECT \"objectId\" FROM dp02_dc2_catalogs.\"Object\"")
    }

    @Test(arguments: [
        ("SELECT r_cmodelflx FROM dp02_dc2_catalogs.Object", "unknown column r_cmodelflx; did you mean r_cModelFlux"),
        (
            "SELECT objectId FROM dp02_dc2_catalogs.Objekt",
            "unknown table dp02_dc2_catalogs.Objekt; did you mean dp02_dc2_catalogs.Object"
        ),
        (
            "SELECT band FROM dp02_dc2_catalogs.ForcedSource AS f JOIN dp02_dc2_catalogs.CcdVisit AS v ON f.ccdVisitId = v.ccdVisitId",
            "column band is ambiguous: it could be f.band, v.band"
        ),
        ("SELECT foo(coord_ra) FROM dp02_dc2_catalogs.Object", "unknown function foo"),
        ("SELECT coord_ra, COUNT(*) FROM dp02_dc2_catalogs.Object", "column coord_ra must appear in GROUP BY"),
    ])
    func bindingErrorsNameTheProblem(_ query: String, _ expected: String) throws {
        do {
            _ = try TestCatalog.plan(query)
            Issue.record("expected an error for \(query)")
        } catch let error as QueryError {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.isUserError)
        }
    }

    @Test func errorsCarryTheSourcePosition() throws {
        do {
            _ = try TestCatalog.plan("SELECT objectId,\n       nosuch FROM dp02_dc2_catalogs.Object")
            Issue.record("expected an error")
        } catch let error as QueryError {
            #expect(error.line == 2)
            #expect(error.column == 8)
            #expect(error.message.hasPrefix("line 2, column 8: unknown column nosuch"))
        }
    }

    @Test func aConditionMustBeBooleanOnceItsColumnsAreKnown() throws {
        // A boolean flag column is a condition on its own; a number is not.
        _ = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE detect_isPrimary")
        _ = try TestCatalog.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE NOT detect_isPrimary")
        let cases: [(String, Int, String)] = [
            ("SELECT objectId FROM dp02_dc2_catalogs.Object\nWHERE coord_ra", 2, "WHERE needs a condition"),
            ("SELECT objectId FROM dp02_dc2_catalogs.Object\nWHERE detect_isPrimary AND (tract OR coord_ra > 1)", 2, "OR needs a condition"),
            ("SELECT tract FROM dp02_dc2_catalogs.Object GROUP BY tract\nHAVING tract", 2, "HAVING needs a condition"),
            ("SELECT o.objectId FROM dp02_dc2_catalogs.Object AS o\nJOIN dp02_dc2_catalogs.ForcedSource AS f ON f.psfFlux", 2, "ON needs a condition"),
            ("SELECT objectId FROM dp02_dc2_catalogs.Object\nWHERE NOT scisql_angSep(coord_ra, coord_dec, 1, 2)", 2, "NOT needs a condition"),
        ]
        for (adql, line, message) in cases {
            do {
                _ = try TestCatalog.plan(adql)
                Issue.record("accepted \(adql)")
            } catch let error as QueryError {
                #expect(error.line == line, "\(adql)")
                #expect(error.message.contains(message), "\(error.message)")
                #expect(error.code == .semantic)
            }
        }
    }

    @Test func resultNamesAreUniqueAndFollowTAPRules() throws {
        let plan = try TestCatalog.plan(
            "SELECT objectId, objectId, COUNT(*), r_cModelFlux * 2, scisql_nanojanskyToAbMag(r_cModelFlux) FROM dp02_dc2_catalogs.Object GROUP BY objectId, r_cModelFlux"
        )
        #expect(plan.fields.map(\.name) == ["objectId", "objectId_2", "count", "expr", "scisql_nanojanskytoabmag"])
        #expect(Set(plan.fields.map { $0.name.lowercased() }).count == plan.fields.count)
        #expect(plan.fields[4].unit == "mag")
    }

    @Test func inUnitConvertsWithTheCatalogUnit() throws {
        let plan = try TestCatalog.plan("SELECT IN_UNIT(coord_ra, 'arcsec') AS ra_arcsec FROM dp02_dc2_catalogs.Object")
        #expect(plan.chunkSQL.contains("3600"))
        let flux = try TestCatalog.plan("SELECT IN_UNIT(r_cModelFlux, 'mJy') FROM dp02_dc2_catalogs.Object")
        #expect(flux.chunkSQL.contains("1e-06") || flux.chunkSQL.contains("1.0e-06"))
        #expect(throws: QueryError.self) {
            try TestCatalog.plan("SELECT IN_UNIT(coord_ra, 'nJy') FROM dp02_dc2_catalogs.Object")
        }
        #expect(throws: QueryError.self) {
            try TestCatalog.plan("SELECT IN_UNIT(tract, 'deg') FROM dp02_dc2_catalogs.Object")
        }
    }

    @Test func regionsAddTheirLatitudeBandForTheIndex() throws {
        let plan = try TestCatalog.plan(
            """
            SELECT objectId FROM dp02_dc2_catalogs.Object
            WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, 0.05)) = 1
            """)
        #expect(plan.chunkSQL.contains("\"Object\".\"coord_dec\" BETWEEN"))
        #expect(plan.passes.contains { $0.hasPrefix("latitude-band") })
        // ... and the circle's longitude window, 0.05° / cos(37°) either side of 62°.
        let window = try #require(plan.chunkSQL.range(of: "\"Object\".\"coord_ra\" BETWEEN "))
        let bounds = plan.chunkSQL[window.upperBound...].split(separator: " ").prefix(3)
        let number = { (s: Substring?) in Double((s ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "()"))) }
        let west = try #require(number(bounds.first)), east = try #require(number(bounds.last))
        let half = asin(sin(0.05 * .pi / 180) / cos(37 * .pi / 180)) * 180 / .pi
        #expect(abs(west - (62 - half)) < 1e-6 && abs(east - (62 + half)) < 1e-6)
        // A circle across RA 0/360 keeps its band but gets no longitude window.
        let wrapping = try TestCatalog.plan(
            """
            SELECT objectId FROM dp02_dc2_catalogs.Object
            WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 0.01, -37.0, 0.05)) = 1
            """)
        #expect(wrapping.chunkSQL.contains("\"Object\".\"coord_dec\" BETWEEN"))
        #expect(!wrapping.chunkSQL.contains("\"coord_ra\" BETWEEN"))
        // Under OR the band is not implied, so it is not added.
        let either = try TestCatalog.plan(
            """
            SELECT objectId FROM dp02_dc2_catalogs.Object
            WHERE CONTAINS(POINT(coord_ra, coord_dec), CIRCLE(62.0, -37.0, 0.05)) = 1 OR r_cModelFlux > 5
            """)
        #expect(!either.chunkSQL.contains("BETWEEN"))
    }

    /// A band wider than a quarter of a stripe (85 stripes: 2.12°) is still worth the index when
    /// the longitude window confines the box to at most half a chunk's area; a larger box, or a
    /// wide band without a window, scans the chunk instead.
    @Test func wideBandsUseTheIndexOnlyWithASmallBox() throws {
        func plan(ra: Double, radius: Double) throws -> DistributedPlan {
            try TestCatalog.plan(
                """
                SELECT objectId FROM dp02_dc2_catalogs.Object
                WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', \(ra), -36.5, \(radius))) = 1
                """)
        }
        // 1.0° × 1.25° of longitude: band and window.
        let half = try plan(ra: 62.5, radius: 0.5)
        #expect(half.chunkSQL.contains("\"Object\".\"coord_dec\" BETWEEN"))
        #expect(half.chunkSQL.contains("\"Object\".\"coord_ra\" BETWEEN"))
        // 2.0° × 2.5°: more than half a chunk, scanned.
        #expect(!(try plan(ra: 62.5, radius: 1.0)).chunkSQL.contains("BETWEEN"))
        // Across RA 0/360 there is no window, and a 1.0° band alone is too wide.
        #expect(!(try plan(ra: 0.2, radius: 0.5)).chunkSQL.contains("BETWEEN"))
    }

    /// A cross-match row's zone pieces (`zonedPieces`): every director position within the
    /// radius lies in exactly one piece (its zone, and its longitude in the piece's window), at
    /// longitude 0/360 (either spelling of 0) and near the poles as elsewhere.
    @Test func zonedPiecesHoldEveryPointOfTheCircleOnce() throws {
        let perDegree = 30
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform(_ a: Double, _ b: Double) -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return a + (b - a) * Double(seed >> 11) / Double(1 << 53)
        }
        let rad = Double.pi / 180
        var centers: [(Double, Double)] = [(0, 0), (360, 10), (-1e-9, -30), (359.999_999_9, 45), (10, 90), (200, -90)]
        for _ in 0..<40 { centers.append((uniform(-0.05, 0.05), uniform(-85, 85))) }
        for _ in 0..<40 { centers.append((uniform(0, 360), uniform(89, 90) * (uniform(0, 1) < 0.5 ? -1 : 1))) }
        for _ in 0..<40 { centers.append((uniform(0, 360), uniform(-90, 90))) }
        for (lon, lat) in centers {
            for radius in [1.0 / 3600, 0.01, 0.3] {
                let reach = radius + 1e-7
                let pieces = QueryPlanner.zonedPieces(lon: lon, lat: lat, reach: reach, perDegree: perDegree)
                for _ in 0..<200 {
                    // A point at a distance within the radius, in a random direction.
                    let d = radius * uniform(0, 1) * rad, bearing = uniform(0, 2 * .pi)
                    let la = lat * rad
                    let lat2 = asin(max(-1, min(1, sin(la) * cos(d) + cos(la) * sin(d) * cos(bearing))))
                    var lon2 = (lon * rad + atan2(sin(bearing) * sin(d) * cos(la), cos(d) - sin(la) * sin(lat2))) / rad
                    lon2 = lon2.truncatingRemainder(dividingBy: 360)
                    if lon2 < 0 { lon2 += 360 }
                    let pLat = min(90, max(-90, lat2 / rad))
                    for pLon in lon2 == 0 ? [0.0, 360.0] : [lon2] {
                        let zone = ZoneIndex.zone(of: pLat, zonesPerDegree: perDegree)
                        let holding = pieces.filter { $0.zone == zone && $0.lonLow <= pLon && pLon <= $0.lonHigh }
                        #expect(
                            holding.count == 1,
                            "(\(pLon), \(pLat)) within \(radius)° of (\(lon), \(lat)): in \(holding.count) pieces of \(pieces)")
                    }
                }
            }
        }
    }
}
