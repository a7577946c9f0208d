import ADQL
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

// Mutated DP0.2 tutorial queries through parse → bind → plan: no runtime trap.
//
// The 165 queries scientists ran on DP0.2 (fixtures/dp0-queries/queries.jsonl) are the seeds.
// A seeded generator applies one to four realistic, hostile token-level mutations to each
// (edge-value literals, other regions, duplicated and negated predicates, swapped columns and
// operators, huge TOP, out-of-range ORDER BY ordinals, nested sub-queries, ...) and every
// mutant goes through the real parser and planner over the demo DP0.2 catalog. Each must either
// plan or throw a proper error (an `ADQLError` from the parser, a user `QueryError` from the
// planner). A trap (force unwrap, bad range, Int(NaN), overflow, index out of range) kills the
// test process: that is the failure this test exists to catch.
//
// Knobs (environment), for exploring and for finding the mutant behind a trap:
// - `SKYSHARD_MUTATION_SEED`: the run seed (decimal or 0x-hex) instead of `defaultRunSeed`;
// - `SKYSHARD_MUTATION_COUNT`: the number of mutants instead of `mutantCount`;
// - `SKYSHARD_MUTATION_TRACE=1`: one worker, each mutant printed to stderr before it is planned
//   (the last line before a crash is the culprit);
// - `SKYSHARD_MUTATION_ONLY=i`: run mutant i alone and print it.

/// Mutants per run (the issue asks for at least 20,000).
private let mutantCount = 20_000
/// The run seed: the same seed gives the same mutants (on one platform: the text of random
/// doubles goes through libm).
private let defaultRunSeed: UInt64 = 0xD902_5EED_0001
/// At least this fraction of mutants must parse (so that the generator does not only make text
/// that dies in the lexer) ...
private let minParsedFraction = 0.40
/// ... and at least this fraction must plan (so that binder and planner are exercised).
private let minPlannedFraction = 0.20

// MARK: - Seeds and catalog

/// The vendored DP0.2 tutorial queries.
enum DP0Seeds {
    struct Seed: Decodable, Sendable {
        var id: String
        var source: String
        var adql: String
    }

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/dp0-queries/queries.jsonl")

    static func load() throws -> [Seed] {
        let text = try String(contentsOf: file, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try decoder.decode(Seed.self, from: Data($0.utf8))
        }
    }
}

/// A catalog description with every table and column of the demo DP0.2 schema (every column the
/// tutorial queries use), placed as an ingest would place them, with synthetic row counts in the
/// chunks over the DC2 footprint, and the TAP_SCHEMA tables. No data: planning only.
/// `SKYSHARD_DP02_YAML` may name the full DP0.2 Felis file (lsst-sdm-schemas) to use instead.
enum MutationCatalog {
    static func make(zones: Bool) throws -> CatalogDescription {
        let felis: FelisSchema
        if let path = ProcessInfo.processInfo.environment["SKYSHARD_DP02_YAML"] {
            felis = try Felis.load(contentsOf: URL(fileURLWithPath: path))
        } else {
            felis = try DemoSchema.felis()
        }
        let (schema, tables) = try DemoSchema.descriptor(felis: "schema.yaml").resolveTables(felisSchema: felis)
        let chunking = ChunkingParameters.demo
        let chunker = Chunker(numStripes: chunking.numStripes, numSubStripesPerStripe: chunking.numSubStripesPerStripe)
        let footprint = SkyRegion.box(SkyBox(lonMin: 50, lonMax: 75, latMin: -45, latMax: -25))
        var counts: [Int: Int] = [:]
        for id in chunker.chunks(intersecting: footprint) {
            counts[id] = 1 + Int(SplitMix64.mix(UInt64(id)) % 40_000)
        }
        let objects = counts.values.reduce(0, +)
        var rows: [String: Int] = [:]
        for t in tables { rows[t.name] = 25_000 }
        rows["Object"] = objects
        rows["ForcedSource"] = objects * 60
        return CatalogDescription(
            schemas: [schema, SchemaInfo(name: TapSchema.schemaName, description: "TAP_SCHEMA 1.1")],
            tables: tables + TapSchema.tables, chunking: chunking, chunkRowCounts: counts, tableRowCounts: rows,
            zonesPerDegree: zones ? ZoneIndex.defaultZonesPerDegree : nil)
    }
}

// MARK: - Tokens

/// A token of ADQL text, as the mutator sees it (a simple lexer of its own: it must also cut
/// text the real lexer refuses).
struct MutationToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case word, number, string, quoted, symbol }
    var text: String
    var kind: Kind
    /// Index in the seed, or -1 for a token a mutation made.
    var origin: Int
    /// Written right after the previous token of the seed, without white space.
    var glued: Bool

    var upper: String { text.uppercased() }
    func isWord(_ w: String) -> Bool { kind == .word && text.caseInsensitiveCompare(w) == .orderedSame }
}

enum MutationLexer {
    static func tokenize(_ s: String, fresh: Bool = false) -> [MutationToken] {
        let c = Array(s.unicodeScalars)
        var out: [MutationToken] = []
        var i = 0
        var space = true
        func digit(_ u: Unicode.Scalar) -> Bool { u >= "0" && u <= "9" }
        func hex(_ u: Unicode.Scalar) -> Bool { digit(u) || (u >= "a" && u <= "f") || (u >= "A" && u <= "F") }
        func identStart(_ u: Unicode.Scalar) -> Bool { u == "_" || u.properties.isAlphabetic }
        func ident(_ u: Unicode.Scalar) -> Bool { identStart(u) || digit(u) || u == "$" }
        while i < c.count {
            let u = c[i]
            if u.properties.isWhitespace {
                space = true
                i += 1
                continue
            }
            let start = i
            let kind: MutationToken.Kind
            if identStart(u) {
                while i < c.count && ident(c[i]) { i += 1 }
                kind = .word
            } else if digit(u) || (u == "." && i + 1 < c.count && digit(c[i + 1])) {
                kind = .number
                if u == "0", i + 1 < c.count, c[i + 1] == "x" || c[i + 1] == "X" {
                    i += 2
                    while i < c.count && hex(c[i]) { i += 1 }
                } else {
                    while i < c.count && digit(c[i]) { i += 1 }
                    if i < c.count && c[i] == "." {
                        i += 1
                        while i < c.count && digit(c[i]) { i += 1 }
                    }
                    if i < c.count && (c[i] == "e" || c[i] == "E") {
                        var j = i + 1
                        if j < c.count && (c[j] == "+" || c[j] == "-") { j += 1 }
                        if j < c.count && digit(c[j]) {
                            i = j
                            while i < c.count && digit(c[i]) { i += 1 }
                        }
                    }
                }
            } else if u == "'" || u == "\"" {
                kind = u == "'" ? .string : .quoted
                i += 1
                while i < c.count {
                    if c[i] == u {
                        if i + 1 < c.count && c[i + 1] == u {
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    i += 1
                }
            } else {
                kind = .symbol
                if i + 1 < c.count, ["<=", ">=", "<>", "!=", "||"].contains(String(u) + String(c[i + 1])) {
                    i += 2
                } else {
                    i += 1
                }
            }
            let text = String(String.UnicodeScalarView(c[start..<i]))
            out.append(MutationToken(text: text, kind: kind, origin: fresh ? -1 : out.count, glued: !space && !fresh))
            space = false
        }
        return out
    }

    /// The text: seed tokens that were written together stay together, everything else is
    /// separated by one space.
    static func render(_ tokens: [MutationToken]) -> String {
        var s = ""
        for (i, t) in tokens.enumerated() {
            if i > 0 && !(t.glued && t.origin >= 0 && tokens[i - 1].origin == t.origin - 1) { s += " " }
            s += t.text
        }
        return s
    }
}

// MARK: - Random numbers: the Shard target's SplitMix64

/// The mutator's random numbers: SplitMix64 (from the Shard target) with the helpers it needs.
struct MutationRNG {
    var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }
    /// Uniform in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1.0p-53 < p }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * (Double(next() >> 11) * 0x1.0p-53) }
}

// MARK: - The mutator

struct QueryMutator: Sendable {
    enum Op: String, CaseIterable, Sendable {
        case numericEdge, numericRandom, literalType, swapTokens, duplicateToken, deleteToken
        case duplicatePredicate, regionSwap, containsFlip, comparison, dropParens, top, orderBy
        case unaryMinus, columnSwap, nest, aggregate, functionSwap, keywordSwap, keyPredicate
        case coordinateRange, distance, splice, wrapColumn, nearNeighbour, deepNesting

