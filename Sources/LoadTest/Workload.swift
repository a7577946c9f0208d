import Foundation

/// The kinds of request a user sends; the report has one line per kind.
public enum QueryKind: String, Sendable, Codable, CaseIterable {
    /// `SELECT * FROM Object WHERE objectId = …` (all 157 columns of one row).
    case lookup
    /// A cone of 0.01–0.05° around a known object, a few columns.
    case cone
    /// One object's ForcedSource light curve joined with CcdVisit (the DP0.2 tutorial query).
    case lightcurve
    /// TAP_SCHEMA browsing: the catalog's tables, or one table's columns.
    case tapSchema = "tap_schema"
    /// An aggregate over a 0.5–1° cone, run as an async job: submitted, polled, result fetched.
    case asyncAggregate = "async_aggregate"

    /// Whether the kind is one of the small, interactive queries (the p99 goal of the dp0 mix).
    public var isSmall: Bool { self != .asyncAggregate }
}

extension LoadMix {
    /// The kinds of the mix with their relative weights: what a notebook user of DP0.2 runs,
    /// lookups and small cones most, a light curve now and then, schema browsing, and an
    /// occasional larger aggregate sent as an async job.
    public var weights: [(kind: QueryKind, weight: Int)] {
        switch self {
        case .lookup: [(.lookup, 1)]
        case .dp0: [(.lookup, 35), (.cone, 25), (.lightcurve, 20), (.tapSchema, 12), (.asyncAggregate, 8)]
        }
    }
}

/// One object of the catalog, learnt from the service at start.
public struct KnownObject: Sendable, Equatable {
    public var objectId: Int64
    public var ra: Double
    public var dec: Double

    public init(objectId: Int64, ra: Double, dec: Double) {
        self.objectId = objectId
        self.ra = ra
        self.dec = dec
    }
}

/// What the users' queries are made of: real ids and positions of the served catalog, and the
/// names of its tables. Built by `Discovery` before the clock starts.
public struct Workload: Sendable {
    public var objects: [KnownObject]
    public var tables: [String]
    public var mix: LoadMix
    private let cumulative: [(kind: QueryKind, upTo: Int)]

    public init(objects: [KnownObject], tables: [String], mix: LoadMix) {
        precondition(!objects.isEmpty, "a workload needs at least one object")
        self.objects = objects
        self.tables = tables
        self.mix = mix
        var total = 0
        cumulative = mix.weights.map { entry in
            total += entry.weight
            return (entry.kind, total)
        }
    }

    /// The schema every DP0.2 table lives in.
    static let schema = "dp02_dc2_catalogs"

    /// The next request of a user: a kind drawn by the mix's weights, and its ADQL.
    func next(_ random: inout UserRandom) -> (kind: QueryKind, adql: String) {
        let total = cumulative.last?.upTo ?? 1
        let draw = Int(random.next() % UInt64(total))
        let kind = cumulative.first(where: { draw < $0.upTo })?.kind ?? .lookup
        return (kind, adql(for: kind, &random))
    }

    /// The ADQL of one request of `kind`, built from a random known object.
    func adql(for kind: QueryKind, _ random: inout UserRandom) -> String {
        let object = objects[Int(random.next() % UInt64(objects.count))]
        let s = Self.schema
        switch kind {
        case .lookup:
            return "SELECT * FROM \(s).Object WHERE objectId = \(object.objectId)"
        case .cone:
            // Centred near the object (within 0.01°), so most cones hold a few rows.
            let ra = (object.ra + random.uniform(-0.01, 0.01) + 360).truncatingRemainder(dividingBy: 360)
            let dec = max(-89.9, min(89.9, object.dec + random.uniform(-0.01, 0.01)))
            return "SELECT objectId, coord_ra, coord_dec, g_cModelFlux, r_cModelFlux, i_cModelFlux, detect_isPrimary "
                + "FROM \(s).Object WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), "
                + "CIRCLE('ICRS', \(Self.number(ra)), \(Self.number(dec)), \(Self.number(random.uniform(0.01, 0.05))))) = 1"
        case .lightcurve:
            return "SELECT fs.ccdVisitId, scisql_nanojanskyToAbMag(fs.psfFlux) AS mag, "
                + "scisql_nanojanskyToAbMagSigma(fs.psfFlux, fs.psfFluxErr) AS magerr, cv.band, cv.expMidptMJD "
                + "FROM \(s).ForcedSource AS fs JOIN \(s).CcdVisit AS cv ON fs.ccdVisitId = cv.ccdVisitId "
                + "WHERE fs.objectId = \(object.objectId)"
        case .tapSchema:
            if tables.isEmpty || random.next() % 3 == 0 {
                return "SELECT table_name, table_type, description FROM TAP_SCHEMA.tables WHERE schema_name = '\(s)'"
            }
            let table = tables[Int(random.next() % UInt64(tables.count))].replacingOccurrences(of: "'", with: "''")
            return "SELECT column_name, datatype, unit, ucd, description FROM TAP_SCHEMA.columns "
                + "WHERE table_name = '\(table)'"
        case .asyncAggregate:
            let circle = "CIRCLE('ICRS', \(Self.number(object.ra)), \(Self.number(object.dec)), "
                + "\(Self.number(random.uniform(0.5, 1.0))))"
            if random.next() % 2 == 0 {
                return "SELECT COUNT(*) AS n, AVG(r_cModelFlux) AS mean_r FROM \(s).Object "
                    + "WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), \(circle)) = 1"
            }
            return "SELECT tract, patch, COUNT(*) AS n FROM \(s).Object "
                + "WHERE CONTAINS(POINT('ICRS', coord_ra, coord_dec), \(circle)) = 1 GROUP BY tract, patch"
        }
    }

    /// A degree value as ADQL writes it (fixed point, enough digits for 0.01″).
    static func number(_ value: Double) -> String { String(format: "%.7f", value) }
}

/// A small, fast, seedable generator (xorshift64*), one per user so that a seed repeats a run's
/// requests. Quality far beyond what choosing queries needs.
public struct UserRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }

    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A uniform value in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(UInt64(1) << 53)
    }
}
