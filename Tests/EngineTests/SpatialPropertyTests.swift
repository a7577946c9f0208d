import ADQL
import Catalog
import Foundation
import Planner
import Tabular
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather
@testable import Sky

// Property tests of the planner over random spatial predicates (issue 15): every predicate
// plans without a trap, values out of range are refused with an error that names them and
// their position, and for a seeded sample the sharded answer equals a brute-force evaluation
// of the same predicate over an unsharded file of the same rows.

/// A catalog that covers the whole sky: a uniform sprinkle, a dense survey footprint, both
/// polar caps with the poles themselves, a band across RA 0/360, and points on stripe and chunk
/// edges. Ingested by the real ingest into chunk files (coarse chunks: 12 stripes of 15°), and
/// written as one unsharded SQLite file as well.
enum SkyWideFixture {
    static let schema = "allsky"
    static let directory = ScratchDirectory.make(prefix: "skyshard-allsky-")
    static var dataRoot: URL { directory.appendingPathComponent("catalog", isDirectory: true) }
    static var unshardedFile: URL { directory.appendingPathComponent("unsharded.sqlite") }
    static let chunking = ChunkingParameters(numStripes: 12, numSubStripesPerStripe: 3, overlap: 0.01667)

    /// (objectId, ra, dec) as generated.
    static func generateRows() -> [(id: Int64, ra: Double, dec: Double)] {
        var rng = Xoshiro256(seed: 15_015)
        var rows: [(Int64, Double, Double)] = []
        func add(_ ra: Double, _ dec: Double) {
            rows.append((Int64(rows.count + 1), SkyAngle.normalizedLongitude(ra), min(90, max(-90, dec))))
        }
        func uniformSphere() -> (Double, Double) {
            (rng.uniform(0, 360), asin(rng.uniform(-1, 1)) * SkyAngle.degreesPerRadian)
        }
        for _ in 0..<4_000 { let p = uniformSphere(); add(p.0, p.1) }
        // The survey footprint, dense.
        for _ in 0..<8_000 { add(rng.uniform(55, 70), rng.uniform(-40, -28)) }
        // Polar caps (uniform in area within 5° of each pole) and the poles themselves.
        for pole in [-1.0, 1.0] {
            for _ in 0..<1_200 {
                let colatitude = acos(rng.uniform(cos(5 * SkyAngle.radiansPerDegree), 1)) * SkyAngle.degreesPerRadian
                add(rng.uniform(0, 360), pole * (90 - colatitude))
            }
            for ra in [0.0, 90, 180, 270] { add(ra, pole * 90) }
        }
        // A band across RA 0/360.
        for _ in 0..<2_000 { add(rng.uniform(-4, 4), asin(rng.uniform(-1, 1)) * SkyAngle.degreesPerRadian) }
        // Stripe edges (every 5°, the sub-stripe height) and chunk edges in longitude.
        for k in 0...36 {
            let dec = Double(k) * 5 - 90
            for _ in 0..<6 { add(rng.uniform(0, 360), dec) }
        }
        for ra in stride(from: 0.0, to: 360, by: 15) {
            for _ in 0..<4 { add(ra, rng.uniform(-80, 80)) }
        }
        add(0, 0)
        add(359.999_999_999, 0)
        return rows
    }

    static let rows = generateRows()

    static let engine: SkyShardEngine = {
        do {
            try build()
            return try SkyShardEngine(dataRoot: dataRoot, defaultTimeout: TestTimeLimits.correctness)
        } catch {
            fatalError("cannot build the all-sky test catalog: \(error)")
        }
    }()

    static let felis = """
        name: \(schema)
        '@id': "#\(schema)"
        description: All-sky test catalog.
        tables:
        - name: Object
          '@id': "#Object"
          description: Points over the whole sky.
          primaryKey: "#Object.objectId"
          columns:
          - name: objectId
            '@id': "#Object.objectId"
            datatype: long
            ivoa:ucd: meta.id;src;meta.main
            tap:principal: 1
          - name: coord_ra
            '@id': "#Object.coord_ra"
            datatype: double
            ivoa:unit: deg
            ivoa:ucd: pos.eq.ra;meta.main
            tap:principal: 1
          - name: coord_dec
            '@id': "#Object.coord_dec"
            datatype: double
            ivoa:unit: deg
            ivoa:ucd: pos.eq.dec;meta.main
            tap:principal: 1
        """