        var weight: Int {
            switch self {
            case .numericEdge: 14
            case .regionSwap: 10
            case .duplicatePredicate, .columnSwap: 8
            case .comparison, .nest, .coordinateRange: 6
            case .numericRandom, .top, .orderBy, .keywordSwap, .keyPredicate: 5
            case .swapTokens, .deleteToken, .dropParens, .unaryMinus, .aggregate, .functionSwap, .distance: 4
            case .literalType, .duplicateToken, .containsFlip, .wrapColumn: 3
            case .splice, .nearNeighbour: 2
            case .deepNesting: 1
            }
        }
    }

    typealias Tokens = [MutationToken]

    let seeds: [String]
    let seedTokens: [Tokens]
    let tables: [TableInfo]
    /// Every column name of the catalog, in catalog order, once.
    let allColumns: [String]
    let knownColumns: Set<String>
    let schemaName = "dp02_dc2_catalogs"
    private let weightedOps: [Op]

    init(seeds: [String], catalog: CatalogDescription) {
        self.seeds = seeds
        self.seedTokens = seeds.map { MutationLexer.tokenize($0) }
        self.tables = catalog.tables
        var seen = Set<String>()
        var columns: [String] = []
        for t in catalog.tables {
            for c in t.columns where seen.insert(c.name).inserted { columns.append(c.name) }
        }
        self.allColumns = columns
        self.knownColumns = Set(columns.map { $0.lowercased() })
        self.weightedOps = Op.allCases.flatMap { Array(repeating: $0, count: $0.weight) }
    }

    /// Mutant `index` of the run: its seed, its text and the mutations applied.
    func mutant(_ index: Int, runSeed: UInt64) -> (seed: Int, text: String, ops: [Op]) {
        var rng = MutationRNG(seed: SplitMix64.mix(runSeed ^ SplitMix64.mix(UInt64(index))))
        let seed = index % seeds.count
        var t = seedTokens[seed]
        var ops: [Op] = []
        let count = 1 + rng.below(4)
        for _ in 0..<count {
            for _ in 0..<6 {
                let op = rng.pick(weightedOps)
                if apply(op, to: &t, &rng) {
                    ops.append(op)
                    break
                }
            }
        }
        return (seed, MutationLexer.render(t), ops)
    }

    // MARK: Values

    static let edgeNumbers: [String] = [
        "0", "-0", "0.0", "-0.0", "1e308", "-1e308", "1e-320", "-1e-320", "4.9e-324", "1.7976931348623157e308",
        "1e309", "-1e309", "1e-400", "90.0000001", "-90.0000001", "90", "-90", "-91", "91", "180", "-180",
        "360", "-360", "720", "-720", "1080.5", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "2147483648", "-2147483649",
        "2147483647", "(0/0)", "(0.0/0.0)", "(1/0)", "(-1/0)", "(1e308*10)", "(-1e308*10)",
        "(1e308*10 - 1e308*10)", "(0*1e309)", "SQRT(-1)", "LOG(0)", "LOG10(-1)", "ACOS(2)", "POWER(10, 400)",
        "EXP(1000)", "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFF", "0x8000000000000000", "0x", ".5", "5.",
        "00000000000000000000000000062", "1e0000000000000000000000000002", "1e-99999999999999999999",
        "1e99999999999999999999", String(repeating: "9", count: 400),
        "0." + String(repeating: "0", count: 400) + "1", "1" + String(repeating: "0", count: 30) + ".5",
        String(repeating: "1", count: 19), String(repeating: "7", count: 25),
        "(9223372036854775807 + 1)", "(-9223372036854775808 - 1)", "(-9223372036854775808 * -1)",
        "(9223372036854775807 * 2)", "ABS(-9223372036854775808)", "(-9223372036854775808 / -1)",
        "MOD(-9223372036854775808, -1)", "MOD(5, 0)", "(5 / 0)", "- - 9223372036854775808",
        "CAST(1e308 AS INTEGER)", "CAST(9223372036854775807 AS SMALLINT)", "CAST(-1e309 AS BIGINT)",
        "ROUND(1e308, 400)", "TRUNCATE(1.5, -9223372036854775808)", "NULL", "PI()", "RAND()",
    ]

    static let radii: [String] = [
        "0", "-0", "-1", "1e-320", "0.0001", "0.01", "0.01667", "0.0166700001", "0.05", "1", "10", "89.9999",
        "90", "90.0000001", "179.99999", "180", "180.0000001", "360", "1e308", "-1e308", "(0/0)",
        "(1e308*10)", "NULL",
    ]

    static let stcs: [String] = [
        "Circle ICRS 62 -37 0.1", "Box ICRS 62 -37 1 1", "Polygon ICRS 60 -36 61 -36 61 -35",
        "Union ICRS (Circle 62 -37 0.1 Circle 63 -38 0.2)", "Intersection ICRS (Circle 62 -37 1 Box 62 -37 1 1)",
        "Not (Circle 62 -37 1)", "Circle ICRS 62 -37 -1", "Circle ICRS 1e308 -1e308 1e308", "Polygon ICRS 1 2",
        "Position ICRS 62 -37", "Circle ICRS NaN 0 1", "Circle ICRS nan inf 1", "", "Union ICRS ()",
        "Union ICRS (Union (Union (Circle 1 2 3)))", "Box ICRS 0 90 360 180", "Circle ICRS 62 -37 180",
        "Polygon ICRS 0 0 0 0 0 0", "Circle 62 -37 1e-320", "Box ICRS 62 -37 -1 1e400",
        "Intersection ICRS (Not (Circle 0 0 1) Not (Circle 0 0 2))", "Circle ICRS 9223372036854775808 0 1",
        "Polygon ICRS 62 -37 62 -37 62 -37", "Circle ICRS 62 -91 1", "Circle ICRS 720 90 0.5",
    ]

    static let functions: [String] = [
        "ABS", "CEILING", "DEGREES", "EXP", "FLOOR", "LOG", "LOG10", "MOD", "PI", "POWER", "RADIANS", "RAND",
        "ROUND", "SQRT", "TRUNCATE", "ACOS", "ASIN", "ATAN", "ATAN2", "COS", "COT", "SIN", "TAN", "LOWER",
        "UPPER", "COALESCE", "IN_UNIT", "COUNT", "SUM", "AVG", "MIN", "MAX", "POINT", "CIRCLE", "BOX", "POLYGON",
        "REGION", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA", "COORD1", "COORD2", "COORDSYS", "CENTROID",
        "scisql_nanojanskyToAbMag", "scisql_nanojanskyToAbMagSigma", "scisql_fluxToAbMag",
        "scisql_abMagToNanojansky", "scisql_angSep", "scisql_s2PtInCircle", "scisql_s2PtInBox",
        "scisql_s2PtInCPoly", "NO_SUCH_FUNCTION",
    ]

