import ADQL
import Catalog
import Tabular

// The passes over a bound query's joins: `nearNeighbour`, `checkJoins`.
extension QueryPlanner {
    /// A bound query whose joins distribute (`nearNeighbour`, `checkJoins`).
    struct JoinedQuery {
        var bound: BoundSelect
        var notes: [PlanNote]
        var nearNeighbour: NearNeighbourJoin?
        /// References read from their chunk plus its overlap (a near-neighbour join's second
        /// reference, a director matched through a ref-match table): they decide no chunks.
        var overlapReads: Set<String> = []
    }

    /// Pass `nearNeighbour`: a join of two director references within a distance (a self-join,
    /// or a cross-match of two families partitioned alike), whose second reference reads the
    /// chunk's rows and its overlap rows. A self-join without a distance bound, or a third
    /// reference of one director, goes to the coordinator; a radius beyond the catalog's
    /// overlap is an error.
    func nearNeighbour(_ query: consuming BoundQuery) throws -> PassOutcome<JoinedQuery> {
        let all = query.bound.tables.filter { $0.info.directorSpec != nil }
        let next = JoinedQuery(bound: query.bound, notes: query.notes, nearNeighbour: nil)
        var references: [String: [BoundTable]] = [:]
        for t in all { references[t.info.name, default: []].append(t) }
        if let repeated = all.first(where: { references[$0.info.name]!.count > 2 }) {
            return .coordinator(reason: "the director table \(repeated.info.name) is referenced more than twice")
        }
        // A director referenced twice is a self-join; two different directors may be a
        // cross-match of two families.
        let directors: [BoundTable]
        if let pair = all.first(where: { references[$0.info.name]!.count == 2 }) {
            directors = references[pair.info.name]!
        } else if all.count == 2 {
            directors = all
        } else {
            return .next(next)
        }
        let selfJoin = directors[0].info.name == directors[1].info.name
        let conditions = Self.joinConditions(query.bound)
        let probe = ChunkPruner(chunker: chunker, tables: query.bound.tables, directorIndex: nil)
        guard let radius = NearNeighbour.radius(conditions, a: directors[0], b: directors[1], pruner: probe) else {
            // Two families without a distance bound: `checkJoins` decides (a ref-match, or the
            // coordinator).
            if !selfJoin { return .next(next) }
            return .coordinator(
                reason: "the director table \(directors[0].info.name) is joined with itself without a distance bound")
        }
        guard radius <= catalog.chunking.overlap else {
            throw QueryError(
                .limitExceeded,
                "the near-neighbour join radius \(radius)° exceeds the catalog's overlap of \(catalog.chunking.overlap)°; pairs farther apart than the overlap cannot be found chunk by chunk"
            )
        }
        let join = NearNeighbourJoin(first: directors[0].correlation, second: directors[1].correlation)
        query.notes.append(
            .text(
                "near-neighbour: \(join.second) reads \(directors[1].info.name) plus its overlap rows (radius \(radius)° ≤ overlap \(catalog.chunking.overlap)°)"
            ))
        // Two positions closer than r differ by less than r in latitude: this window is
        // implied, and lets the second reference read its latitude index instead of every row
        // of the chunk and its overlap for each row of the first.
        if let spec1 = directors[0].info.directorSpec, let spec2 = directors[1].info.directorSpec {
            let lat1 = Expression.column(join.first, spec1.latColumn)
            let lat2 = Expression.column(join.second, spec2.latColumn)
            let reach = radius + 1e-9
            let r = Expression(.literal(.real(reach, text: "\(reach)")))
            let window = Expression(
                .between(
                    lat2, low: Expression(.binary(.subtract, lat1, r)), high: Expression(.binary(.add, lat1, r)),
                    negated: false))
            query.bound.statement.whereClause = Expression.and([query.bound.statement.whereClause, window].compactMap { $0 })
            query.notes.append(
                .text(
                    "near-neighbour-window: \(join.second).\(spec2.latColumn) within \(radius)° of \(join.first).\(spec1.latColumn)"
                ))
        }
        return .next(
            JoinedQuery(bound: query.bound, notes: query.notes, nearNeighbour: join, overlapReads: [join.second]))
    }