    static func build() throws {
        let fm = FileManager.default
        let bundle = directory.appendingPathComponent("bundle", isDirectory: true)
        try fm.createDirectory(at: bundle, withIntermediateDirectories: true)
        var csv = "objectId,coord_ra,coord_dec\n"
        for row in rows { csv += "\(row.id),\(row.ra),\(row.dec)\n" }
        try csv.write(to: bundle.appendingPathComponent("Object.csv"), atomically: true, encoding: .utf8)
        try felis.write(to: bundle.appendingPathComponent("allsky.yaml"), atomically: true, encoding: .utf8)
        let descriptor = """
            {
              "felis": "allsky.yaml",
              "schema": "\(schema)",
              "chunking": { "numStripes": \(chunking.numStripes), "numSubStripesPerStripe": \(chunking.numSubStripesPerStripe), "overlap": \(chunking.overlap) },
              "director": { "table": "Object", "key": "objectId", "lon": "coord_ra", "lat": "coord_dec" },
              "csv": { "Object": ["Object.csv"] }
            }
            """
        let descriptorURL = bundle.appendingPathComponent("allsky.descriptor.json")
        try descriptor.write(to: descriptorURL, atomically: true, encoding: .utf8)
        _ = try Ingester(descriptor: try IngestDescriptor.load(contentsOf: descriptorURL), dataRoot: dataRoot).run()

        // The unsharded file: every row in one table, nothing else.
        let db = try SQLiteConnection(path: unshardedFile.path, mode: .readWriteCreate)
        try db.execute("CREATE TABLE Object (objectId INTEGER PRIMARY KEY, coord_ra REAL NOT NULL, coord_dec REAL NOT NULL)")
        try db.execute("BEGIN")
        for row in rows {
            try db.execute("INSERT INTO Object VALUES (\(row.id), \(row.ra), \(row.dec))")
        }
        try db.execute("COMMIT")
    }

    /// The rows as read back from the unsharded file.
    static let unshardedRows: [(id: Int64, ra: Double, dec: Double)] = {
        _ = engine
        let db = try! SQLiteConnection(path: unshardedFile.path, mode: .readOnly)
        return try! db.query("SELECT objectId, coord_ra, coord_dec FROM Object").map {
            ($0[0].int64Value!, $0[1].doubleValue!, $0[2].doubleValue!)
        }
    }()

    /// A planner over the catalog that cuts every dense one-chunk box or cone into zone parts
    /// (a low row threshold), so the zone-split paths see every predicate as well.
    static let planner: QueryPlanner = {
        var p = QueryPlanner(catalog: engine.catalog, directorIndex: nil)
        p.zoneSplitRows = 16
        return p
    }()
}

// MARK: - Predicates