    static let comparisons = ["=", "<", ">", "<=", ">=", "<>", "!="]

    static let clauseWords: Set<String> = ["GROUP", "ORDER", "HAVING", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "LIMIT"]
    static let notAlias: Set<String> = [
        "WHERE", "JOIN", "ON", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "NATURAL", "CROSS", "GROUP", "ORDER",
        "HAVING", "UNION", "INTERSECT", "EXCEPT", "OFFSET", "USING", "LIMIT", "AS",
    ]

    private func fresh(_ s: String) -> Tokens { MutationLexer.tokenize(s, fresh: true) }

    private func number(_ rng: inout MutationRNG) -> String {
        switch rng.below(4) {
        case 0: return rng.pick(Self.edgeNumbers)
        case 1: return String(Int64(bitPattern: rng.next()) >> rng.below(64))
        case 2:
            let v = rng.uniform(-1, 1) * pow(10, Double(rng.below(660) - 330))
            return v.isFinite ? "\(v)" : "1e308"
        default: return String(format: "%.6f", rng.uniform(-400, 800))
        }
    }

    private func lon(_ rng: inout MutationRNG) -> String {
        rng.chance(0.6)
            ? String(format: "%.5f", rng.uniform(48, 77))
            : rng.pick([
                "0", "-0", "360", "359.9999999999", "720", "-360", "-1e-320", "180", "1e308", "(0/0)",
                "-0.0000001", "360.0000001", "1e-320", "NULL", "9223372036854775807",
            ])
    }

    private func lat(_ rng: inout MutationRNG) -> String {
        rng.chance(0.6)
            ? String(format: "%.5f", rng.uniform(-47, -23))
            : rng.pick([
                "90", "-90", "90.0000001", "-90.0000001", "-91", "91", "0", "-0", "89.9999999",
                "-89.99999999", "1e308", "-1e308", "(0/0)", "1e-320", "NULL",
            ])
    }

    private func frame(_ rng: inout MutationRNG) -> String {
        rng.chance(0.8) ? "'ICRS'" : rng.pick(["''", "'GALACTIC'", "'FK5 J2000'", "NULL", "'ICRS GEOCENTER'", "'x'"])
    }

