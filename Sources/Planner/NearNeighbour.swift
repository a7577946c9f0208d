import ADQL
import Catalog

/// A conjunct that bounds the angular distance between two positions by a constant radius:
/// `DISTANCE(POINT(a), POINT(b)) < r` (also `<=`, `r > …`, `BETWEEN … AND r`, the four-argument
/// DISTANCE and `scisql_angSep`), `CONTAINS(POINT(a), CIRCLE(b, r)) = 1` (either side of `=`,
/// either position in the circle, with or without the coordinate system, the two-argument
/// CIRCLE of a POINT) and `scisql_s2PtInCircle(a…, b…, r) = 1`. Positions are (lon, lat)
/// expressions as the query writes them; the radius is in degrees.
struct DistanceBound {
    var a: (lon: Expression, lat: Expression)
    var b: (lon: Expression, lat: Expression)
    var radius: Double

    /// Every distance bound among `conditions` (conjuncts of a WHERE or ON clause).
    static func all(in conditions: [Expression], pruner: ChunkPruner) -> [DistanceBound] {
        typealias Position = (lon: Expression, lat: Expression)
        /// The two positions of DISTANCE(...) / scisql_angSep(...).
        func distancePositions(_ e: Expression) -> (Position, Position)? {
            guard case .function(let call) = e.unparenthesized.kind else { return nil }
            let args = call.arguments
            switch call.upperName {
            case "DISTANCE" where args.count == 2:
                guard let p = pruner.pointArguments(args[0]), let q = pruner.pointArguments(args[1]) else { return nil }
                return ((p.0, p.1), (q.0, q.1))
            case "DISTANCE" where args.count == 4, "SCISQL_ANGSEP":
                guard args.count == 4 else { return nil }
                return ((args[0], args[1]), (args[2], args[3]))
            default:
                return nil
            }
        }
        /// CONTAINS(POINT(p), CIRCLE(c, r)) and scisql_s2PtInCircle(p..., c..., r).
        func circleBound(_ e: Expression) -> DistanceBound? {
            guard case .function(let call) = e.kind else { return nil }
            let args = call.arguments
            switch call.upperName {
            case "CONTAINS":
                guard args.count == 2, let p = pruner.pointArguments(args[0]),
                    case .function(let circle) = args[1].unparenthesized.kind, circle.upperName == "CIRCLE"
                else { return nil }
                var cargs = circle.arguments
                if let first = cargs.first, case .literal(.string) = first.unparenthesized.kind { cargs.removeFirst() }
                if cargs.count == 3, let r = pruner.constant(cargs[2]) {
                    return DistanceBound(a: (p.0, p.1), b: (cargs[0], cargs[1]), radius: r)
                }
                if cargs.count == 2, let c = pruner.pointArguments(cargs[0]), let r = pruner.constant(cargs[1]) {
                    return DistanceBound(a: (p.0, p.1), b: (c.0, c.1), radius: r)
                }
                return nil
            case "SCISQL_S2PTINCIRCLE":
                guard args.count == 5, let r = pruner.constant(args[4]) else { return nil }
                return DistanceBound(a: (args[0], args[1]), b: (args[2], args[3]), radius: r)
            default:
                return nil
            }
        }
        var found: [DistanceBound] = []
        func note(_ positions: (Position, Position)?, _ radius: Double?) {
            guard let (p, q) = positions, let radius else { return }
            found.append(DistanceBound(a: p, b: q, radius: radius))
        }
        for c in conditions {
            let e = c.unparenthesized
            switch e.kind {
            case .binary(let op, let x, let y):
                if op == .less || op == .lessOrEqual, let positions = distancePositions(x) {
                    note(positions, pruner.constant(y))
                }
                if op == .greater || op == .greaterOrEqual, let positions = distancePositions(y) {
                    note(positions, pruner.constant(x))
                }
                if op == .equal {
                    for (call, one) in [(x, y), (y, x)] where pruner.constant(one) == 1 {
                        if let bound = circleBound(call.unparenthesized) { found.append(bound) }
                    }
                }
            case .between(let x, _, let high, negated: false):
                if let positions = distancePositions(x) { note(positions, pruner.constant(high)) }
            default:
                break
            }
        }
        return found
    }

    /// The correlation name whose columns `lon` and `lat` are (bound references are
    /// `[correlation, column]`), with the two column names.
    static func columns(_ lon: Expression, _ lat: Expression) -> (correlation: String, lon: String, lat: String)? {
        guard case .column(let x) = lon.unparenthesized.kind, case .column(let y) = lat.unparenthesized.kind,
            x.parts.count == 2, y.parts.count == 2, x.parts[0].name == y.parts[0].name
        else { return nil }
        return (x.parts[0].name, x.parts[1].name, y.parts[1].name)
    }
}

/// Near-neighbour self-joins of the director (`DISTANCE(POINT(o1...), POINT(o2...)) < r`):
/// each chunk joins its own rows (first reference) with its own rows plus its overlap rows
/// (second reference). Every pair closer than the overlap margin has its first object in
/// exactly one chunk and its second in that chunk or its overlap, so each pair is found once.
enum NearNeighbour {
    /// The join radius in degrees if some conjunct of `conditions` bounds the distance between
    /// the positions of `a` and `b` by a constant.
    static func radius(_ conditions: [Expression], a: BoundTable, b: BoundTable, pruner: ChunkPruner) -> Double? {
        guard let specA = a.info.directorSpec, let specB = b.info.directorSpec else { return nil }
        // A position is a reference's own position columns (two directors name theirs apart).
        func position(_ p: (lon: Expression, lat: Expression)) -> String? {
            guard let c = DistanceBound.columns(p.lon, p.lat) else { return nil }
            for (t, spec) in [(a, specA), (b, specB)]
            where c.correlation == t.correlation && c.lon == spec.lonColumn && c.lat == spec.latColumn {
                return c.correlation
            }
            return nil
        }
        var best: Double?
        for bound in DistanceBound.all(in: conditions, pruner: pruner) {
            guard let p = position(bound.a), let q = position(bound.b), Set([p, q]) == Set([a.correlation, b.correlation])
            else { continue }
            best = min(best ?? bound.radius, bound.radius)
        }
        return best
    }
}