/// A spatial predicate over the director's position, with its ADQL text and its brute-force
/// meaning in Swift.
indirect enum SpatialPredicate: CustomStringConvertible {
    enum CircleForm: CaseIterable {
        case contains, containsReversed, pointCircle, intersects, scisql, region
    }
    enum DistanceForm: CaseIterable { case less, lessOrEqual, greaterReversed, angSep }
    enum Coordinate { case ra, dec }
    enum Comparison: String, CaseIterable { case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=" }

    case circle(lon: Double, lat: Double, radius: Double, form: CircleForm)
    case box(lon: Double, lat: Double, width: Double, height: Double)
    case scisqlBox(lonMin: Double, latMin: Double, lonMax: Double, latMax: Double)
    case polygon([(Double, Double)])
    case distance(lon: Double, lat: Double, radius: Double, form: DistanceForm)
    case compare(Coordinate, Comparison, Double)
    case between(Coordinate, Double, Double)
    case and([SpatialPredicate])
    case or([SpatialPredicate])
    case not(SpatialPredicate)

    static let point = "POINT('ICRS', coord_ra, coord_dec)"

    /// A number as ADQL: Swift's shortest round-tripping form, which ADQL reads back exactly.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "(1e308 * 10 - 1e308 * 10)" }
        if v.isInfinite { return v > 0 ? "1e400" : "-1e400" }
        return "\(v)"
    }

    var adql: String {
        let n = Self.number
        switch self {
        case .circle(let lon, let lat, let r, let form):
            switch form {
            case .contains: return "CONTAINS(\(Self.point), CIRCLE('ICRS', \(n(lon)), \(n(lat)), \(n(r)))) = 1"
            case .containsReversed: return "1 = CONTAINS(\(Self.point), CIRCLE('ICRS', \(n(lon)), \(n(lat)), \(n(r))))"
            case .pointCircle: return "CONTAINS(POINT(coord_ra, coord_dec), CIRCLE(POINT(\(n(lon)), \(n(lat))), \(n(r)))) = 1"
            case .intersects: return "INTERSECTS(CIRCLE('ICRS', \(n(lon)), \(n(lat)), \(n(r))), \(Self.point)) = 1"
            case .scisql: return "scisql_s2PtInCircle(coord_ra, coord_dec, \(n(lon)), \(n(lat)), \(n(r))) = 1"
            case .region: return "CONTAINS(\(Self.point), REGION('Circle ICRS \(n(lon)) \(n(lat)) \(n(r))')) = 1"
            }
        case .box(let lon, let lat, let w, let h):
            return "CONTAINS(\(Self.point), BOX('ICRS', \(n(lon)), \(n(lat)), \(n(w)), \(n(h)))) = 1"
        case .scisqlBox(let a, let b, let c, let d):
            return "scisql_s2PtInBox(coord_ra, coord_dec, \(n(a)), \(n(b)), \(n(c)), \(n(d))) = 1"
        case .polygon(let vertices):
            return
                "CONTAINS(\(Self.point), POLYGON('ICRS', \(vertices.map { "\(n($0.0)), \(n($0.1))" }.joined(separator: ", ")))) = 1"
        case .distance(let lon, let lat, let r, let form):
            let d = "DISTANCE(\(Self.point), POINT('ICRS', \(n(lon)), \(n(lat))))"
            switch form {
            case .less: return "\(d) < \(n(r))"
            case .lessOrEqual: return "\(d) <= \(n(r))"
            case .greaterReversed: return "\(n(r)) > \(d)"
            case .angSep: return "scisql_angSep(coord_ra, coord_dec, \(n(lon)), \(n(lat))) < \(n(r))"
            }
        case .compare(let c, let op, let v):
            return "\(c == .ra ? "coord_ra" : "coord_dec") \(op.rawValue) \(n(v))"
        case .between(let c, let a, let b):
            return "\(c == .ra ? "coord_ra" : "coord_dec") BETWEEN \(n(a)) AND \(n(b))"
        case .and(let ps): return "(" + ps.map(\.adql).joined(separator: " AND ") + ")"
        case .or(let ps): return "(" + ps.map(\.adql).joined(separator: " OR ") + ")"
        case .not(let p): return "NOT (\(p.adql))"
        }
    }

    var description: String { adql }

    /// The texts of the values that are out of the documented ranges (docs/adql.md): empty for
    /// a predicate the planner must accept.
    var invalidValues: [String] {
        // As the error names them: a NaN (written as arithmetic) by its value.
        func n(_ v: Double) -> String { v.isNaN ? "nan" : Self.number(v) }
        func lat(_ v: Double) -> [String] { v.isFinite && abs(v) <= 90 ? [] : [n(v)] }
        func lon(_ v: Double) -> [String] { v.isFinite ? [] : [n(v)] }
        func within(_ v: Double, _ hi: Double) -> [String] { v.isFinite && v >= 0 && v <= hi ? [] : [n(v)] }
        switch self {
        case .circle(let lo, let la, let r, _): return lon(lo) + lat(la) + within(r, 180)
        case .box(let lo, let la, let w, let h): return lon(lo) + lat(la) + within(w, 360) + within(h, 180)
        case .scisqlBox(let a, let b, let c, let d): return lon(a) + lat(b) + lon(c) + lat(d)
        case .polygon(let vs): return vs.flatMap { lon($0.0) + lat($0.1) }
        case .distance(let lo, let la, _, _): return lon(lo) + lat(la)
        case .compare, .between: return []
        case .and(let ps), .or(let ps): return ps.flatMap(\.invalidValues)
        case .not(let p): return p.invalidValues
        }
    }

    /// Whether (ra, dec) satisfies the predicate, computed directly.
    func holds(ra: Double, dec: Double) -> Bool {
        switch self {
        case .circle(let lon, let lat, let r, _):
            return SkyCircle(centerLon: lon, centerLat: lat, radius: r).contains(lon: ra, lat: dec)
        case .box(let lon, let lat, let w, let h):
            return SkyBox(centerLon: lon, centerLat: lat, width: w, height: h).contains(lon: ra, lat: dec)
        case .scisqlBox(let a, let b, let c, let d):
            return SkyBox(
                lonMin: SkyAngle.normalizedLongitude(a), lonMax: SkyAngle.normalizedLongitude(c),
                latMin: b, latMax: d
            ).contains(lon: ra, lat: dec)
        case .polygon(let vs):
            return (try? SkyPolygon(vertices: vs.map { (lon: $0.0, lat: $0.1) }))?.contains(lon: ra, lat: dec) ?? false
        case .distance(let lon, let lat, let r, let form):
            let d = SkyAngle.separation(lon1: ra, lat1: dec, lon2: lon, lat2: lat)
            return form == .lessOrEqual ? d <= r : d < r
        case .compare(let c, let op, let v):
            let x = c == .ra ? ra : dec
            switch op {
            case .less: return x < v
            case .lessOrEqual: return x <= v
            case .greater: return x > v
            case .greaterOrEqual: return x >= v
            }
        case .between(let c, let a, let b):
            let x = c == .ra ? ra : dec
            return a <= x && x <= b
        case .and(let ps): return ps.allSatisfy { $0.holds(ra: ra, dec: dec) }
        case .or(let ps): return ps.contains { $0.holds(ra: ra, dec: dec) }
        case .not(let p): return !p.holds(ra: ra, dec: dec)
        }
    }

    /// Whether (ra, dec) lies within `eps` degrees of an edge of some part of the predicate,
    /// where a sharded and a brute-force answer may round differently.
    func nearEdge(ra: Double, dec: Double, eps: Double) -> Bool {
        let p = UnitVector3(lon: ra, lat: dec)
        switch self {
        case .circle(let lon, let lat, let r, _), .distance(let lon, let lat, let r, _):
            let d = SkyAngle.separation(lon1: ra, lat1: dec, lon2: lon, lat2: lat)
            return abs(d - r) <= eps || abs(d - min(max(r, 0), 180)) <= eps
        case .box(let lon, let lat, let w, let h):
            return Self.nearBoxEdge(SkyBox(centerLon: lon, centerLat: lat, width: w, height: h), ra: ra, dec: dec, eps: eps)
        case .scisqlBox(let a, let b, let c, let d):
            return Self.nearBoxEdge(
                SkyBox(
                    lonMin: SkyAngle.normalizedLongitude(a), lonMax: SkyAngle.normalizedLongitude(c),
                    latMin: b, latMax: d), ra: ra, dec: dec, eps: eps)
        case .polygon(let vs):
            guard let polygon = try? SkyPolygon(vertices: vs.map { (lon: $0.0, lat: $0.1) }) else { return false }
            let v = Vec3(p)
            for i in polygon.vertices.indices {
                let (a, b, n) = polygon.edge(i)
                if SphericalMath.distance(from: v, toArc: a, b, normal: n) * SkyAngle.degreesPerRadian <= eps { return true }
            }
            return false
        case .compare(let c, _, let v):
            return abs((c == .ra ? ra : dec) - v) <= eps
        case .between(let c, let a, let b):
            let x = c == .ra ? ra : dec
            return abs(x - a) <= eps || abs(x - b) <= eps
        case .and(let ps), .or(let ps): return ps.contains { $0.nearEdge(ra: ra, dec: dec, eps: eps) }
        case .not(let q): return q.nearEdge(ra: ra, dec: dec, eps: eps)
        }
    }

    static func nearBoxEdge(_ box: SkyBox, ra: Double, dec: Double, eps: Double) -> Bool {
        if box.isEmpty { return false }
        if abs(dec - box.latMin) <= eps || abs(dec - box.latMax) <= eps { return true }
        guard !box.isFullLongitude, dec >= box.latMin - eps, dec <= box.latMax + eps else { return false }
        // Near a pole every meridian is close: the test is then loose, which only excuses more rows.
        let c = max(cos(dec * SkyAngle.radiansPerDegree), 1e-300)
        return min(SkyAngle.longitudeDistance(ra, box.lonMin), SkyAngle.longitudeDistance(ra, box.lonMax)) * c <= eps
    }
}

