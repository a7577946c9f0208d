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
    }

    /// Pass `nearNeighbour`: a self-join of the director within a distance, whose second
    /// reference reads the chunk's rows and its overlap rows. A self-join without a distance
    /// bound, or a third reference, goes to the coordinator; a radius beyond the catalog's
    /// overlap is an error.
    func nearNeighbour(_ query: consuming BoundQuery) throws -> PassOutcome<JoinedQuery> {
        let directors = query.bound.tables.filter { $0.info.directorSpec != nil }
        guard directors.count == 2 else {
            if directors.count > 2 {
                return .coordinator(reason: "the director table \(directors[0].info.name) is referenced more than twice")
            }
            return .next(JoinedQuery(bound: query.bound, notes: query.notes, nearNeighbour: nil))
        }
        let conditions = Self.joinConditions(query.bound)
        let probe = ChunkPruner(chunker: chunker, tables: query.bound.tables, directorIndex: nil)
        guard let radius = NearNeighbour.radius(conditions, a: directors[0], b: directors[1], pruner: probe) else {
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
        if let spec = directors[0].info.directorSpec {
            let lat1 = Expression.column(join.first, spec.latColumn)
            let lat2 = Expression.column(join.second, spec.latColumn)
            let reach = radius + 1e-9
            let r = Expression(.literal(.real(reach, text: "\(reach)")))
            let window = Expression(
                .between(
                    lat2, low: Expression(.binary(.subtract, lat1, r)), high: Expression(.binary(.add, lat1, r)),
                    negated: false))
            query.bound.statement.whereClause = Expression.and([query.bound.statement.whereClause, window].compactMap { $0 })
            query.notes.append(
                .text(
                    "near-neighbour-window: \(join.second).\(spec.latColumn) within \(radius)° of \(join.first).\(spec.latColumn)"
                ))
        }
        return .next(JoinedQuery(bound: query.bound, notes: query.notes, nearNeighbour: join))
    }

    /// Pass `checkJoins`: joins that distribute. An outer join that keeps the unmatched rows of
    /// a replicated table would emit them once per chunk, and partitioned tables joined in one
    /// statement must be linked by their keys (director key = child foreign key) so that every
    /// pair of joined rows lies in one chunk: other joins are finished at the coordinator.
    func checkJoins(_ query: consuming JoinedQuery) -> PassOutcome<JoinedQuery> {
        let partitioned = query.bound.tables.filter { $0.info.isPartitioned }
        if !partitioned.isEmpty, Self.outerJoinPreservesReplicated(query.bound) {
            return .coordinator(reason: "an outer join keeps unmatched rows of a replicated table")
        }
        if let reason = Self.unlinkedPartitionedJoin(query.bound, partitioned: partitioned, nearNeighbour: query.nearNeighbour) {
            return .coordinator(reason: reason)
        }
        return .next(consume query)
    }

    /// The two references of a near-neighbour self-join of the director: the first decides the
    /// chunks, the second reads the chunk's rows and its overlap rows.
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

    /// Why the partitioned tables of a statement are not all linked by key equalities (or the
    /// near-neighbour join), if they are not.
    private static func unlinkedPartitionedJoin(
        _ bound: BoundSelect, partitioned: [BoundTable], nearNeighbour: NearNeighbourJoin?
    ) -> String? {
        guard partitioned.count > 1 else { return nil }
        let directorNames = Set(
            partitioned.compactMap { table -> String? in
                switch table.info.partitioning {
                case .director: table.info.name
                case .child(let director, _): director
                case .replicated: nil
                }
            })
        if directorNames.count > 1 {
            return "tables partitioned by different directors are joined"
        }
        // The key column of each partitioned reference.
        func keyColumn(_ t: BoundTable) -> String? {
            switch t.info.partitioning {
            case .director(let spec): spec.keyColumn
            case .child(_, let foreignKey): foreignKey
            case .replicated: nil
            }
        }
        let conditions = joinConditions(bound)
        // Union-find over the references linked by key equalities.
        var group = Dictionary(uniqueKeysWithValues: partitioned.map { ($0.correlation, $0.correlation) })
        func find(_ x: String) -> String {
            var x = x
            while let p = group[x], p != x { x = p }
            return x
        }
        for c in conditions {
            guard case .binary(.equal, let a, let b) = c.unparenthesized.kind,
                case .column(let na) = a.unparenthesized.kind, case .column(let nb) = b.unparenthesized.kind,
                na.parts.count == 2, nb.parts.count == 2,
                let ta = partitioned.first(where: { $0.correlation == na.parts[0].name }),
                let tb = partitioned.first(where: { $0.correlation == nb.parts[0].name }),
                keyColumn(ta) == na.parts[1].name, keyColumn(tb) == nb.parts[1].name
            else { continue }
            group[find(ta.correlation)] = find(tb.correlation)
        }
        if let join = nearNeighbour { group[find(join.first)] = find(join.second) }
        let roots = Set(partitioned.map { find($0.correlation) })
        if roots.count > 1 {
            return "partitioned tables are joined without equality of their keys"
        }
        return nil
    }
}