    /// Pass `checkJoins`: joins that distribute. An outer join that keeps the unmatched rows of
    /// a replicated table would emit them once per chunk, and partitioned tables joined in one
    /// statement must be linked so that every pair of joined rows meets in one chunk: by their
    /// family's keys (director key = child foreign key), by a near-neighbour distance, or
    /// through a ref-match table whose pairs lie within the overlap. Other joins are finished
    /// at the coordinator.
    func checkJoins(_ query: consuming JoinedQuery) -> PassOutcome<JoinedQuery> {
        let partitioned = query.bound.tables.filter { $0.info.isPartitioned }
        if !partitioned.isEmpty, Self.outerJoinPreservesReplicated(query.bound) {
            return .coordinator(reason: "an outer join keeps unmatched rows of a replicated table")
        }
        switch linkPartitioned(query.bound, partitioned: partitioned, nearNeighbour: query.nearNeighbour) {
        case .unlinked(let reason):
            return .coordinator(reason: reason)
        case .linked(let matched):
            for m in matched {
                query.overlapReads.insert(m.correlation)
                query.notes.append(
                    .text(
                        "ref-match: \(m.correlation) reads \(m.table) plus its overlap rows, matched through \(m.through) (pairs within \(m.maxSeparation)° ≤ overlap \(catalog.chunking.overlap)°)"
                    ))
            }
        }
        if !query.overlapReads.isEmpty, Self.hasOuterJoin(query.bound.statement.from) {
            return .coordinator(
                reason: "an outer join with \(query.overlapReads.sorted().joined(separator: ", ")), read with its overlap rows, could repeat its unmatched rows"
            )
        }
        return .next(consume query)
    }

    /// The two references of a near-neighbour join: the first decides the chunks, the second
    /// reads the chunk's rows and its overlap rows.
    struct NearNeighbourJoin {
        var first: String
        var second: String
    }

    /// Whether some LEFT / RIGHT / FULL join keeps the unmatched rows of a side that holds only
    /// replicated tables while the other side holds a partitioned one.
    static func outerJoinPreservesReplicated(_ bound: BoundSelect) -> Bool {
        func tables(_ ref: TableReference) -> [TableInfo] {
            switch ref {
            case .table(_, let alias, _):
                return bound.tables.filter { $0.correlation == alias?.name }.map(\.info)
            case .derived: return []
            case .join(let j): return tables(j.left) + tables(j.right)
            }
        }
        func check(_ ref: TableReference) -> Bool {
            guard case .join(let j) = ref else { return false }
            if check(j.left) || check(j.right) { return true }
            let left = tables(j.left), right = tables(j.right)
            let leftReplicatedOnly = !left.isEmpty && left.allSatisfy { !$0.isPartitioned }
            let rightReplicatedOnly = !right.isEmpty && right.allSatisfy { !$0.isPartitioned }
            let leftPartitioned = left.contains { $0.isPartitioned }
            let rightPartitioned = right.contains { $0.isPartitioned }
            switch j.kind {
            case .left: return leftReplicatedOnly && rightPartitioned
            case .right: return rightReplicatedOnly && leftPartitioned
            case .full: return (leftReplicatedOnly && rightPartitioned) || (rightReplicatedOnly && leftPartitioned)
            case .inner, .cross: return false
            }
        }
        return bound.statement.from.contains(where: check)
    }

    /// The conjuncts of the WHERE clause and of every join's ON condition.
    static func joinConditions(_ bound: BoundSelect) -> [Expression] {
        var conditions: [Expression] = bound.statement.whereClause?.conjuncts ?? []
        func collect(_ ref: TableReference) {
            guard case .join(let j) = ref else { return }
            collect(j.left)
            collect(j.right)
            if case .on(let e)? = j.condition { conditions += e.conjuncts }
        }
        bound.statement.from.forEach(collect)
        return conditions
    }

    /// A director reference matched through a ref-match table (read with its overlap rows).
    struct RefMatched {
        var correlation: String
        var table: String
        var through: String
        var maxSeparation: Double
    }

    enum Linking {
        case linked(refMatched: [RefMatched])
        case unlinked(reason: String)
    }