/// Seeded generator of spatial predicates at the places where planners break: the survey
/// footprint, the poles, the RA wrap, anywhere, and beyond the valid ranges.
struct SpatialPredicateGenerator {
    var rng: Xoshiro256

    init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

    mutating func center() -> (Double, Double) {
        switch rng.int(0, 9) {
        case 0, 1, 2: return (rng.uniform(55, 70), rng.uniform(-40, -28))  // footprint
        case 3, 4:  // a pole, sometimes exactly
            let pole: Double = rng.chance(0.5) ? 90 : -90
            let lat = rng.chance(0.2) ? pole : pole - (pole > 0 ? 1 : -1) * rng.uniform(0, 8)
            return (rng.uniform(-360, 720), lat)
        case 5, 6:  // across RA 0/360, written in several ways
            let lon = rng.uniform(-5, 5)
            let written = [lon, SkyAngle.normalizedLongitude(lon), lon + 360, lon - 720][rng.int(0, 3)]
            return (written, asin(rng.uniform(-1, 1)) * SkyAngle.degreesPerRadian)
        case 7:  // on a stripe or chunk edge
            return (Double(rng.int(0, 24)) * 15, Double(rng.int(0, 36)) * 5 - 90)
        case 8: return (rng.uniform(0, 360), asin(rng.uniform(-1, 1)) * SkyAngle.degreesPerRadian)
        default: return invalidCenter()
        }
    }

