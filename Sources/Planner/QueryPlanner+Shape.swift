import ADQL
import Tabular

// The passes up to binding: `foldRegions`, `checkShape`, `bind`.
extension QueryPlanner {
    /// A query whose regions are folded (`foldRegions`).
    struct FoldedQuery {
        var query: Query
        /// Whether the query holds a sub-query, when the folding walk found out (nil: not looked
        /// at, `checkShape` walks the query for it).
        var hasSubquery: Bool?
    }

    /// Pass `foldRegions`: constant REGION strings and geometry CASTs as the constructors they
    /// stand for, and CONTAINS / INTERSECTS over compound regions expanded (see
    /// `RegionFolding`), before binding, so that chunk pruning sees them like any other shape.
    ///
    /// For a single SELECT, one walk finds both whether regions need folding and whether there
    /// is a sub-query (folding creates none), instead of one walk each; `checkShape` then has
    /// the answer.
    static func foldRegions(_ query: Query) throws -> FoldedQuery {
        guard query.with.isEmpty, case .select(let select) = query.body else {
            // Not a single SELECT: `fold` looks for nodes to fold itself.
            return FoldedQuery(query: try fold(query), hasSubquery: nil)
        }
        var folding = false, subquery = false
        // The select list, WHERE, GROUP BY, HAVING and ORDER BY by direct recursion (the
        // generic walk's visitor closure cost more than the tests); FROM (join conditions,
        // derived tables) through the walk.
        for i in select.items.indices {
            if case .expression(let e, _) = select.items[i] { scan(e, folding: &folding, subquery: &subquery) }
        }
        for t in select.from {
            t.walkExpressions { e in
                if !folding && RegionFolding.startsFolding(e) { folding = true }
                if !subquery && e.isSubqueryNode { subquery = true }
                return !(folding && subquery)
            }
        }
        if let w = select.whereClause { scan(w, folding: &folding, subquery: &subquery) }
        for e in select.groupBy { scan(e, folding: &folding, subquery: &subquery) }
        if let h = select.having { scan(h, folding: &folding, subquery: &subquery) }
        for item in query.orderBy { scan(item.expression, folding: &folding, subquery: &subquery) }
        return FoldedQuery(query: folding ? try fold(query, needed: true) : query, hasSubquery: subquery)
    }

    /// Sets `folding` if `e` or a node below it (sub-queries included) starts region folding,
    /// and `subquery` if one of them is a sub-query node; stops early once both are set.
    private static func scan(_ e: Expression, folding: inout Bool, subquery: inout Bool) {
        if !folding && RegionFolding.startsFolding(e) { folding = true }
        if e.isSubqueryNode {
            subquery = true
            // The node's operand and its query, through the walk (sub-queries are rare).
            if !folding { folding = e.contains(intoSubqueries: true, where: RegionFolding.startsFolding) }
            return
        }
        if folding && subquery { return }
        e.forEachChild { scan($0, folding: &folding, subquery: &subquery) }
    }

    /// `needed`: the caller found a node to fold (false: `RegionFolding.fold` looks for one).
    private static func fold(_ query: Query, needed: Bool = false) throws -> Query {
        do {
            return try needed ? RegionFolding.foldAll(query) : RegionFolding.fold(query)
        } catch let error as ADQLError {
            throw Binder.error(error.message, at: error.range)
        }
    }

    /// One SELECT block over catalog tables, without WITH, set operations, derived tables or
    /// sub-queries: the shape the distributed passes plan (`checkShape`).
    struct SingleSelect {
        var select: SelectStatement
        var orderBy: [OrderItem]
        var offset: Int?
    }

    /// Pass `checkShape`: the distributed passes plan one SELECT block over catalog tables;
    /// other shapes are planned by the coordinator on top of them.
    func checkShape(_ folded: FoldedQuery) -> PassOutcome<SingleSelect> {
        let query = folded.query
        guard query.with.isEmpty else { return .coordinator(reason: "WITH") }
        guard case .select(let select) = query.body else { return .coordinator(reason: "set operation") }
        func hasDerived(_ ref: TableReference) -> Bool {
            switch ref {
            case .table: false
            case .derived: true
            case .join(let j): hasDerived(j.left) || hasDerived(j.right)
            }
        }
        if select.from.contains(where: hasDerived) { return .coordinator(reason: "derived table") }
        var hasSubquery = folded.hasSubquery ?? false
        if folded.hasSubquery == nil {
            select.walkExpressions { e in
                if e.isSubqueryNode { hasSubquery = true }
                return !hasSubquery
            }
            for item in query.orderBy where !hasSubquery {
                hasSubquery = item.expression.contains(where: \.isSubqueryNode)
            }
        }
        if hasSubquery { return .coordinator(reason: "sub-query") }
        return .next(SingleSelect(select: select, orderBy: query.orderBy, offset: query.offset))
    }

    /// A bound SELECT (`bind`) and the notes of the passes so far.
    struct BoundQuery {
        var bound: BoundSelect
        var notes: [PlanNote]
    }

    /// Pass `bind`: names resolved against the catalog (see `Binder`).
    func bind(_ single: SingleSelect) throws -> BoundQuery {
        var notes: [PlanNote] = []
        notes.reserveCapacity(8)
        let bound = try binder.bind(single)
        notes.append(.bind(tables: bound.tables.count, columns: bound.outputs.count))
        return BoundQuery(bound: bound, notes: notes)
    }
}