    /// A region constructor with arguments from realistic to absurd.
    private func region(_ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)]) -> String {
        let f = frame(&rng)
        switch rng.below(12) {
        case 0, 1: return "CIRCLE(\(f), \(lon(&rng)), \(lat(&rng)), \(rng.pick(Self.radii)))"
        case 2: return "CIRCLE(\(lon(&rng)), \(lat(&rng)), \(rng.pick(Self.radii)))"
        case 3: return "CIRCLE(POINT(\(f), \(lon(&rng)), \(lat(&rng))), \(rng.pick(Self.radii)))"
        case 4, 5: return "BOX(\(f), \(lon(&rng)), \(lat(&rng)), \(rng.pick(Self.radii)), \(rng.pick(Self.radii)))"
        case 6, 7, 8: return "POLYGON(\(f), \(polygonVertices(&rng)))"
        case 9: return "POINT(\(f), \(lon(&rng)), \(lat(&rng)))"
        case 10:
            let text =
                rng.chance(0.7)
                ? rng.pick(Self.stcs)
                : "Circle ICRS \(lon(&rng)) \(lat(&rng)) \(rng.pick(Self.radii))"
            return "REGION('\(text)')"
        default:
            let (ra, dec) = position(&rng, scope: scope)
            return "CIRCLE(\(f), \(ra), \(dec), \(rng.pick(Self.radii)))"
        }
    }

    private func polygonVertices(_ rng: inout MutationRNG) -> String {
        var v: [(String, String)] = []
        switch rng.below(8) {
        case 0:  // degenerate: the same vertex
            let p = (lon(&rng), lat(&rng))
            v = Array(repeating: p, count: 3 + rng.below(3))
        case 1:  // collinear on a parallel
            let d = lat(&rng)
            v = (0..<(3 + rng.below(3))).map { (String(50 + 3 * $0), d) }
        case 2:  // around a pole
            let d = rng.pick(["-89.9", "-90", "89.99", "-89.9999999"])
            v = (0..<(3 + rng.below(5))).map { (String(72 * $0), d) }
        case 3:  // across RA 0
            v = [("359", "-1"), ("1", "-1"), ("1", "1"), ("359", "1")]
        case 4:  // a bow tie
            v = [("60", "-36"), ("61", "-35"), ("61", "-36"), ("60", "-35")]
        case 5:  // too few numbers, or an odd count
            v = (0..<rng.below(3)).map { _ in (lon(&rng), lat(&rng)) }
            if rng.chance(0.5) { return (v.map { "\($0.0), \($0.1)" } + [lon(&rng)]).joined(separator: ", ") }
        case 6:  // huge: more than a hemisphere, or antipodes
            v =
                rng.chance(0.5)
                ? [("0", "-10"), ("120", "-10"), ("240", "-10")]
                : [("0", "0"), ("180", "0"), ("90", "0")]
        default:
            let n = 3 + rng.below(7)
            let cx = rng.uniform(48, 77), cy = rng.uniform(-47, -23), r = rng.pick([0.001, 0.1, 1, 5, 40, 100])
            let clockwise = rng.chance(0.5)
            v = (0..<n).map { k in
                let a = (clockwise ? -1.0 : 1.0) * 2 * Double.pi * Double(k) / Double(n)
                return (String(format: "%.6f", cx + r * cos(a)), String(format: "%.6f", cy + r * sin(a)))
            }
        }
        return v.map { "\($0.0), \($0.1)" }.joined(separator: ", ")
    }

    // MARK: Structure of the token list

    /// The parenthesis depth before each token.
    private func depths(_ t: Tokens) -> [Int] {
        var d = 0
        var out: [Int] = []
        out.reserveCapacity(t.count)
        for tok in t {
            if tok.kind == .symbol && tok.text == ")" { d -= 1 }
            out.append(d)
            if tok.kind == .symbol && tok.text == "(" { d += 1 }
        }
        return out
    }

    private func matching(_ t: Tokens, open: Int) -> Int? {
        var d = 0
        for i in open..<t.count where t[i].kind == .symbol {
            if t[i].text == "(" { d += 1 }
            if t[i].text == ")" {
                d -= 1
                if d == 0 { return i }
            }
        }
        return nil
    }

    private func firstTop(_ t: Tokens, _ word: String, after: Int = 0) -> Int? {
        let d = depths(t)
        return t.indices.first { $0 >= after && d[$0] == 0 && t[$0].isWord(word) }
    }

    /// The end of the clause that starts at `start` (exclusive): the next top-level clause word.
    private func clauseEnd(_ t: Tokens, from start: Int) -> Int {
        let d = depths(t)
        var i = start + 1
        while i < t.count {
            if d[i] < 0 { return i }
            if d[i] == 0 && t[i].kind == .word && Self.clauseWords.contains(t[i].upper) { return i }
            i += 1
        }
        return t.count
    }

    /// The tables the query names (catalog tables), with their alias.
    private func scope(_ t: Tokens) -> [(qualifier: String?, table: TableInfo)] {
        var out: [(qualifier: String?, table: TableInfo)] = []
        for i in t.indices where t[i].kind == .word {
            guard let table = tables.first(where: { $0.name.caseInsensitiveCompare(t[i].text) == .orderedSame })
            else { continue }
            guard i >= 2 && t[i - 1].text == "." else { continue }
            var j = i + 1
            if j < t.count && t[j].isWord("AS") { j += 1 }
            var alias: String?
            if j < t.count && t[j].kind == .word && !Self.notAlias.contains(t[j].upper) { alias = t[j].text }
            out.append((alias, table))
        }
        return out
    }

    private func column(
        _ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)],
        where predicate: (ColumnInfo) -> Bool = { _ in true }
    ) -> String {
        if !scope.isEmpty && rng.chance(0.8) {
            let s = rng.pick(scope)
            let candidates = s.table.columns.filter(predicate)
            if let c = candidates.isEmpty ? nil : rng.pick(candidates) {
                return s.qualifier.map { "\($0).\(c.name)" } ?? c.name
            }
        }
        return rng.pick(allColumns)
    }

    private func position(_ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)]) -> (String, String) {
        if !scope.isEmpty {
            let s = rng.pick(scope)
            let ra = s.table.columns.first { $0.ucd?.hasPrefix("pos.eq.ra") == true }
            let dec = s.table.columns.first { $0.ucd?.hasPrefix("pos.eq.dec") == true }
            if let ra, let dec {
                let q = s.qualifier.map { "\($0)." } ?? ""
                return (q + ra.name, q + dec.name)
            }
        }
        return rng.chance(0.8) ? ("coord_ra", "coord_dec") : ("ra", "decl")
    }

    /// A predicate on the query's tables, as a scientist might write it with other values.
    private func predicate(_ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)]) -> String {
        let (ra, dec) = position(&rng, scope: scope)
        switch rng.below(12) {
        case 0: return "\(column(&rng, scope: scope)) \(rng.pick(Self.comparisons)) \(number(&rng))"
        case 1: return "\(column(&rng, scope: scope)) BETWEEN \(number(&rng)) AND \(number(&rng))"
        case 2:
            return
                "\(column(&rng, scope: scope)) IN (\((0..<(1 + rng.below(5))).map { _ in number(&rng) }.joined(separator: ", ")))"
        case 3: return "\(column(&rng, scope: scope)) IS \(rng.chance(0.5) ? "NOT " : "")NULL"
        case 4:
            return
                "\(column(&rng, scope: scope)) \(rng.chance(0.3) ? "NOT " : "")LIKE '\(rng.pick(["%", "_", "r", "%i%", "\\", "''", "%%%%%%%%%%%%"]))'"
        case 5, 6:
            return
                "CONTAINS(POINT('ICRS', \(ra), \(dec)), \(region(&rng, scope: scope))) = \(rng.pick(["1", "1", "0", "2", "-1"]))"
        case 7:
            return
                "DISTANCE(POINT('ICRS', \(ra), \(dec)), POINT('ICRS', \(lon(&rng)), \(lat(&rng)))) \(rng.pick(["<", "<=", ">", "="])) \(rng.pick(Self.radii))"
        case 8: return "scisql_s2PtInCircle(\(ra), \(dec), \(lon(&rng)), \(lat(&rng)), \(rng.pick(Self.radii))) = 1"
        case 9: return "scisql_s2PtInBox(\(ra), \(dec), \(lon(&rng)), \(lat(&rng)), \(lon(&rng)), \(lat(&rng))) = 1"
        case 10: return keyPredicate(&rng, scope: scope)
        default: return coordinatePredicate(&rng, scope: scope)
        }
    }

    private static let ids = [
        "1249537790362809267", "0", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "1", "2147483648", "1.5", "1e18", "1e19", "'1249537790362809267'", "NULL", "(0/0)",
    ]

    private func keyPredicate(_ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)]) -> String {
        let key = column(&rng, scope: scope) { $0.name.hasSuffix("Id") || $0.name.hasSuffix("id") }
        switch rng.below(4) {
        case 0: return "\(key) = \(rng.pick(Self.ids))"
        case 1: return "\(key) BETWEEN \(rng.pick(Self.ids)) AND \(rng.pick(Self.ids))"
        case 2:
            let n = rng.chance(0.9) ? 1 + rng.below(8) : 300
            return "\(key) IN (\((0..<n).map { _ in rng.pick(Self.ids) }.joined(separator: ", ")))"
        default: return "\(key) \(rng.pick(["<", ">", ">=", "<=", "<>"])) \(rng.pick(Self.ids))"
        }
    }

    private func coordinatePredicate(_ rng: inout MutationRNG, scope: [(qualifier: String?, table: TableInfo)]) -> String {
        let (ra, dec) = position(&rng, scope: scope)
        switch rng.below(5) {
        case 0: return "\(ra) BETWEEN \(lon(&rng)) AND \(lon(&rng))"
        case 1: return "\(dec) BETWEEN \(lat(&rng)) AND \(lat(&rng))"
        case 2: return "\(ra) \(rng.pick(Self.comparisons)) \(lon(&rng)) AND \(dec) \(rng.pick(Self.comparisons)) \(lat(&rng))"
        case 3: return "\(dec) \(rng.pick(Self.comparisons)) \(lat(&rng))"
        default: return "\(lon(&rng)) \(rng.pick(["<", ">", "<="])) \(ra)"
        }
    }

    /// The top-level WHERE clause of the first SELECT: its keyword's index and its end.
    private func whereSpan(_ t: Tokens) -> (at: Int, end: Int)? {
        guard let w = firstTop(t, "WHERE") else { return nil }
        return (w, clauseEnd(t, from: w))
    }

    /// Top-level conjuncts/disjuncts of a WHERE body `lo..<hi`.
    private func terms(_ t: Tokens, _ lo: Int, _ hi: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var d = 0
        var start = lo
        var between = false
        for i in lo..<hi {
            let tok = t[i]
            if tok.kind == .symbol && tok.text == "(" { d += 1 }
            if tok.kind == .symbol && tok.text == ")" { d -= 1 }
            guard d == 0 && tok.kind == .word else { continue }
            if tok.isWord("BETWEEN") { between = true }
            if tok.isWord("AND") && between {
                between = false
                continue
            }
            if tok.isWord("AND") || tok.isWord("OR") {
                if i > start { out.append(start..<i) }
                start = i + 1
            }
        }
        if hi > start { out.append(start..<hi) }
        return out
    }

    /// Adds a predicate to the top-level WHERE (or makes one).
    private func addPredicate(_ text: String, to t: inout Tokens, _ rng: inout MutationRNG) {
        let connector = rng.pick(["AND", "AND", "AND", "OR", "AND NOT", "OR NOT"])
        if let (_, end) = whereSpan(t) {
            t.insert(contentsOf: fresh("\(connector) (\(text))"), at: end)
        } else if firstTop(t, "FROM") != nil {
            let d = depths(t)
            let at =
                t.indices.first { i in
                    d[i] == 0 && t[i].kind == .word && Self.clauseWords.contains(t[i].upper)
                } ?? t.count
            t.insert(contentsOf: fresh("WHERE \(text)"), at: at)
        } else {
            t.append(contentsOf: fresh("WHERE \(text)"))
        }
    }

    /// The select list `lo..<hi` of the first SELECT (after TOP n / DISTINCT / ALL).
    private func selectList(_ t: Tokens) -> (lo: Int, hi: Int)? {
        guard let s = firstTop(t, "SELECT"), let f = firstTop(t, "FROM", after: s) else { return nil }
        var lo = s + 1
        while lo < f {
            if t[lo].isWord("TOP") { lo += 2 } else if t[lo].isWord("DISTINCT") || t[lo].isWord("ALL") { lo += 1 } else { break }
        }
        return lo < f ? (lo, f) : nil
    }

    // MARK: Mutations

    /// Applies one mutation; false when it does not apply to this text.
    func apply(_ op: Op, to t: inout Tokens, _ rng: inout MutationRNG) -> Bool {
        let sc = scope(t)
        switch op {
        case .numericEdge, .numericRandom:
            let numbers = t.indices.filter { t[$0].kind == .number }
            guard !numbers.isEmpty else { return false }
            let i = rng.pick(numbers)
            t.replaceSubrange(i...i, with: fresh(op == .numericEdge ? rng.pick(Self.edgeNumbers) : number(&rng)))

        case .literalType:
            let literals = t.indices.filter { t[$0].kind == .number || t[$0].kind == .string }
            guard !literals.isEmpty else { return false }
            let i = rng.pick(literals)
            let replacement =
                t[i].kind == .number
                ? rng.pick(["'\(t[i].text)'", "'abc'", "''", "NULL", "TRUE", "'ICRS'", "POINT('ICRS', 1, 2)"])
                : rng.pick([
                    "62", "NULL", "''", "'\(String(repeating: "x", count: 300))'", "'it''s'", "1e308", "\"dp02_dc2_catalogs\"",
                ])
            t.replaceSubrange(i...i, with: fresh(replacement))

        case .swapTokens:
            guard t.count > 1 else { return false }
            let a = rng.below(t.count)
            let b = rng.chance(0.6) ? min(t.count - 1, a + 1) : rng.below(t.count)
            t.swapAt(a, b)

        case .duplicateToken:
            guard !t.isEmpty else { return false }
            let i = rng.below(t.count)
            var copy = t[i]
            copy.origin = -1
            t.insert(copy, at: i)

        case .deleteToken:
            guard !t.isEmpty else { return false }
            t.remove(at: rng.below(t.count))

        case .duplicatePredicate:
            guard let (w, end) = whereSpan(t), end > w + 1 else {
                addPredicate(predicate(&rng, scope: sc), to: &t, &rng)
                return true
            }
            let body = Array(t[(w + 1)..<end])
            let bodyText = MutationLexer.render(body)
            switch rng.below(4) {
            case 0:
                t.replaceSubrange((w + 1)..<end, with: fresh("NOT (\(bodyText))"))
            case 1:
                t.replaceSubrange(
                    (w + 1)..<end,
                    with: fresh(
                        "(\(bodyText)) \(rng.pick(["OR", "AND", "AND NOT", "OR NOT"])) (\(bodyText))"))
            default:
                let parts = terms(t, w + 1, end)
                guard !parts.isEmpty else { return false }
                let part = MutationLexer.render(Array(t[rng.pick(parts)]))
                let copies = rng.chance(0.05) ? 40 : 1
                for _ in 0..<copies {
                    let connector = rng.pick(["AND", "OR", "AND NOT", "OR NOT"])
                    let end = whereSpan(t)?.end ?? t.count
                    t.insert(contentsOf: fresh("\(connector) (\(part))"), at: end)
                }
            }

        case .regionSwap:
            let regions = t.indices.filter { i in
                i + 1 < t.count && t[i + 1].text == "("
                    && ["CIRCLE", "POLYGON", "BOX", "REGION"].contains(t[i].upper)
            }
            guard !regions.isEmpty else {
                let (ra, dec) = position(&rng, scope: sc)
                addPredicate("CONTAINS(POINT('ICRS', \(ra), \(dec)), \(region(&rng, scope: sc))) = 1", to: &t, &rng)
                return true
            }
            let i = rng.pick(regions)
            guard let j = matching(t, open: i + 1) else { return false }
            t.replaceSubrange(i...j, with: fresh(region(&rng, scope: sc)))

        case .containsFlip:
            let calls = t.indices.filter { t[$0].isWord("CONTAINS") || t[$0].isWord("INTERSECTS") }
            guard !calls.isEmpty else { return false }
            let i = rng.pick(calls)
            if rng.chance(0.5) {
                t.replaceSubrange(i...i, with: fresh(t[i].isWord("CONTAINS") ? "INTERSECTS" : "CONTAINS"))
            } else if i + 1 < t.count, let j = matching(t, open: i + 1) {
                // Swap the two arguments, or move the comparison in front.
                let call = MutationLexer.render(Array(t[i...j]))
                if j + 2 < t.count && t[j + 1].kind == .symbol {
                    t.replaceSubrange(i...(j + 2), with: fresh("\(t[j + 2].text) \(t[j + 1].text) \(call)"))
                } else {
                    t.replaceSubrange(i...j, with: fresh("\(call) = \(rng.pick(["1", "0", "TRUE", "1.0"]))"))
                }
            } else {
                return false
            }

        case .comparison:
            let ops = t.indices.filter { t[$0].kind == .symbol && Self.comparisons.contains(t[$0].text) }
            guard !ops.isEmpty else { return false }
            let i = rng.pick(ops)
            t.replaceSubrange(
                i...i,
                with: fresh(
                    rng.chance(0.9) ? rng.pick(Self.comparisons) : rng.pick(["LIKE", "IS", "IN", "BETWEEN", "==", "=<"])))

        case .dropParens:
            let opens = t.indices.filter { t[$0].text == "(" && t[$0].kind == .symbol }
            guard !opens.isEmpty else { return false }
            let i = rng.pick(opens)
            switch rng.below(3) {
            case 0:
                if let j = matching(t, open: i) { t.remove(at: j) }
                t.remove(at: i)
            case 1: t.remove(at: i)
            default:
                if let j = matching(t, open: i) { t.remove(at: j) } else { t.remove(at: i) }
            }

        case .top:
            let values = [
                "0", "-1", "1", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
                "99999999999999999999999", "1e3", "1.5", "0x10", "-9223372036854775808", "(5)", "NULL",
                "5000001", "5000000", "00",
            ]
            if let top = firstTop(t, "TOP"), top + 1 < t.count {
                t.replaceSubrange((top + 1)...(top + 1), with: fresh(rng.pick(values)))
            } else if let s = firstTop(t, "SELECT") {
                let at = s + 1 < t.count && (t[s + 1].isWord("DISTINCT") || t[s + 1].isWord("ALL")) ? s + 2 : s + 1
                t.insert(contentsOf: fresh("TOP \(rng.pick(values))"), at: at)
            } else {
                return false
            }

        case .orderBy:
            guard let list = selectList(t) else { return false }
            let d = depths(t)
            let items = 1 + (list.lo..<list.hi).filter { d[$0] == 0 && t[$0].text == "," }.count
            let ordinals = [
                "0", "-1", "\(items)", "\(items + 1)", "9223372036854775807", "9223372036854775808",
                "2147483648", "1e2", "1.0", "-0", "(1)", "1 + 1", "NULL", "'1'", "1",
            ]
            let n = 1 + rng.below(3)
            var keys: [String] = []
            for _ in 0..<n {
                let key = rng.chance(0.7) ? rng.pick(ordinals) : column(&rng, scope: sc)
                keys.append(key + rng.pick(["", " ASC", " DESC"]))
            }
            var clause = "ORDER BY " + keys.joined(separator: ", ")
            if rng.chance(0.3) {
                clause +=
                    " OFFSET " + rng.pick(["0", "-1", "9223372036854775807", "9223372036854775808", "2147483648", "1e3", "10"])
            }
            if let o = firstTop(t, "ORDER") {
                t.replaceSubrange(o..<t.count, with: fresh(clause))
            } else {
                t.append(contentsOf: fresh(clause))
            }

        case .unaryMinus:
            let places = t.indices.filter { i in
                t[i].kind == .number || (t[i].kind == .word && i + 1 < t.count && t[i + 1].text != ".")
                    || t[i].text == "("
            }
            guard !places.isEmpty else { return false }
            t.insert(contentsOf: fresh(rng.pick(["-", "- -", "+", "-", "NOT", "- +"])), at: rng.pick(places))

        case .columnSwap:
            let columns = t.indices.filter { t[$0].kind == .word && knownColumns.contains(t[$0].text.lowercased()) }
            guard !columns.isEmpty else { return false }
            let i = rng.pick(columns)
            var name =
                rng.chance(0.7)
                ? {
                    let c = column(&rng, scope: sc)
                    return String(c.split(separator: ".").last ?? Substring(c))
                }() : rng.pick(allColumns)
            switch rng.below(6) {
            case 0: name = name.uppercased()
            case 1: name = "\"\(name)\""
            case 2: name = name.lowercased()
            default: break
            }
            t.replaceSubrange(i...i, with: fresh(name))

        case .nest:
            let q = MutationLexer.render(t)
            let other = rng.pick(seeds)
            let text: String
            switch rng.below(9) {
            case 0: text = "SELECT * FROM (\(q)) AS sub"
            case 1: text = "SELECT COUNT(*) FROM (\(q)) AS sub"
            case 2: text = "SELECT TOP \(rng.pick(["5", "0", "9223372036854775807"])) sub.* FROM (\(q)) sub ORDER BY 1"
            case 3: text = "\(q) \(rng.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])) \(rng.chance(0.5) ? q : other)"
            case 4: text = "WITH w AS (\(q)) SELECT * FROM w"
            case 5:
                addPredicate(
                    "objectId IN (SELECT objectId FROM \(schemaName).Object WHERE \(predicate(&rng, scope: [(nil, tables[0])])))",
                    to: &t, &rng)
                return true
            case 6:
                addPredicate("EXISTS (\(other))", to: &t, &rng)
                return true
            case 7:
                guard let list = selectList(t) else { return false }
                t.insert(
                    contentsOf: fresh(
                        "(SELECT \(rng.pick(["MAX", "MIN", "COUNT", "AVG"]))(coord_ra) FROM \(schemaName).Object) AS m,"),
                    at: list.lo)
                return true
            default:
                addPredicate("\(column(&rng, scope: sc)) \(rng.pick(Self.comparisons)) (\(other))", to: &t, &rng)
                return true
            }
            t = fresh(text)

        case .aggregate:
            guard selectList(t) != nil else { return false }
            let c = column(&rng, scope: sc)
            let items: String
            var tail = ""
            switch rng.below(6) {
            case 0: items = "COUNT(*)"
            case 1: items = "COUNT(DISTINCT \(c))"
            case 2: items = "AVG(\(c)), MIN(\(c)), MAX(\(c)), SUM(\(c))"
            case 3:
                items = "\(c), COUNT(*) AS n"
                tail = "GROUP BY \(c)"
                if rng.chance(0.5) { tail += " HAVING COUNT(*) \(rng.pick(Self.comparisons)) \(number(&rng))" }
            case 4:
                items = "DISTINCT \(c)"
            default:
                items = "\(c), \(rng.pick(["AVG", "SUM", "MAX"]))(\(column(&rng, scope: sc)))"
                tail = "GROUP BY \(rng.chance(0.7) ? c : rng.pick(["1", "2", "0", "99"]))"
            }
            // The tail goes after WHERE, before ORDER BY.
            let tailAt = firstTop(t, "ORDER") ?? t.count
            if !tail.isEmpty {
                if let g = firstTop(t, "GROUP") {
                    t.replaceSubrange(g..<clauseEnd(t, from: g), with: fresh(tail))
                } else {
                    t.insert(contentsOf: fresh(tail), at: tailAt)
                }
            }
            guard let list = selectList(t) else { return false }
            t.replaceSubrange(list.lo..<list.hi, with: fresh(items))

        case .functionSwap:
            let calls = t.indices.filter { i in
                t[i].kind == .word && i + 1 < t.count && t[i + 1].text == "("
                    && Self.functions.contains { $0.caseInsensitiveCompare(t[i].text) == .orderedSame }
            }
            guard !calls.isEmpty else { return false }
            let i = rng.pick(calls)
            t.replaceSubrange(i...i, with: fresh(rng.pick(Self.functions)))

        case .keywordSwap:
            let swaps: [String: [String]] = [
                "AND": ["OR", "AND NOT"], "OR": ["AND", "OR NOT"], "ASC": ["DESC"], "DESC": ["ASC"],
                "JOIN": ["LEFT OUTER JOIN", "RIGHT OUTER JOIN", "FULL OUTER JOIN", "NATURAL JOIN", "CROSS JOIN", "INNER JOIN"],
                "IN": ["NOT IN"], "LIKE": ["NOT LIKE", "ILIKE"], "BETWEEN": ["NOT BETWEEN"], "NOT": [""],
                "WHERE": ["HAVING"], "SELECT": ["SELECT DISTINCT", "SELECT ALL"], "ON": ["USING"], "IS": ["IS NOT"],
            ]
            let places = t.indices.filter { t[$0].kind == .word && swaps[t[$0].upper] != nil }
            guard !places.isEmpty else { return false }
            let i = rng.pick(places)
            t.replaceSubrange(i...i, with: fresh(rng.pick(swaps[t[i].upper]!)))

        case .keyPredicate:
            addPredicate(keyPredicate(&rng, scope: sc), to: &t, &rng)

        case .coordinateRange:
            addPredicate(coordinatePredicate(&rng, scope: sc), to: &t, &rng)

        case .distance:
            if rng.chance(0.5) {
                addPredicate(predicate(&rng, scope: sc), to: &t, &rng)
            } else {
                // Several cones at once: a union for the chunk pruner.
                let (ra, dec) = position(&rng, scope: sc)
                let n = rng.chance(0.9) ? 2 + rng.below(3) : 30
                let cones = (0..<n).map { _ in
                    "CONTAINS(POINT('ICRS', \(ra), \(dec)), \(region(&rng, scope: sc))) = 1"
                }
                addPredicate(cones.joined(separator: rng.pick([" OR ", " AND "])), to: &t, &rng)
            }

        case .splice:
            let other = seedTokens[rng.below(seedTokens.count)]
            guard !other.isEmpty else { return false }
            let a = rng.below(other.count)
            let b = min(other.count, a + 1 + rng.below(8))
            let piece = other[a..<b].map { tok -> MutationToken in
                var tok = tok
                tok.origin = -1
                return tok
            }
            t.insert(contentsOf: piece, at: rng.below(t.count + 1))

        case .wrapColumn:
            let columns = t.indices.filter { t[$0].kind == .word && knownColumns.contains(t[$0].text.lowercased()) }
            guard !columns.isEmpty else { return false }
            let i = rng.pick(columns)
            let c = t[i].text
            let wrapped = rng.pick([
                "CAST(\(c) AS BIGINT)", "CAST(\(c) AS SMALLINT)", "CAST(\(c) AS CHAR(1))", "\(c) * 1e308",
                "(\(c) / 0)", "ABS(\(c))", "\(c) || 'x'", "POWER(\(c), 1e308)", "-\(c)", "(\(c) + 9223372036854775807)",
                "COALESCE(\(c), NULL)", "IN_UNIT(\(c), 'arcsec')", "IN_UNIT(\(c), 'furlong')", "MOD(\(c), 0)",
                "ROUND(\(c), -400)", "CASE WHEN \(c) > 0 THEN \(c) ELSE NULL END",
            ])
            // A qualified column (alias.column) is wrapped whole.
            if i >= 2 && t[i - 1].text == "." && t[i - 2].kind == .word {
                let q = t[i - 2].text
                t.replaceSubrange((i - 2)...i, with: fresh(wrapped.replacingOccurrences(of: c, with: "\(q).\(c)")))
            } else {
                t.replaceSubrange(i...i, with: fresh(wrapped))
            }

        case .nearNeighbour:
            let r = rng.pick(Self.radii)
            var text = """
                SELECT o1.objectId, o2.objectId FROM \(schemaName).Object AS o1, \(schemaName).Object AS o2 \
                WHERE DISTANCE(POINT('ICRS', o1.coord_ra, o1.coord_dec), POINT('ICRS', o2.coord_ra, o2.coord_dec)) \
                \(rng.pick(["<", "<=", "<", "BETWEEN 0 AND"])) \(r)
                """
            if rng.chance(0.6) {
                text += " AND CONTAINS(POINT('ICRS', o1.coord_ra, o1.coord_dec), \(region(&rng, scope: []))) = 1"
            }
            if rng.chance(0.3) { text += " AND o1.objectId <> o2.objectId" }
            if rng.chance(0.3) {
                text = text.replacingOccurrences(
                    of: "AS o2", with: "AS o2 JOIN \(schemaName).ForcedSource AS fs ON fs.objectId = o2.objectId")
            }
            t = fresh(text)

        case .deepNesting:
            let k = rng.pick([50, 200, 400, 999, 1001, 1200])
            switch rng.below(4) {
            case 0:
                let numbers = t.indices.filter { t[$0].kind == .number }
                guard let i = numbers.isEmpty ? nil : rng.pick(numbers) else { return false }
                t.replaceSubrange(
                    i...i, with: fresh(String(repeating: "(", count: k) + t[i].text + String(repeating: ")", count: k)))
            case 1:
                let numbers = t.indices.filter { t[$0].kind == .number }
                guard let i = numbers.isEmpty ? nil : rng.pick(numbers) else { return false }
                t.insert(contentsOf: fresh(String(repeating: "- ", count: min(k, 400))), at: i)
            case 2:
                guard let (w, _) = whereSpan(t) else { return false }
                t.insert(contentsOf: fresh(String(repeating: "NOT ", count: min(k, 300))), at: w + 1)
            default:
                var q = MutationLexer.render(t)
                for level in 0..<min(k / 10, 40) { q = "SELECT * FROM (\(q)) AS n\(level)" }
                t = fresh(q)
            }
        }
        return true
    }
}