    /// Beyond the valid ranges: latitudes past ±90, huge or non-finite values.
    mutating func invalidCenter() -> (Double, Double) {
        switch rng.int(0, 4) {
        case 0: return (rng.uniform(0, 360), (rng.chance(0.5) ? 1 : -1) * rng.uniform(90.000_001, 200))
        case 1: return (rng.uniform(-1e6, 1e6), rng.uniform(-90, 90))
        case 2: return (rng.uniform(0, 360), rng.chance(0.5) ? .infinity : -.infinity)
        case 3: return (rng.chance(0.5) ? .nan : .infinity, rng.uniform(-90, 90))
        default: return (rng.uniform(0, 360), rng.chance(0.5) ? 90 : -90)
        }
    }

    mutating func radius() -> Double {
        switch rng.int(0, 19) {
        case 0: return 0
        case 1: return -rng.uniform(0, 10)
        case 2: return rng.uniform(90, 180)
        case 3: return rng.chance(0.5) ? 180 : rng.uniform(180.000_001, 1000)
        case 4: return rng.chance(0.5) ? .nan : .infinity
        default: return exp(rng.uniform(log(1e-3), log(20)))
        }
    }

    mutating func leaf() -> SpatialPredicate {
        let (lon, lat) = center()
        switch rng.int(0, 11) {
        case 0, 1, 2:
            let forms = SpatialPredicate.CircleForm.allCases
            let r = radius()
            var form = forms[rng.int(0, forms.count - 1)]
            // STC-S has no spelling for a non-finite number.
            if form == .region, !(lon.isFinite && lat.isFinite && r.isFinite) { form = .contains }
            return .circle(lon: lon, lat: lat, radius: r, form: form)
        case 3, 4:
            var w = exp(rng.uniform(log(1e-3), log(40))), h = exp(rng.uniform(log(1e-3), log(40)))
            switch rng.int(0, 9) {
            case 0: w = -w
            case 1: h = rng.uniform(100, 400)
            case 2: w = rng.uniform(300, 800)
            case 3: h = 0
            default: break
            }
            return .box(lon: lon, lat: lat, width: w, height: h)
        case 5:
            let w = rng.uniform(0, 30), h = rng.uniform(0, 20)
            return .scisqlBox(lonMin: lon - w, latMin: lat - h, lonMax: lon + w, latMax: lat + h)
        case 6:
            // A convex polygon: vertices around a circle, at increasing angles (either winding).
            let r = exp(rng.uniform(log(0.01), log(20)))
            let count = rng.int(3, 6)
            var angles: [Double] = []
            var a = rng.uniform(0, 360)
            for _ in 0..<count {
                angles.append(a)
                a += 360.0 / Double(count) * rng.uniform(0.6, 1.2)
            }
            if rng.chance(0.5) { angles.reverse() }
            let center = SkyCircle(
                centerLon: lon.isFinite ? lon : 0, centerLat: lat.isFinite ? min(max(lat, -90), 90) : 0, radius: r)
            var vertices = angles.map { angle -> (Double, Double) in
                Self.destination(from: center.centerLon, center.centerLat, distance: r, bearing: angle)
            }
            if !lat.isFinite || abs(lat) > 90 { vertices[0].1 = lat }
            return .polygon(vertices)
        case 7, 8:
            let forms = SpatialPredicate.DistanceForm.allCases
            return .distance(lon: lon, lat: lat, radius: radius(), form: forms[rng.int(0, forms.count - 1)])
        case 9:
            let ops = SpatialPredicate.Comparison.allCases
            let c: SpatialPredicate.Coordinate = rng.chance(0.5) ? .ra : .dec
            let v = c == .ra ? rng.uniform(-20, 380) : rng.uniform(-100, 100)
            return .compare(c, ops[rng.int(0, ops.count - 1)], v)
        case 10:
            let c: SpatialPredicate.Coordinate = rng.chance(0.5) ? .ra : .dec
            let a = c == .ra ? rng.uniform(-20, 380) : rng.uniform(-100, 100)
            return .between(c, a, a + rng.uniform(-5, 60))
        default:
            // Two close cones AND-ed: they meet or miss by a little (the family of the crash
            // of issue 15).
            let r1 = exp(rng.uniform(log(1e-3), log(2))), r2 = exp(rng.uniform(log(1e-3), log(2)))
            let gap = (r1 + r2) * rng.uniform(0.5, 3)
            let (lon2, lat2) = Self.destination(
                from: lon.isFinite ? lon : 0, lat.isFinite ? min(max(lat, -89), 89) : 0,
                distance: gap, bearing: rng.uniform(0, 360))
            return .and([
                .circle(lon: lon, lat: lat, radius: r1, form: .contains),
                .circle(lon: lon2, lat: lat2, radius: r2, form: .contains),
            ])
        }
    }

