import ADQL
import Catalog
import DemoData
import Foundation
import Ingest
import Planner
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

/// A performance goal of a benchmark.
public enum BenchGoal: Sendable, CustomStringConvertible {
    /// SkyShard at least this many times faster than the single-file SQLite baseline.
    case speedup(Double)
    /// SkyShard's engine time (median) at most this many seconds, at `objects` objects.
    case engineTime(Double, atObjects: Int)

    public var description: String {
        switch self {
        case .speedup(let x): return "≥ \(x)× faster than SQLite"
        case .engineTime(let s, let n): return "≤ \(BenchFormat.duration(s)) at \(BenchFormat.count(n)) objects"
        }
    }
}

/// One query benchmark: the ADQL that SkyShard runs and the ADQL whose SQLite rendering the
/// baseline runs. The two are the same query; `baselineADQL` may add predicates that the query
/// implies (a declination band around a circle, say), as a DBA would write them so that raw
/// SQLite can use its indexes.
public struct BenchQuery: Sendable {
    public var name: String
    public var adql: String
    public var baselineADQL: String
    public var goal: BenchGoal?
    /// Tables the query needs; skipped when the catalog lacks one.
    public var tables: [String]

    public init(name: String, adql: String, baselineADQL: String? = nil, goal: BenchGoal?, tables: [String] = ["Object"]) {
        self.name = name
        self.adql = adql
        self.baselineADQL = baselineADQL ?? adql
        self.goal = goal
        self.tables = tables
    }
}

/// The parameters the queries need, chosen from the data.
public struct BenchParameters: Sendable {
    /// The centre of the cone searches.
    public var coneRA = 62.5, coneDec = -36.5
    /// The lower corner of the 1° × 1° near-neighbour box.
    public var boxRA = 62.0, boxDec = -37.0
    /// An objectId that exists (with its ForcedSource rows).
    public var objectId: Int64 = 0

    public init() {}
}

public enum BenchSuite {
    static let object = "dp02_dc2_catalogs.Object"
    static let forcedSource = "dp02_dc2_catalogs.ForcedSource"

    /// Degrees of RA that cover a circle of `radius` around declination `dec` (with margin).
    static func raHalfWidth(radius: Double, dec: Double) -> Double {
        let worst = min(89.9, abs(dec) + radius)
        return radius / cos(worst * .pi / 180) * 1.01 + 1e-9
    }