// MARK: - Running mutants

/// What became of one query.
enum MutationOutcome: Sendable {
    case syntaxError(String)
    case planned(distributed: Bool, chunks: [Int]?)
    case refused(QueryError.Code, String)
    case unexpected(String, String)
}

struct MutationRun: Sendable {
    let planners: [QueryPlanner]
    let allChunks: Set<Int>

    init(zoned: CatalogDescription, plain: CatalogDescription) {
        planners = [QueryPlanner(catalog: zoned, directorIndex: nil), QueryPlanner(catalog: plain, directorIndex: nil)]
        allChunks = Set(zoned.chunkRowCounts.keys)
    }

    /// parse → bind → plan, as the engine does (`rowLimit`: TAP's MAXREC + 1, the query's TOP when smaller).
    func run(_ text: String, planner: Int, rowLimit: Int?) -> MutationOutcome {
        var query: Query
        do {
            query = try ADQLParser.parse(text)
        } catch {
            return .syntaxError(error.message)
        }
        if let rowLimit, case .select(var select) = query.body, select.top.map({ $0 > rowLimit }) ?? true {
            select.top = rowLimit
            query.body = .select(select)
        }
        do {
            switch try planners[planner].plan(query) {
            case .distributed(let plan): return .planned(distributed: true, chunks: plan.chunkIds)
            case .coordinated: return .planned(distributed: false, chunks: nil)
            }
        } catch let error as QueryError {
            return .refused(error.code, error.message)
        } catch {
            return .unexpected(String(reflecting: type(of: error)), String(describing: error))
        }
    }
}