    mutating func predicate(depth: Int = 0) -> SpatialPredicate {
        if depth >= 3 || rng.chance(depth == 0 ? 0.35 : 0.55) { return leaf() }
        switch rng.int(0, 5) {
        case 0, 1, 2: return .and((0..<rng.int(2, 3)).map { _ in predicate(depth: depth + 1) })
        case 3, 4: return .or((0..<rng.int(2, 3)).map { _ in predicate(depth: depth + 1) })
        default: return .not(predicate(depth: depth + 1))
        }
    }

    /// The point `distance` degrees from (lon, lat) along `bearing` degrees (east of north).
    static func destination(from lon: Double, _ lat: Double, distance: Double, bearing: Double) -> (Double, Double) {
        let d = distance * SkyAngle.radiansPerDegree, b = bearing * SkyAngle.radiansPerDegree
        let phi = lat * SkyAngle.radiansPerDegree, lambda = lon * SkyAngle.radiansPerDegree
        let phi2 = asin(max(-1, min(1, sin(phi) * cos(d) + cos(phi) * sin(d) * cos(b))))
        let lambda2 = lambda + atan2(sin(b) * sin(d) * cos(phi), cos(d) - sin(phi) * sin(phi2))
        return (SkyAngle.normalizedLongitude(lambda2 * SkyAngle.degreesPerRadian), phi2 * SkyAngle.degreesPerRadian)
    }
}

// MARK: - Tests

@Suite(.serialized) struct SpatialPropertyTests {
    static let predicatesPerRun = 100_000
    static let comparedSample = 500

    static func query(_ p: SpatialPredicate) -> String {
        "SELECT objectId FROM \(SkyWideFixture.schema).Object WHERE \(p.adql)"
    }

    /// The outcome of planning one predicate: planned, or refused with a `QueryError`.
    enum Outcome { case planned(QueryPlan), refused(QueryError) }

