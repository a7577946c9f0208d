import ADQL
import Catalog
import DemoData
import Planner
import QueryEngine
import Tabular
import Testing

// The plans of the demo catalog's families (issue 21): which chunks a query reads and whether
// it is answered chunk by chunk. The answers themselves are checked against the unsharded
// oracle by the differential corpus (fixtures/differential/15_families.adql).
@Suite struct FamilyPlanTests {
    static let schema = "dp02_dc2_catalogs"
    var engine: SkyShardEngine { DifferentialFixture.engine }

    /// A key of `table.column` taken from the oracle (the n-th smallest).
    func key(_ table: String, _ column: String, _ n: Int = 7) throws -> Int64 {
        let rows = try DifferentialFixture.oracle.rows(
            "SELECT DISTINCT \"\(column)\" FROM \"\(table)\" WHERE \"\(column)\" IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET \(n)")
        guard case .integer(let v)? = rows.first?.first else {
            Issue.record("no key \(n) in \(table).\(column)")
            return 0
        }
        return v
    }

    @Test("a key lookup on any director's family reads one chunk", arguments: [
        ("Object", "objectId", "Object", "objectId"),
        ("ForcedSource", "objectId", "Object", "objectId"),
        ("DiaObject", "diaObjectId", "DiaObject", "diaObjectId"),
        ("DiaSource", "diaObjectId", "DiaObject", "diaObjectId"),
        ("ForcedSourceOnDiaObject", "diaObjectId", "DiaObject", "diaObjectId"),
        ("Source", "sourceId", "Source", "sourceId"),
        ("MatchesTruth", "match_objectId", "Object", "objectId"),
    ])
    func keyLookup(table: String, column: String, director: String, key: String) throws {
        let k = try self.key(director, key)
        let plan = try #require(try engine.plan("SELECT * FROM \(Self.schema).\(table) WHERE \(column) = \(k)").distributed)
        #expect(plan.chunkIds.count == 1, "\(plan.explanation)")
        #expect(plan.totalChunks > 20)
    }

    @Test("a cone prunes the same chunks on every director", arguments: [
        ("DiaObject", "ra", "decl"), ("Source", "coord_ra", "coord_dec"), ("TruthSummary", "ra", "dec"),
    ])
    func conePruning(table: String, lon: String, lat: String) throws {
        func chunks(_ t: String, _ lon: String, _ lat: String) throws -> [Int] {
            let adql = "SELECT COUNT(*) FROM \(Self.schema).\(t) WHERE CONTAINS(POINT('ICRS', \(lon), \(lat)), CIRCLE('ICRS', 62, -37, 1.5)) = 1"
            return try #require(try engine.plan(adql).distributed).chunkIds
        }
        let object = try chunks("Object", "coord_ra", "coord_dec")
        #expect(!object.isEmpty && object.count < 20)
        #expect(try chunks(table, lon, lat) == object)
    }

    @Test("joins within a family, and through a ref-match table, are chunk-local", arguments: [
        "SELECT o.objectId, f.psfFlux FROM dp02_dc2_catalogs.Object AS o JOIN dp02_dc2_catalogs.ForcedSource AS f ON o.objectId = f.objectId",
        "SELECT d.diaObjectId, f.psfFlux FROM dp02_dc2_catalogs.DiaObject AS d JOIN dp02_dc2_catalogs.ForcedSourceOnDiaObject AS f ON d.diaObjectId = f.diaObjectId",
        "SELECT d.diaObjectId, s.psFlux FROM dp02_dc2_catalogs.DiaSource AS s JOIN dp02_dc2_catalogs.DiaObject AS d ON d.diaObjectId = s.diaObjectId",
        "SELECT o.objectId, t.redshift FROM dp02_dc2_catalogs.Object AS o JOIN dp02_dc2_catalogs.MatchesTruth AS m ON m.match_objectId = o.objectId JOIN dp02_dc2_catalogs.TruthSummary AS t ON t.id_truth_type = m.id_truth_type",
    ])
    func chunkLocalJoin(adql: String) throws {
        let plan = try engine.plan(adql)
        #expect(plan.distributed != nil, "\(plan.explanation)")
        if adql.contains("MatchesTruth") {
            #expect(plan.distributed?.passes.contains { $0.hasPrefix("ref-match: t reads TruthSummary plus its overlap rows") } == true)
        }
    }