/// Counts over a run.
struct MutationTally: Sendable {
    struct Finding: Sendable {
        var index: Int
        var kind: String
        var text: String
        var message: String
    }

    var total = 0
    var unchanged = 0
    var syntax = 0
    var distributed = 0
    var coordinated = 0
    var refused: [String: Int] = [:]
    var messageShapes: [String: Int] = [:]
    var opCounts: [String: Int] = [:]
    var findings: [Finding] = []
    /// Errors of the project's own types, other than `QueryError`, out of the planner.
    var leaks: [Finding] = []

    var parsed: Int { total - syntax }
    var planned: Int { distributed + coordinated }

    mutating func add(_ o: MutationOutcome, index: Int, text: String, allChunks: Set<Int>) {
        total += 1
        switch o {
        case .syntaxError(let message):
            syntax += 1
            messageShapes["syntax: " + Self.shape(message), default: 0] += 1
        case .planned(let distributed, let chunks):
            if distributed { self.distributed += 1 } else { coordinated += 1 }
            if let chunks, let stray = chunks.first(where: { !allChunks.contains($0) }) {
                findings.append(
                    Finding(
                        index: index, kind: "plan names chunk \(stray), which holds no data",
                        text: text, message: ""))
            }
        case .refused(let code, let message):
            refused["QueryError.\(code.rawValue)", default: 0] += 1
            messageShapes["\(code.rawValue): " + Self.shape(message), default: 0] += 1
            if !QueryError(code, "").isUserError {
                findings.append(
                    Finding(
                        index: index, kind: "QueryError.\(code.rawValue) (not a user error)",
                        text: text, message: message))
            }
        case .unexpected(let type, let message):
            refused[type, default: 0] += 1
            let finding = Finding(index: index, kind: "\(type) thrown by the planner", text: text, message: message)
            if ["ADQL.", "Planner.", "Sky.", "Catalog.", "Tabular."].contains(where: type.hasPrefix) {
                leaks.append(finding)
            } else {
                findings.append(finding)
            }
        }
    }

