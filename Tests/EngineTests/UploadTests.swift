import ADQL
import Catalog
import Foundation
import Planner
import Tabular
import TestSupport
import Testing

@testable import DemoData
@testable import QueryEngine
@testable import SQLiteKit
@testable import Sky

// Queries over uploaded tables (TAP_UPLOAD, issue 19), compared with brute force: the same
// ADQL on one unsharded SQLite file holding the catalog's rows, with the upload as a plain
// table next to it (`UploadOracle`).

/// An unsharded copy of a catalog (attached read-only) with uploads as tables of its own, and
/// the SkyShard SQL functions: ADQL rendered by `OracleDialect` runs on it unchanged.
final class UploadOracle {
    let connection: SQLiteConnection

    init(catalogFile: URL, uploads: [UploadedTable]) throws {
        connection = try SQLiteConnection(path: "", mode: .readWriteCreate)
        try connection.attach(path: catalogFile.path, as: "base", readOnly: true)
        for upload in uploads {
            let columns = upload.fields.map { field -> String in
                let type =
                    field.datatype.isInteger || field.datatype == .boolean
                    ? "INTEGER" : field.datatype.isFloatingPoint ? "REAL" : "TEXT"
                return "\(SQLiteRenderer.quoteIdentifier(field.name)) \(type)"
            }
            try connection.execute(
                "CREATE TABLE \(SQLiteRenderer.quoteIdentifier(upload.name)) (\(columns.joined(separator: ", ")))")
            let insert = try connection.prepare(
                "INSERT INTO \(SQLiteRenderer.quoteIdentifier(upload.name)) VALUES (\(upload.fields.map { _ in "?" }.joined(separator: ", ")))"
            )
            try connection.transaction { try insert.insertRows(of: upload.rows) }
        }
        UserFunctions.register(on: connection)
    }

    func rows(_ adql: String) throws -> [[Value]] {
        let sql = try SQLiteRenderer(dialect: OracleDialect()).render(try ADQLParser.parse(adql))
        return try connection.query(sql)
    }
}