    @Test("joins across families without a link go to the coordinator, saying why", arguments: [
        ("SELECT o.objectId FROM dp02_dc2_catalogs.Object AS o JOIN dp02_dc2_catalogs.DiaObject AS d ON o.objectId = d.diaObjectId", "different families"),
        ("SELECT t.id_truth_type FROM dp02_dc2_catalogs.TruthSummary AS t LEFT JOIN dp02_dc2_catalogs.MatchesTruth AS m ON m.id_truth_type = t.id_truth_type", "outer join"),
    ])
    func coordinatorJoin(adql: String, reason: String) throws {
        let plan = try engine.plan(adql)
        guard case .coordinated(let c) = plan else {
            Issue.record("expected a coordinator plan: \(plan.explanation)")
            return
        }
        #expect(c.passes.first?.contains(reason) == true, "\(c.passes)")
    }

    @Test func refMatchBeyondTheOverlapIsFinishedAtTheCoordinator() throws {
        var catalog = engine.catalog
        let i = try #require(catalog.tables.firstIndex { $0.name == "MatchesTruth" })
        catalog.tables[i].refMatch?.maxSeparation = 1
        let planner = QueryPlanner(catalog: catalog, directorIndex: nil)
        let query = try SkyShardEngine.parse(
            "SELECT m.match_objectId, t.redshift FROM dp02_dc2_catalogs.MatchesTruth AS m JOIN dp02_dc2_catalogs.TruthSummary AS t ON t.id_truth_type = m.id_truth_type")
        guard case .coordinated(let c) = try planner.plan(query) else {
            Issue.record("expected a coordinator plan")
            return
        }
        #expect(c.passes.first?.contains("beyond the catalog's overlap") == true, "\(c.passes)")
    }
}

// ObsCore in the demo catalog, under both of its names: the image searches of the DP0.2
// tutorials (the corpus's ObsCore queries) find the demo's synthetic calexps and coadds.
@Suite struct ObsCoreTests {
    var engine: SkyShardEngine { DifferentialFixture.engine }

    func rowCount(_ adql: String) async throws -> Int {
        let result = try await engine.execute(adql)
        var rows = 0
        for try await batch in result.batches { rows += batch.rowCount }
        return rows
    }

    @Test("the tutorials' ObsCore queries return rows", arguments: [
        "SELECT column_name, datatype, description, unit FROM tap_schema.columns WHERE table_name = 'ivoa.ObsCore'",
        "SELECT column_name, datatype, description, unit FROM tap_schema.columns WHERE table_name = 'dp02_dc2_catalogs.ObsCore'",
        "SELECT * FROM dp02_dc2_catalogs.ObsCore WHERE CONTAINS(POINT('ICRS', 62.0, -37.0), s_region) = 1",
        "SELECT * FROM ivoa.ObsCore WHERE CONTAINS(POINT('ICRS', 62.0, -37.0), s_region) = 1 AND lsst_band = 'i' AND calib_level = 2",
        "SELECT * FROM dp02_dc2_catalogs.ObsCore WHERE CONTAINS(POINT('ICRS', 62.0, -37.0), s_region) = 1 AND lsst_band = 'i' AND calib_level = 3 AND dataproduct_subtype = 'lsst.deepCoadd_calexp'",
        "SELECT lsst_patch, lsst_tract, s_region, access_format, access_url, dataproduct_subtype FROM dp02_dc2_catalogs.ObsCore WHERE dataproduct_type = 'image' AND obs_collection = 'LSST.DP02' AND dataproduct_subtype = 'lsst.deepCoadd_calexp' AND lsst_band = 'i' AND CONTAINS(POINT('ICRS', 55.65, -40.0), s_region) = 1",
    ])
    func tutorialQuery(adql: String) async throws {
        #expect(try await rowCount(adql) > 0)
    }

    @Test func bothNamesServeTheSameRows() async throws {
        let filter = "WHERE lsst_band = 'r' AND calib_level = 3 AND CONTAINS(POINT('ICRS', 55.65, -40.0), s_region) = 1"
        let a = try await rowCount("SELECT obs_id FROM ivoa.ObsCore \(filter)")
        let b = try await rowCount("SELECT obs_id FROM dp02_dc2_catalogs.ObsCore \(filter)")
        // One coadd patch per band covers a point off the patch edges.
        #expect(a == 1 && b == 1)
    }
}