    mutating func merge(_ o: MutationTally) {
        total += o.total
        unchanged += o.unchanged
        syntax += o.syntax
        distributed += o.distributed
        coordinated += o.coordinated
        refused.merge(o.refused, uniquingKeysWith: +)
        messageShapes.merge(o.messageShapes, uniquingKeysWith: +)
        opCounts.merge(o.opCounts, uniquingKeysWith: +)
        findings += o.findings
        leaks += o.leaks
    }

    /// The first words of a message, names and numbers dropped, to group similar errors.
    static func shape(_ message: String) -> String {
        var words: [String] = []
        var text = Substring(message)
        if text.hasPrefix("line "), let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        for w in text.split(separator: " ") {
            if words.count == 5 { break }
            if w.contains(where: { $0.isNumber || $0 == "\"" || $0 == "'" || $0 == "." || $0 == "_" }) {
                if words.last != "…" { words.append("…") }
            } else {
                words.append(String(w))
            }
        }
        return words.joined(separator: " ")
    }
}

private final class TallyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var tallies: [MutationTally] = []
    func add(_ t: MutationTally) {
        lock.lock()
        defer { lock.unlock() }
        tallies.append(t)
    }

    var merged: MutationTally {
        lock.lock()
        defer { lock.unlock() }
        return tallies.reduce(into: MutationTally()) { $0.merge($1) }
    }
}

// MARK: - Tests

@Suite struct QueryMutationTests {
    static let environment = ProcessInfo.processInfo.environment