/// Runs `adql` with `uploads` on `engine` and on `oracle`, and compares: in order when
/// `ordered`, as multisets otherwise. Returns the engine's plan and row count.
@discardableResult
func compareWithOracle(
    _ adql: String, engine: SkyShardEngine, uploads: [UploadedTable], oracle: UploadOracle, ordered: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> (plan: QueryPlan, rows: Int) {
    let plan = try engine.plan(adql, uploads: uploads)
    let batch = try await engine.execute(adql, uploads: uploads).collect()
    let actual = (0..<batch.rowCount).map { Array(batch.row($0)) }
    let expected = try oracle.rows(adql)
    let problem =
        ordered
        ? DifferentialComparison.compareOrdered(actual, expected)
        : DifferentialComparison.compareMultiset(actual, expected)
    #expect(problem == nil, "\(adql): \(problem ?? "")", sourceLocation: sourceLocation)
    return (plan, actual.count)
}

/// The upload of the cross-match tests: points near catalog objects at distances from 0.1″ to
/// about 3′, and points on the chunker's stripe, sub-stripe and chunk edges, near and on the
/// poles, across RA 0/360 (written as 0, 360, negative and just below 360), without a position,
/// and with a latitude beyond the pole.
enum CrossMatchUpload {
    static let fields = [
        FieldDescriptor(name: "id", datatype: .long), FieldDescriptor(name: "ra", datatype: .double, unit: "deg"),
        FieldDescriptor(name: "dec", datatype: .double, unit: "deg"), FieldDescriptor(name: "label", datatype: .char),
    ]

    static func make() -> UploadedTable {
        var rng = Xoshiro256(seed: 19_019)
        var values: [Value] = []
        var n: Int64 = 0
        func add(_ ra: Double?, _ dec: Double?, _ label: String) {
            n += 1
            values += [.integer(n), ra.map { .real($0) } ?? .null, dec.map { .real($0) } ?? .null, .text(label)]
        }
        /// A point at `distance` degrees from (ra, dec) in a random direction.
        func offset(_ ra: Double, _ dec: Double, by distance: Double) -> (Double, Double) {
            let bearing = rng.uniform(0, 2 * Double.pi)
            let d = distance * SkyAngle.radiansPerDegree, lat = dec * SkyAngle.radiansPerDegree
            let lat2 = asin(sin(lat) * cos(d) + cos(lat) * sin(d) * cos(bearing))
            let lon2 = ra * SkyAngle.radiansPerDegree + atan2(sin(bearing) * sin(d) * cos(lat), cos(d) - sin(lat) * sin(lat2))
            return (lon2 * SkyAngle.degreesPerRadian, lat2 * SkyAngle.degreesPerRadian)
        }
        let catalog = SkyWideFixture.unshardedRows
        // Near catalog objects, at log-uniform distances from 0.1″ to 200″.
        for _ in 0..<600 {
            let o = catalog[Int(rng.uniform(0, Double(catalog.count)))]
            let distance = exp(rng.uniform(log(0.1), log(200))) / 3600
            let p = offset(o.ra, o.dec, by: distance)
            add(p.0, p.1, "near")
        }
        let chunker = SkyWideFixture.engine.planner.chunker
        let nudges: [Double] = [0.0, 1e-12, -1e-12, 0.3 / 3600, -0.3 / 3600, 20 / 3600, -20 / 3600, 50 / 3600, -50 / 3600]
        // Stripe and sub-stripe edges (every 5°).
        for k in 1..<36 {
            for nudge in nudges { add(rng.uniform(0, 360), Double(k) * 5 - 90 + nudge, "stripe edge") }
        }
        // Chunk edges in longitude, of every stripe.
        for chunk in chunker.allChunks() {
            let bounds = chunker.chunkBounds(chunk)
            for nudge in nudges.prefix(5) {
                add(bounds.lonMin + nudge, rng.uniform(bounds.latMin, bounds.latMax), "chunk edge")
            }
        }
        // Near and on the poles.
        for pole in [-1.0, 1.0] {
            for _ in 0..<60 { add(rng.uniform(0, 360), pole * rng.uniform(88, 90), "pole") }
            add(0, pole * 90, "pole")
            add(123.4, pole * 90, "pole")
        }
        // Across RA 0/360.
        for _ in 0..<80 { add(rng.uniform(-0.05, 0.05), rng.uniform(-80, 80), "ra0") }
        for dec in [0.0, 12.5, -60] {
            for ra in [0.0, 360, -1e-9, 359.999_999_9, 1e-9, -0.0001] { add(ra, dec, "ra0 exact") }
        }
        // Catalog objects themselves (distance 0), among them those on RA 0 and 360 - ε.
        for o in catalog.suffix(3) { add(o.ra, o.dec, "object") }
        // No position, half a position, and a latitude beyond the pole.
        add(nil, nil, "null")
        add(10, nil, "null dec")
        add(10, 95, "beyond the pole")
        return UploadedTable(name: "pts", fields: fields, rows: RowBatch(columnCount: 4, values: values))
    }

    static let table = make()
}

@Suite struct UploadCrossMatchTests {
    static let radii = [1.0 / 3600, 10.0 / 3600, 0.01, SkyWideFixture.chunking.overlap, 0.05]

    static func forms(_ r: Double) -> [String] {
        [
            "SELECT u.id, o.objectId FROM TAP_UPLOAD.pts AS u JOIN allsky.Object AS o ON CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), CIRCLE('ICRS', u.ra, u.dec, \(r))) = 1",
            "SELECT u.id, o.objectId FROM allsky.Object AS o JOIN TAP_UPLOAD.pts AS u ON 1 = CONTAINS(POINT(u.ra, u.dec), CIRCLE(o.coord_ra, o.coord_dec, \(r)))",
            "SELECT u.id, o.objectId, u.label FROM TAP_UPLOAD.pts u, allsky.Object o WHERE DISTANCE(POINT('ICRS', o.coord_ra, o.coord_dec), POINT('ICRS', u.ra, u.dec)) < \(r)",
            "SELECT o.objectId, u.id FROM allsky.Object o, TAP_UPLOAD.pts u WHERE DISTANCE(POINT(u.ra, u.dec), POINT(o.coord_ra, o.coord_dec)) <= \(r) AND u.id > 0",
        ]
    }

    @Test(arguments: radii)
    func crossMatchEqualsBruteForce(radius: Double) async throws {
        let engine = SkyWideFixture.engine
        let upload = CrossMatchUpload.table
        let oracle = try UploadOracle(catalogFile: SkyWideFixture.unshardedFile, uploads: [upload])
        var counts: [Int] = []
        // Two of the four forms per radius, in turn (the brute force is slow): each form meets
        // several radii, the smallest and the overlap among them.
        let index = Self.radii.firstIndex(of: radius) ?? 0
        let forms = Self.forms(radius)
        for adql in [forms[index % forms.count], forms[(index + 1) % forms.count]] {
            let (plan, rows) = try await compareWithOracle(adql, engine: engine, uploads: [upload], oracle: oracle)
            counts.append(rows)
            let distributed = try #require(plan.distributed, "\(adql) is not distributed")
            let partition = try #require(distributed.uploadPartition, "\(adql): the upload is not partitioned")
            #expect(partition.uploadRows == upload.rows.rowCount)
            // Only the chunks the upload reaches run, each with its own rows.
            #expect(distributed.chunkIds == partition.rowsPerChunk.keys.sorted())
            #expect(distributed.explanation.contains("rows per chunk"))
        }
        // The sample must hold matches at every radius, or the comparison proves little.
        #expect(counts.allSatisfy { $0 > 20 }, "matches: \(counts)")
    }

    /// Aggregates, ORDER BY with TOP and an outer join over a cross-match.
    @Test func shapesOverACrossMatch() async throws {
        let engine = SkyWideFixture.engine
        let upload = CrossMatchUpload.table
        let oracle = try UploadOracle(catalogFile: SkyWideFixture.unshardedFile, uploads: [upload])
        let match = "CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), CIRCLE('ICRS', u.ra, u.dec, 0.01)) = 1"
        try await compareWithOracle(
            "SELECT u.id, COUNT(*) AS n FROM TAP_UPLOAD.pts AS u JOIN allsky.Object AS o ON \(match) GROUP BY u.id ORDER BY u.id",
            engine: engine, uploads: [upload], oracle: oracle, ordered: true)
        try await compareWithOracle(
            "SELECT COUNT(*), COUNT(DISTINCT o.objectId) FROM TAP_UPLOAD.pts AS u JOIN allsky.Object AS o ON \(match)",
            engine: engine, uploads: [upload], oracle: oracle)
        try await compareWithOracle(
            "SELECT TOP 25 u.id, o.objectId FROM TAP_UPLOAD.pts AS u JOIN allsky.Object AS o ON \(match) ORDER BY o.objectId DESC, u.id",
            engine: engine, uploads: [upload], oracle: oracle, ordered: true)
        // Unmatched upload rows kept: finished at the coordinator.
        try await compareWithOracle(
            "SELECT u.id, o.objectId FROM TAP_UPLOAD.pts AS u LEFT JOIN allsky.Object AS o ON \(match)",
            engine: engine, uploads: [upload], oracle: oracle)
        // A cross-match inside a sub-query.
        try await compareWithOracle(
            "SELECT u.id FROM TAP_UPLOAD.pts AS u WHERE u.id IN (SELECT x.id FROM TAP_UPLOAD.pts AS x JOIN allsky.Object AS o ON CONTAINS(POINT('ICRS', o.coord_ra, o.coord_dec), CIRCLE('ICRS', x.ra, x.dec, 0.01)) = 1)",
            engine: engine, uploads: [upload], oracle: oracle)
        // The upload alone.
        try await compareWithOracle(
            "SELECT * FROM TAP_UPLOAD.pts WHERE dec > 80 OR ra IS NULL", engine: engine, uploads: [upload], oracle: oracle)
        try await compareWithOracle(
            "SELECT label, COUNT(*), AVG(dec) FROM TAP_UPLOAD.pts GROUP BY label ORDER BY label", engine: engine,
            uploads: [upload], oracle: oracle, ordered: true)
    }

    /// A radius beyond the catalog's overlap is answered exactly too (the catalog's own rows
    /// of each chunk, never its overlap rows, are matched), and the plan shows the partition.
    @Test func explainShowsThePartition() throws {
        let engine = SkyWideFixture.engine
        let plan = try engine.plan(Self.forms(1.0 / 3600)[0], uploads: [CrossMatchUpload.table])
        let text = plan.explanation
        #expect(text.contains("upload-partitioning"))
        #expect(text.contains("upload TAP_UPLOAD.pts AS u: \(CrossMatchUpload.table.rows.rowCount) row(s)"))
        #expect(text.contains("chunks touched:"))
        #expect(text.contains("json_each(?2)"))
        #expect(!text.contains("Overlap"), "a cross-match reads no overlap rows: \(text)")
    }
}

@Suite struct UploadKeyJoinTests {
    static var engine: SkyShardEngine { DifferentialFixture.engine }

    static func oracle(_ uploads: [UploadedTable]) throws -> UploadOracle {
        try UploadOracle(catalogFile: DifferentialFixture.oracle.file, uploads: uploads)
    }

    /// Object ids that exist, some twice, some that do not, a NULL, a fraction.
    static func ids() throws -> UploadedTable {
        let known = try DifferentialFixture.oracle.distinctValues(table: "Object", column: "objectId")
        var rng = Xoshiro256(seed: 19)
        var values: [Value] = []
        var n: Int64 = 0
        func add(_ v: Value) {
            n += 1
            values += [.integer(n), v]
        }
        for _ in 0..<40 { add(known[Int(rng.uniform(0, Double(known.count)))]) }
        add(known[0])
        add(known[0])
        add(.integer(-5))
        add(.integer(Int64.max))
        add(.null)
        if let k = known[1].int64Value { add(.real(Double(k) + 0.5)) }
        return UploadedTable(
            name: "ids",
            fields: [FieldDescriptor(name: "n", datatype: .int), FieldDescriptor(name: "objectId", datatype: .long)],
            rows: RowBatch(columnCount: 2, values: values))
    }

    @Test func keyJoinsEqualTheOracle() async throws {
        let upload = try Self.ids()
        let oracle = try Self.oracle([upload])
        let queries = [
            "SELECT u.n, o.objectId, o.coord_ra FROM TAP_UPLOAD.ids AS u JOIN dp02_dc2_catalogs.Object AS o ON u.objectId = o.objectId",
            "SELECT n, objectId FROM dp02_dc2_catalogs.Object JOIN TAP_UPLOAD.ids USING (objectId)",
            "SELECT u.n, f.forcedSourceId FROM TAP_UPLOAD.ids AS u JOIN dp02_dc2_catalogs.ForcedSource AS f ON f.objectId = u.objectId",
            "SELECT u.n, COUNT(*) FROM TAP_UPLOAD.ids AS u, dp02_dc2_catalogs.Object AS o, dp02_dc2_catalogs.ForcedSource AS f WHERE o.objectId = u.objectId AND f.objectId = o.objectId GROUP BY u.n",
        ]
        for adql in queries {
            let (plan, rows) = try await compareWithOracle(adql, engine: Self.engine, uploads: [upload], oracle: oracle)
            #expect(rows > 0, "\(adql)")
            let distributed = try #require(plan.distributed, "\(adql)")
            let partition = try #require(distributed.uploadPartition, "\(adql)")
            #expect(distributed.chunkIds.count <= 42)
            #expect(distributed.chunkIds.count < distributed.totalChunks)
            #expect(partition.unplacedRows == 4)
        }
    }

    /// Joins that do not partition the upload: with a replicated table, by a non-key column,
    /// an outer join, set operations.
    @Test func otherJoinsEqualTheOracle() async throws {
        let upload = try Self.ids()
        let visits = UploadedTable(
            name: "visits", fields: [FieldDescriptor(name: "visit", datatype: .long)],
            rows: RowBatch(
                columnCount: 1,
                values: try DifferentialFixture.oracle.distinctValues(table: "CcdVisit", column: "visitId").prefix(5).map { $0 }))
        let oracle = try Self.oracle([upload, visits])
        let queries = [
            "SELECT c.ccdVisitId, v.visit FROM TAP_UPLOAD.visits AS v JOIN dp02_dc2_catalogs.CcdVisit AS c ON c.visitId = v.visit",
            "SELECT u.n, o.objectId FROM TAP_UPLOAD.ids AS u JOIN dp02_dc2_catalogs.Object AS o ON u.n = o.tract",
            "SELECT u.n, o.objectId FROM TAP_UPLOAD.ids AS u LEFT JOIN dp02_dc2_catalogs.Object AS o ON u.objectId = o.objectId",
            "SELECT objectId FROM TAP_UPLOAD.ids UNION SELECT visit FROM TAP_UPLOAD.visits",
            "SELECT COUNT(*) FROM dp02_dc2_catalogs.ForcedSource AS f JOIN TAP_UPLOAD.visits AS v ON f.ccdVisitId / 1000 = v.visit",
        ]
        for adql in queries {
            try await compareWithOracle(adql, engine: Self.engine, uploads: [upload, visits], oracle: oracle)
        }
    }

    @Test func uploadsAreNotInTapSchema() async throws {
        let upload = try Self.ids()
        let batch = try await Self.engine.execute(
            "SELECT COUNT(*) FROM TAP_SCHEMA.tables WHERE schema_name = 'TAP_UPLOAD' OR table_name LIKE '%ids%'",
            uploads: [upload]
        ).collect()
        #expect(batch[0, 0] == .integer(0))
        // And the upload is gone with the query.
        await #expect(throws: QueryError.self) { try await Self.engine.execute("SELECT * FROM TAP_UPLOAD.ids") }
    }
}

@Suite struct UploadSafetyTests {
    static var engine: SkyShardEngine { DifferentialFixture.engine }

    static func table(name: String, columns: [String], rows: [[Value]]) -> UploadedTable {
        UploadedTable(
            name: name, fields: columns.map { FieldDescriptor(name: $0, datatype: .char) },
            rows: RowBatch(columnCount: columns.count, values: rows.flatMap { $0 }))
    }

    /// Names that try to break out of their quotes or the statement are refused, or, for
    /// column names (which may be any text), quoted: the values come back as they were sent.
    @Test func injectionThroughNamesAndValuesFails() async throws {
        for bad in ["t; DROP TABLE Object", "t\"", "x) --", "", "1t", "t'", "tap_upload.t", "ünï"] {
            let upload = Self.table(name: bad, columns: ["a"], rows: [[.text("x")]])
            await #expect(throws: QueryError.self, "table name \(bad)") {
                try await Self.engine.execute("SELECT * FROM dp02_dc2_catalogs.CcdVisit", uploads: [upload])
            }
        }
        for bad in ["a\u{0}b", "a\nb", "", "A", "a"] {
            let upload = Self.table(name: "t", columns: ["a", bad], rows: [[.text("x"), .text("y")]])
            await #expect(throws: QueryError.self, "column name \(bad.debugDescription)") {
                try await Self.engine.execute("SELECT * FROM TAP_UPLOAD.t", uploads: [upload])
            }
        }
        let hostile = ["x\" FROM Object; --", "b') AS y; DROP TABLE \"Object\"; --", "c]", "value", "j"]
        let values: [Value] = [
            .text("'); DROP TABLE Object; --"), .text("\"},{\"x\":1}]"), .text("\\u0000\u{1}\n\t\\"),
            .text("?2"), .text("[]"),
        ]
        let upload = Self.table(name: "evil", columns: hostile, rows: [values])
        let batch = try await Self.engine.execute("SELECT * FROM TAP_UPLOAD.evil", uploads: [upload]).collect()
        #expect(batch.rowCount == 1)
        #expect(Array(batch.row(0)) == values)
        let quoted = hostile.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: ", ")
        let selected = try await Self.engine.execute("SELECT \(quoted) FROM TAP_UPLOAD.evil", uploads: [upload]).collect()
        #expect(Array(selected.row(0)) == values)
        // A value used in a join condition and a filter is a value, not SQL.
        let filtered = try await Self.engine.execute(
            "SELECT COUNT(*) FROM TAP_UPLOAD.evil AS e JOIN dp02_dc2_catalogs.CcdVisit AS c ON e.\"j\" = c.band",
            uploads: [upload]
        ).collect()
        #expect(filtered[0, 0] == .integer(0))
        // The catalog is intact.
        let objects = try await Self.engine.execute("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object").collect()
        #expect(objects[0, 0] == .integer(Int64(DifferentialFixture.objects)))
    }

    /// Doubles (and the values that JSON cannot hold: infinities, NaN as NULL) come back from
    /// the upload's parameter bit for bit.
    @Test func valuesRoundTripExactly() async throws {
        var rng = Xoshiro256(seed: 77)
        var values: [Value] = []
        for i in 0..<20_000 {
            let d: Double
            switch i % 4 {
            case 0: d = Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64(rng.uniform(1, 2046)) << 52))
            case 1: d = rng.uniform(0, 360)
            case 2: d = rng.uniform(-90, 90)
            default: d = rng.uniform(-1, 1) * 1e-300
            }
            values += [.integer(Int64(i)), .real(d), .integer(Int64(bitPattern: rng.next()))]
        }
        values += [.integer(-1), .real(.infinity), .null, .integer(-2), .real(-.infinity), .null, .integer(-3), .null, .null]
        let upload = UploadedTable(
            name: "nums",
            fields: [
                FieldDescriptor(name: "i", datatype: .long), FieldDescriptor(name: "d", datatype: .double),
                FieldDescriptor(name: "k", datatype: .long),
            ], rows: RowBatch(columnCount: 3, values: values))
        let batch = try await Self.engine.execute("SELECT i, d, k FROM TAP_UPLOAD.nums ORDER BY i", uploads: [upload])
            .collect()
        var expected = (0..<(values.count / 3)).map { Array(values[($0 * 3)..<($0 * 3 + 3)]) }
        expected.sort { ($0[0].int64Value ?? 0) < ($1[0].int64Value ?? 0) }
        #expect(batch.rowCount == expected.count)
        var mismatches = 0
        for r in 0..<min(batch.rowCount, expected.count) where Array(batch.row(r)) != expected[r] {
            if mismatches < 5 { Issue.record("row \(r): \(Array(batch.row(r))) ≠ \(expected[r])") }
            mismatches += 1
        }
        #expect(mismatches == 0)
    }
}