    static func plan(_ p: SpatialPredicate, with planner: QueryPlanner) throws -> Outcome {
        let text = query(p)
        let parsed: Query
        do { parsed = try ADQLParser.parse(text) } catch {
            // Only a literal beyond Double's range may stop the parser.
            throw ParseFailure(query: text, error: "\(error)")
        }
        do {
            return .planned(try planner.plan(parsed))
        } catch let error as QueryError {
            return .refused(error)
        }
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var query: String
        var error: String
        var description: String { "\(query): \(error)" }
    }

    /// 100,000 random predicates, on both cores: each plans without a trap; a predicate with a
    /// value out of range is refused with an error naming one such value and its line and
    /// column; every other predicate plans.
    @Test func everyRandomPredicatePlansOrIsRefusedClearly() async throws {
        let planner = SkyWideFixture.planner
        let lanes = 2
        let perLane = Self.predicatesPerRun / lanes
        let results = try await withThrowingTaskGroup(of: (planned: Int, refused: Int, empty: Int, failures: [String]).self) {
            group in
            for lane in 0..<lanes {
                group.addTask {
                    var generator = SpatialPredicateGenerator(seed: 0x15_0000 + UInt64(lane))
                    var planned = 0, refused = 0, empty = 0
                    var failures: [String] = []
                    for _ in 0..<perLane {
                        let p = generator.predicate()
                        let invalid = p.invalidValues
                        let outcome: Outcome
                        do { outcome = try Self.plan(p, with: planner) } catch {
                            if invalid.isEmpty { failures.append("\(error)") }
                            refused += 1
                            continue
                        }
                        switch outcome {
                        case .planned(let plan):
                            planned += 1
                            if !invalid.isEmpty { failures.append("accepted \(invalid) in: \(Self.query(p))") }
                            if case .distributed(let d) = plan, case .chunks(let ids) = d.target, ids.isEmpty { empty += 1 }
                        case .refused(let error):
                            refused += 1
                            if invalid.isEmpty {
                                failures.append("refused a valid predicate: \(error.message) in: \(Self.query(p))")
                            } else if error.line == nil || error.column == nil
                                || !invalid.contains(where: { error.message.contains($0) })
                            {
                                failures.append("unclear error \(error.message) for \(invalid) in: \(Self.query(p))")
                            }
                        }
                    }
                    return (planned, refused, empty, failures)
                }
            }
            var total = (planned: 0, refused: 0, empty: 0, failures: [String]())
            for try await r in group {
                total.planned += r.planned
                total.refused += r.refused
                total.empty += r.empty
                total.failures += r.failures
            }
            return total
        }
        print(
            "spatial predicates: \(Self.predicatesPerRun) planned on \(lanes) lanes: \(results.planned) planned "
                + "(\(results.empty) to no chunk), \(results.refused) refused")
        #expect(results.planned + results.refused == Self.predicatesPerRun)
        #expect(results.failures.isEmpty, "\(results.failures.count) failures, first: \(results.failures.prefix(5))")
        // The generator must reach every kind of outcome, or the test proves little.
        #expect(results.planned > Self.predicatesPerRun / 2)
        #expect(results.refused > Self.predicatesPerRun / 20)
        #expect(results.empty > 100)
    }

    /// The crash of issue 15: two disjoint cones in one chunk plan to nothing, with no chunk read.
    @Test func disjointConesInOneChunkPlanToNoChunks() async throws {
        let adql = """
            SELECT objectId FROM \(SkyWideFixture.schema).Object
            WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -37, 0.01)) = 1
              AND CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -36.5, 0.01)) = 1
            """
        for planner in [SkyWideFixture.engine.planner, SkyWideFixture.planner] {
            guard case .distributed(let plan) = try planner.plan(try ADQLParser.parse(adql)) else {
                Issue.record("not a distributed plan")
                continue
            }
            #expect(plan.target == .chunks([]))
            #expect(plan.explanation.contains("cannot meet"))
        }
        let count = try await SkyWideFixture.engine.execute(
            "SELECT COUNT(*) FROM \(SkyWideFixture.schema).Object WHERE "
                + "CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -37, 0.01)) = 1 AND "
                + "CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62, -36.5, 0.01)) = 1"
        ).collect()
        #expect(count.rowCount == 1)
        #expect(count[0, 0].int64Value == 0)
    }