    static var runSeed: UInt64 {
        guard let s = environment["SKYSHARD_MUTATION_SEED"] else { return defaultRunSeed }
        return s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) ?? defaultRunSeed : UInt64(s) ?? defaultRunSeed
    }

    func setUp() throws -> (seeds: [DP0Seeds.Seed], mutator: QueryMutator, run: MutationRun) {
        let seeds = try DP0Seeds.load()
        let zoned = try MutationCatalog.make(zones: true)
        let plain = try MutationCatalog.make(zones: false)
        return (seeds, QueryMutator(seeds: seeds.map(\.adql), catalog: zoned), MutationRun(zoned: zoned, plain: plain))
    }

    /// Every seed parses; each plans or is refused with a user error (ObsCore is not served).
    @Test func seedsParseAndPlan() throws {
        let (seeds, _, run) = try setUp()
        #expect(seeds.count == 165)
        #expect(Set(seeds.map(\.id)).count == seeds.count, "seed ids are unique")
        var planned = 0
        var refused: [String] = []
        for seed in seeds {
            for planner in run.planners.indices {
                switch run.run(seed.adql, planner: planner, rowLimit: nil) {
                case .syntaxError(let message):
                    Issue.record("seed \(seed.id) does not parse: \(message)\n\(seed.adql)")
                case .planned:
                    if planner == 0 { planned += 1 }
                case .refused(let code, let message):
                    #expect(QueryError(code, "").isUserError, "seed \(seed.id): \(code) \(message)")
                    if planner == 0 { refused.append("\(seed.id): \(code.rawValue): \(message)") }
                case .unexpected(let type, let message):
                    Issue.record("seed \(seed.id): \(type) thrown by the planner: \(message)")
                }
            }
        }
        print("dp0 seeds: \(planned) of \(seeds.count) plan; refused:\n  " + refused.joined(separator: "\n  "))
        // Only the ObsCore queries (outside the catalog) may be refused.
        #expect(refused.allSatisfy { $0.contains("ObsCore") }, "\(refused)")
    }

    /// `SKYSHARD_MUTATION_QUERY=<adql>`: one query through the same path, with the outcome on
    /// both catalogs (to reduce a mutant to a minimal reproducer).
    @Test(.enabled(if: environment["SKYSHARD_MUTATION_QUERY"] != nil)) func oneQuery() throws {
        let (_, _, run) = try setUp()
        let text = Self.environment["SKYSHARD_MUTATION_QUERY"] ?? ""
        for planner in run.planners.indices {
            print("planner \(planner): \(run.run(text, planner: planner, rowLimit: nil))")
        }
    }

    /// The same run seed gives the same mutants.
    @Test func mutantsAreDeterministic() throws {
        let (_, mutator, _) = try setUp()
        for i in 0..<300 {
            let a = mutator.mutant(i, runSeed: 42), b = mutator.mutant(i, runSeed: 42)
            #expect(a.text == b.text && a.ops == b.ops)
        }
        #expect((0..<50).contains { mutator.mutant($0, runSeed: 42).text != mutator.mutant($0, runSeed: 43).text })
    }

    /// Mutants of the seeds through parse → bind → plan: each plans or throws a proper error.
    /// (A trap ends the process; `SKYSHARD_MUTATION_TRACE=1` shows which mutant.)
    @Test func mutantsPlanOrFailCleanly() throws {
        let (seeds, mutator, run) = try setUp()
        let env = Self.environment
        let runSeed = Self.runSeed
        let trace = env["SKYSHARD_MUTATION_TRACE"] == "1"
        let count = env["SKYSHARD_MUTATION_COUNT"].flatMap(Int.init) ?? mutantCount
        let only = env["SKYSHARD_MUTATION_ONLY"].flatMap(Int.init)
        let indices = only.map { [$0] } ?? Array(0..<count)
        let workers = trace || only != nil ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let started = Date()
        let box = TallyBox()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var tally = MutationTally()
            var k = w
            while k < indices.count {
                let i = indices[k]
                k += workers
                let m = mutator.mutant(i, runSeed: runSeed)
                if m.text == seeds[m.seed].adql { tally.unchanged += 1 }
                for op in m.ops { tally.opCounts[op.rawValue, default: 0] += 1 }
                if trace || only != nil {
                    FileHandle.standardError.write(
                        Data(
                            "mutant \(i) [\(seeds[m.seed].id); \(m.ops.map(\.rawValue).joined(separator: ","))]: \(m.text)\n".utf8
                        ))
                }
                // Every other mutant on the catalog without a zone index; every third with a row limit.
                let rowLimit: Int? = i % 3 == 0 ? [1, 1001, 100_001, 5_000_001][(i / 3) % 4] : nil
                let outcome = run.run(m.text, planner: i % 2, rowLimit: rowLimit)
                if only != nil { FileHandle.standardError.write(Data("  -> \(outcome)\n".utf8)) }
                tally.add(outcome, index: i, text: m.text, allChunks: run.allChunks)
            }
            box.add(tally)
        }
        let seconds = Date().timeIntervalSince(started)
        let t = box.merged

        // The summary.
        func pct(_ n: Int) -> String { String(format: "%.1f%%", 100 * Double(n) / Double(max(t.total, 1))) }
        var lines = [
            String(
                format: "query mutation: %ld mutants of %ld DP0.2 queries (seed 0x%llX) in %.1f s, %ld worker(s)",
                t.total, seeds.count, runSeed, seconds, workers),
            "  parsed \(t.parsed) (\(pct(t.parsed))), planned \(t.planned) (\(pct(t.planned)): \(t.distributed) distributed, \(t.coordinated) coordinated), unchanged \(t.unchanged)",
            "  errors: ADQLError (syntax) \(t.syntax)"
                + t.refused.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value)" }.joined(),
            "  most frequent errors:",
        ]
        for (shape, n) in t.messageShapes.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(
            12)
        {
            lines.append("    \(n)\t\(shape)")
        }
        lines.append(
            "  mutations: " + t.opCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if !t.leaks.isEmpty {
            lines.append("  \(t.leaks.count) project errors other than QueryError out of the planner (HTTP 500 in TAP), e.g.:")
            for f in t.leaks.sorted(by: { $0.index < $1.index }).prefix(5) {
                lines.append("    mutant \(f.index): \(f.kind): \(f.message)\n      \(f.text.prefix(300))")
            }
        }
        print(lines.joined(separator: "\n"))

        // A project error other than `QueryError` out of the planner (an `ADQLError`,
        // say) is answered by the TAP service as an internal error (HTTP 500): a failure too.
        for f in (t.findings + t.leaks).sorted(by: { $0.index < $1.index }).prefix(20) {
            Issue.record("mutant \(f.index): \(f.kind): \(f.message)\n\(f.text)")
        }
        #expect(t.findings.isEmpty, "\(t.findings.count) mutants planned wrongly or threw an improper error")
        #expect(t.leaks.isEmpty, "\(t.leaks.count) mutants threw a project error other than QueryError")
        guard only == nil else { return }
        #expect(t.total == count)
        #expect(count >= 20_000 || env["SKYSHARD_MUTATION_COUNT"] != nil)
        #expect(
            Double(t.parsed) >= minParsedFraction * Double(t.total),
            "only \(t.parsed) of \(t.total) mutants parse: the generator makes mostly garbage")
        #expect(
            Double(t.planned) >= minPlannedFraction * Double(t.total),
            "only \(t.planned) of \(t.total) mutants plan: the planner is hardly exercised")
        #expect(t.unchanged * 20 < t.total, "\(t.unchanged) mutants equal their seed")
    }
}