    /// Whether the partitioned references of a statement are all linked so that joined rows
    /// meet in one chunk: key equalities within a family (director key = child foreign key),
    /// the near-neighbour join, and ref-match equalities (`RefMatchSpec`) whose pairs lie
    /// within the overlap. A reference read with its overlap rows must not also be linked by
    /// key: its children sit in its own chunk, not in the chunk whose overlap holds it.
    private func linkPartitioned(
        _ bound: BoundSelect, partitioned: [BoundTable], nearNeighbour: NearNeighbourJoin?
    ) -> Linking {
        guard partitioned.count > 1 else { return .linked(refMatched: []) }
        // The family and key column of each partitioned reference.
        func family(_ t: BoundTable) -> String? {
            switch t.info.partitioning {
            case .director: t.info.name
            case .child(let director, _): director
            case .replicated: nil
            }
        }
        func keyColumn(_ t: BoundTable) -> String? {
            switch t.info.partitioning {
            case .director(let spec): spec.keyColumn
            case .child(_, let foreignKey): foreignKey
            case .replicated: nil
            }
        }
        let conditions = Self.joinConditions(bound)
        // Union-find over the references linked by key equalities.
        var group = Dictionary(uniqueKeysWithValues: partitioned.map { ($0.correlation, $0.correlation) })
        func find(_ x: String) -> String {
            var x = x
            while let p = group[x], p != x { x = p }
            return x
        }
        var keyLinked = Set<String>()
        var matched: [RefMatched] = []
        var tooFar: String?
        for c in conditions {
            guard case .binary(.equal, let a, let b) = c.unparenthesized.kind,
                case .column(let na) = a.unparenthesized.kind, case .column(let nb) = b.unparenthesized.kind,
                na.parts.count == 2, nb.parts.count == 2,
                let ta = partitioned.first(where: { $0.correlation == na.parts[0].name }),
                let tb = partitioned.first(where: { $0.correlation == nb.parts[0].name })
            else { continue }
            let ca = na.parts[1].name, cb = nb.parts[1].name
            if family(ta) == family(tb), keyColumn(ta) == ca, keyColumn(tb) == cb {
                group[find(ta.correlation)] = find(tb.correlation)
                keyLinked.formUnion([ta.correlation, tb.correlation])
                continue
            }
            // match.column = matched.matchedColumn, either way round.
            for (m, mc, t, tc) in [(ta, ca, tb, cb), (tb, cb, ta, ca)] {
                guard let spec = m.info.refMatch, spec.column == mc, spec.matchedTable == t.info.name,
                    spec.matchedColumn == tc
                else { continue }
                guard spec.maxSeparation <= catalog.chunking.overlap else {
                    tooFar =
                        "\(t.info.name) is joined through the ref-match table \(m.info.name), whose pairs may lie \(spec.maxSeparation)° apart, beyond the catalog's overlap of \(catalog.chunking.overlap)°"
                    continue
                }
                group[find(m.correlation)] = find(t.correlation)
                if !matched.contains(where: { $0.correlation == t.correlation }) {
                    matched.append(
                        RefMatched(
                            correlation: t.correlation, table: t.info.name, through: m.correlation,
                            maxSeparation: spec.maxSeparation))
                }
            }
        }
        if let join = nearNeighbour { group[find(join.first)] = find(join.second) }
        let overlapReads = Set(matched.map(\.correlation) + (nearNeighbour.map { [$0.second] } ?? []))
        if let both = overlapReads.first(where: { keyLinked.contains($0) }) {
            return .unlinked(
                reason: "\(both) is read with its overlap rows and also joined by its key; its children lie in its own chunk")
        }
        let roots = Set(partitioned.map { find($0.correlation) })
        if roots.count > 1 {
            if let tooFar { return .unlinked(reason: tooFar) }
            let families = Set(partitioned.compactMap(family))
            if families.count > 1 {
                return .unlinked(
                    reason: "tables of different families (\(families.sorted().joined(separator: ", "))) are joined without a ref-match or a distance bound within the overlap"
                )
            }
            return .unlinked(reason: "partitioned tables are joined without equality of their keys")
        }
        return .linked(refMatched: matched)
    }
}
