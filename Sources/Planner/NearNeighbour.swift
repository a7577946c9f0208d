import ADQL
import Catalog

/// Near-neighbour self-joins of the director (`DISTANCE(POINT(o1...), POINT(o2...)) < r`):
/// each chunk joins its own rows (first reference) with its own rows plus its overlap rows
/// (second reference). Every pair closer than the overlap margin has its first object in
/// exactly one chunk and its second in that chunk or its overlap, so each pair is found once.
enum NearNeighbour {
    /// The join radius in degrees if some conjunct of `conditions` bounds the distance between
    /// the positions of `a` and `b` by a constant.
    static func radius(_ conditions: [Expression], a: BoundTable, b: BoundTable, pruner: ChunkPruner) -> Double? {
        guard let spec = a.info.directorSpec else { return nil }
        func position(_ lon: Expression, _ lat: Expression) -> String? {
            guard case .column(let x) = lon.unparenthesized.kind, case .column(let y) = lat.unparenthesized.kind,
                x.parts.count == 2, y.parts.count == 2, x.parts[0].name == y.parts[0].name,
                x.parts[1].name == spec.lonColumn, y.parts[1].name == spec.latColumn
            else { return nil }
            return x.parts[0].name
        }
        func linksBoth(_ p: String?, _ q: String?) -> Bool {
            guard let p, let q else { return false }
            return Set([p, q]) == Set([a.correlation, b.correlation])
        }
        /// DISTANCE(...) / scisql_angSep(...) between the two positions.
        func isDistance(_ e: Expression) -> Bool {
            guard case .function(let call) = e.unparenthesized.kind else { return false }
            let args = call.arguments
            switch call.upperName {
            case "DISTANCE" where args.count == 2:
                guard let p = pruner.pointArguments(args[0]), let q = pruner.pointArguments(args[1]) else { return false }
                return linksBoth(position(p.0, p.1), position(q.0, q.1))
            case "DISTANCE" where args.count == 4, "SCISQL_ANGSEP":
                guard args.count == 4 else { return false }
                return linksBoth(position(args[0], args[1]), position(args[2], args[3]))
            default:
                return false
            }
        }
        var best: Double?
        func note(_ r: Double?) {
            guard let r else { return }
            best = min(best ?? r, r)
        }
        for c in conditions {
            let e = c.unparenthesized
            switch e.kind {
            case .binary(let op, let x, let y):
                if (op == .less || op == .lessOrEqual), isDistance(x) { note(pruner.constant(y)) }
                if (op == .greater || op == .greaterOrEqual), isDistance(y) { note(pruner.constant(x)) }
                if op == .equal {
                    for (call, one) in [(x, y), (y, x)] where pruner.constant(one) == 1 {
                        note(circleRadius(call.unparenthesized))
                    }
                }
            case .between(let x, _, let high, negated: false) where isDistance(x):
                note(pruner.constant(high))
            default:
                break
            }
        }
        return best

        /// CONTAINS(POINT(b), CIRCLE(a, r)) and scisql_s2PtInCircle(b..., a..., r).
        func circleRadius(_ e: Expression) -> Double? {
            guard case .function(let call) = e.kind else { return nil }
            let args = call.arguments
            switch call.upperName {
            case "CONTAINS":
                guard args.count == 2, let p = pruner.pointArguments(args[0]),
                    case .function(let circle) = args[1].unparenthesized.kind, circle.upperName == "CIRCLE"
                else { return nil }
                var cargs = circle.arguments
                if let first = cargs.first, case .literal(.string) = first.unparenthesized.kind { cargs.removeFirst() }
                if cargs.count == 3, linksBoth(position(p.0, p.1), position(cargs[0], cargs[1])) {
                    return pruner.constant(cargs[2])
                }
                if cargs.count == 2, let c = pruner.pointArguments(cargs[0]),
                    linksBoth(position(p.0, p.1), position(c.0, c.1))
                {
                    return pruner.constant(cargs[1])
                }
                return nil
            case "SCISQL_S2PTINCIRCLE":
                guard args.count == 5, linksBoth(position(args[0], args[1]), position(args[2], args[3])) else { return nil }
                return pruner.constant(args[4])
            default:
                return nil
            }
        }
    }
}