    /// Out-of-range values are refused with the value, the function and its line and column.
    @Test(arguments: [
        ("CIRCLE('ICRS', 62, -95, 1)", "-95", 2),
        ("CIRCLE('ICRS', 62, -37, -0.5)", "-0.5", 2),
        ("CIRCLE('ICRS', 62, -37, 200)", "200", 2),
        ("CIRCLE('ICRS', 62, -37, 1e400)", "1e400", 2),
        ("BOX('ICRS', 62, -37, -1, 1)", "-1", 2),
        ("BOX('ICRS', 62, 91, 1, 1)", "91", 2),
        ("POLYGON('ICRS', 10, 10, 20, 10, 15, 99)", "99", 2),
    ])
    func outOfRangeValuesAreNamed(shape: String, value: String, line: Int) throws {
        let adql =
            "SELECT objectId FROM \(SkyWideFixture.schema).Object\nWHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), \(shape)) = 1"
        do {
            _ = try SkyWideFixture.engine.plan(adql)
            Issue.record("planned \(shape)")
        } catch let error as QueryError {
            #expect(error.message.contains(value), "\(error.message)")
            #expect(error.line == line)
            let column = try #require(error.column)
            // The column is the value's own position on its line.
            let text = adql.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
            let start = text.index(text.startIndex, offsetBy: column - 1)
            #expect(text[start...].hasPrefix(value), "column \(column) of \(text)")
        }
    }

    /// For a seeded sample of valid predicates, the sharded answer (planned with zone splits,
    /// run over the chunk files) equals the brute-force answer over the unsharded file, except
    /// for points within 1e-9° of an edge of the predicate.
    @Test func shardedAnswersEqualBruteForce() async throws {
        let engine = SkyWideFixture.engine
        let planner = SkyWideFixture.planner
        let rows = SkyWideFixture.unshardedRows
        #expect(rows.count == SkyWideFixture.rows.count)
        var generator = SpatialPredicateGenerator(seed: 0x15_5A3B)
        var compared = 0, nonEmpty = 0, excused = 0, pruned = 0
        while compared < Self.comparedSample {
            let p = generator.predicate()
            guard p.invalidValues.isEmpty else { continue }
            guard case .planned(let plan) = try Self.plan(p, with: planner) else {
                Issue.record("refused: \(Self.query(p))")
                continue
            }
            guard case .distributed(let distributed) = plan else {
                Issue.record("not distributed: \(Self.query(p))")
                continue
            }
            if case .chunks(let ids) = distributed.target, ids.count < engine.catalog.chunkIds.count { pruned += 1 }
            let batch = try await engine.executor.execute(distributed, timeout: .seconds(120)).collect()
            var sharded = Set<Int64>()
            for r in 0..<batch.rowCount { sharded.insert(batch[r, 0].int64Value ?? -1) }
            #expect(sharded.count == batch.rowCount, "duplicate rows for \(Self.query(p))")
            var expected = Set<Int64>(), ambiguous = Set<Int64>()
            for row in rows {
                if p.nearEdge(ra: row.ra, dec: row.dec, eps: 1e-9) {
                    ambiguous.insert(row.id)
                } else if p.holds(ra: row.ra, dec: row.dec) {
                    expected.insert(row.id)
                }
            }
            let got = sharded.subtracting(ambiguous)
            if got != expected {
                let missing = expected.subtracting(got).sorted().prefix(5)
                let extra = got.subtracting(expected).sorted().prefix(5)
                Issue.record("\(Self.query(p)): missing \(Array(missing)), extra \(Array(extra))")
            }
            excused += ambiguous.count
            if !expected.isEmpty { nonEmpty += 1 }
            compared += 1
        }
        print(
            "spatial predicates: \(compared) compared with brute force over \(rows.count) rows: "
                + "\(nonEmpty) with rows, \(pruned) pruned, \(excused) row results excused within 1e-9° of an edge")
        // The sample must hold answers and pruned plans, or the comparison proves little.
        #expect(nonEmpty > Self.comparedSample / 4)
        #expect(pruned > Self.comparedSample / 4)
        #expect(excused < rows.count)
    }
}