    static func number(_ x: Double) -> String {
        var s = String(format: "%.10f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The query benchmarks, in running order.
    public static func queries(_ p: BenchParameters) -> [BenchQuery] {
        var out: [BenchQuery] = []
        out.append(
            BenchQuery(
                name: "count", adql: "SELECT COUNT(*) FROM \(object)", goal: .speedup(1.8)))
        out.append(
            BenchQuery(
                name: "avg_flux", adql: "SELECT AVG(r_cModelFlux) FROM \(object) WHERE r_cModelFlux > 1000",
                goal: .speedup(1.8)))
        out.append(
            BenchQuery(
                name: "group_tract", adql: "SELECT tract, COUNT(*) FROM \(object) GROUP BY tract", goal: .speedup(1.8)))
        for (radius, goal) in [(0.05, 0.001), (0.5, 0.010)] {
            let circle = "CIRCLE('ICRS', \(number(p.coneRA)), \(number(p.coneDec)), \(number(radius)))"
            let adql =
                "SELECT objectId, coord_ra, coord_dec, r_cModelFlux FROM \(object) "
                + "WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), \(circle)) = 1"
            let dr = radius * 1.0001 + 1e-9
            let hr = raHalfWidth(radius: radius, dec: p.coneDec)
            let hint =
                " AND coord_dec BETWEEN \(number(p.coneDec - dr)) AND \(number(p.coneDec + dr))"
                + " AND coord_ra BETWEEN \(number(p.coneRA - hr)) AND \(number(p.coneRA + hr))"
            out.append(
                BenchQuery(
                    name: "cone_\(number(radius))", adql: adql, baselineADQL: adql + hint,
                    goal: .engineTime(goal, atObjects: 10_000_000)))
        }
        out.append(
            BenchQuery(
                name: "objectid_lookup", adql: "SELECT * FROM \(object) WHERE objectId = \(p.objectId)",
                goal: .engineTime(0.0003, atObjects: 10_000_000)))
        out.append(
            BenchQuery(
                name: "object_forcedsource",
                adql:
                    "SELECT o.objectId, o.coord_ra, o.coord_dec, f.forcedSourceId, f.ccdVisitId, f.band, f.psfFlux, f.psfFluxErr "
                    + "FROM \(object) AS o JOIN \(forcedSource) AS f ON o.objectId = f.objectId WHERE o.objectId = \(p.objectId)",
                goal: .engineTime(0.001, atObjects: 10_000_000), tables: ["Object", "ForcedSource"]))
        out.append(
            BenchQuery(
                name: "top100_flux",
                adql: "SELECT TOP 100 objectId, r_cModelFlux FROM \(object) ORDER BY r_cModelFlux DESC", goal: nil))
        let a = p.boxRA, d = p.boxDec
        let distance = "DISTANCE(POINT('ICRS', o1.coord_ra, o1.coord_dec), POINT('ICRS', o2.coord_ra, o2.coord_dec))"
        let nn =
            "SELECT o1.objectId, o2.objectId AS neighbourId, \(distance) AS dist "
            + "FROM \(object) AS o1, \(object) AS o2 WHERE \(distance) < 0.01 "
            + "AND o1.coord_ra BETWEEN \(number(a)) AND \(number(a + 1)) "
            + "AND o1.coord_dec BETWEEN \(number(d)) AND \(number(d + 1)) AND o1.objectId <> o2.objectId"
        let hr = raHalfWidth(radius: 0.01, dec: max(abs(d), abs(d + 1)))
        let nnHint =
            " AND o2.coord_dec BETWEEN o1.coord_dec - 0.0100001 AND o1.coord_dec + 0.0100001"
            + " AND o2.coord_ra BETWEEN o1.coord_ra - \(number(hr)) AND o1.coord_ra + \(number(hr))"
        out.append(BenchQuery(name: "near_neighbour_1deg", adql: nn, baselineADQL: nn + nnHint, goal: nil))
        return out
    }

    /// DP0 tutorial-style queries for the parse / bind / plan benchmark.
    public static func planQueries(_ p: BenchParameters) -> [(name: String, adql: String)] {
        [
            (
                "cone_photometry",
                "SELECT objectId, coord_ra, coord_dec, detect_isPrimary, "
                    + "scisql_nanojanskyToAbMag(g_cModelFlux) AS gmag, scisql_nanojanskyToAbMag(r_cModelFlux) AS rmag, "
                    + "scisql_nanojanskyToAbMag(i_cModelFlux) AS imag, r_extendedness FROM \(object) "
                    + "WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), CIRCLE('ICRS', 62.0, -37.0, 0.1)) = 1 "
                    + "AND detect_isPrimary = 1 AND r_extendedness = 0"
            ),
            (
                "tract_patch_count",
                "SELECT COUNT(*) FROM \(object) WHERE tract = 3026 AND patch = 24 AND detect_isPrimary = 1"
            ),
            (
                "light_curve",
                "SELECT fs.ccdVisitId, fs.band, fs.psfFlux, fs.psfFluxErr, cv.expMidptMJD "
                    + "FROM \(forcedSource) AS fs JOIN dp02_dc2_catalogs.CcdVisit AS cv ON cv.ccdVisitId = fs.ccdVisitId "
                    + "WHERE fs.objectId = \(p.objectId)"
            ),
            (
                "brightest_extended",
                "SELECT TOP 10 objectId, coord_ra, coord_dec, r_cModelFlux FROM \(object) "
                    + "WHERE r_extendedness = 1 AND detect_isPrimary = 1 ORDER BY r_cModelFlux DESC"
            ),
            (
                "mag_by_tract",
                "SELECT tract, COUNT(*) AS n, AVG(scisql_nanojanskyToAbMag(r_psfFlux)) AS mean_rmag FROM \(object) "
                    + "WHERE r_psfFlux > 1000 GROUP BY tract ORDER BY tract"
            ),
            (
                "polygon",
                "SELECT objectId, coord_ra, coord_dec FROM \(object) "
                    + "WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), POLYGON('ICRS', 62, -37, 63, -37, 63, -36, 62, -36)) = 1"
            ),
            // The planning part of the objectId lookup: SELECT * expands to every Object column.
            ("objectid_star", "SELECT * FROM \(object) WHERE objectId = \(p.objectId)"),
        ]
    }
}

/// Number and time formatting of the report.
public enum BenchFormat {
    public static func duration(_ s: Double) -> String {
        if s.isNaN { return "—" }
        if s < 1e-3 { return String(format: "%.1f µs", s * 1e6) }
        if s < 1 { return String(format: "%.2f ms", s * 1e3) }
        return String(format: "%.3f s", s)
    }

    public static func count(_ n: Int) -> String {
        if n >= 1_000_000 && n % 1_000_000 == 0 { return "\(n / 1_000_000)M" }
        if n >= 1_000 && n % 1_000 == 0 { return "\(n / 1_000)k" }
        return "\(n)"
    }

    public static func bytes(_ b: Int) -> String {
        let x = Double(b), mib = 1_048_576.0, gib = 1_073_741_824.0
        if x >= gib { return String(format: "%.2f GiB", x / gib) }
        if x >= mib { return String(format: "%.1f MiB", x / mib) }
        return String(format: "%.0f KiB", x / 1024)
    }

    public static func ratio(_ x: Double) -> String { x.isFinite ? String(format: "%.2f", x) : "—" }

    public static func rate(_ x: Double) -> String {
        if x >= 1e6 { return String(format: "%.2f M/s", x / 1e6) }
        if x >= 1e3 { return String(format: "%.1f k/s", x / 1e3) }
        return String(format: "%.0f /s", x)
    }
}
