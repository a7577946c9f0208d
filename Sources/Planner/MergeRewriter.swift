import ADQL
import Tabular

/// Splits a bound SELECT into the statement every chunk runs and the merge over their rows,
/// in Qserv's manner: aggregates become per-chunk partials and a merge aggregate (COUNT → SUM
/// of counts, AVG → SUM/COUNT, SUM/MIN/MAX as they are), GROUP BY runs in both phases, HAVING
/// only at the merge; ORDER BY with TOP is pushed to the chunks and re-applied; DISTINCT runs in
/// both phases. Aggregates over DISTINCT values gather the distinct argument values instead.
struct MergeRewriter {
    let bound: BoundSelect

    enum Merge {
        case concatenate(limit: Int?, offset: Int)
        case query(Query, columns: Int)
    }

    struct Result {
        var chunkQuery: Query
        var merge: Merge
        var passes: [String]
        var topKBound: TopKBound? = nil
    }

    /// AVG's partial in the chunks and its merge: internal aggregates, rendered by the shard
    /// dialect only (as `skyshard_avg_partial` and `skyshard_avg_merge`); their names, like the
    /// top-k parameter's, are no function that the binder admits from a query.
    static let averagePartial = FunctionCall(name: Identifier("skyshard:avg-partial", isDelimited: true), arguments: [])
    static let averageMerge = FunctionCall(name: Identifier("skyshard:avg-merge", isDelimited: true), arguments: [])

    /// The parameter of a `TopKBound`: a call that only the shard dialect renders (as `?1`).
    /// Its name cannot be a function that a bound query calls: the binder accepts only the
    /// functions of its registry.
    static let topKBoundParameter = FunctionCall(name: Identifier("skyshard:top-k bound", isDelimited: true), arguments: [])

    static func mergeColumn(_ index: Int) -> Expression {
        Expression(.column(QualifiedName([chunkColumnName(index)])))
    }

    /// `"c<index>"`, the name of the chunk statement's column `index` (the usual ones made once:
    /// a SELECT * of a wide table names a few hundred).
    static func chunkColumnName(_ index: Int) -> Identifier {
        index < commonChunkColumnNames.count ? commonChunkColumnNames[index] : Identifier("c\(index)", isDelimited: true)
    }

    private static let commonChunkColumnNames = (0..<512).map { Identifier("c\($0)", isDelimited: true) }

    static let mergeTable = TableReference.table(
        QualifiedName([Identifier("merge", isDelimited: true)]), alias: nil, range: .synthesized)

    /// Static: closures that render keys then capture nothing of the rewriter (a capture of
    /// `self` copied the whole bound statement).
    static func key(_ e: Expression) throws -> String { try SQLGeneration.renderExpression(e.unparenthesized) }

    func rewrite() throws -> Result {
        let s = bound.statement
        let outputs = bound.outputs.map(\.expression)
        let offset = bound.offset ?? 0
        // TOP and OFFSET are each at most Int.max: their sum saturates (a limit that large
        // keeps every row) instead of overflowing.
        let chunkLimit = s.top.map { top in
            let (sum, overflow) = top.addingReportingOverflow(offset)
            return overflow ? Int.max : sum
        }
        let hasAggregates =
            outputs.contains { $0.containsAggregate } || s.having != nil
            || bound.orderBy.contains { $0.expression.containsAggregate }
        let grouped = hasAggregates || !s.groupBy.isEmpty
        let distinct = s.quantifier == .distinct

        if !grouped {
            // Plain selection, possibly DISTINCT and ordered.
            var items = outputs
            var order: [(Int, Bool)] = []
            for item in bound.orderBy {
                let k = try Self.key(item.expression)
                if let index = try items.firstIndex(where: { try Self.key($0) == k }) {
                    order.append((index, item.descending))
                } else if distinct {
                    throw QueryError(.semantic, "ORDER BY of a SELECT DISTINCT must name a selected column")
                } else {
                    items.append(item.expression)
                    order.append((items.count - 1, item.descending))
                }
            }
            var chunk = SelectStatement(
                quantifier: distinct ? .distinct : nil, top: chunkLimit,
                items: items.enumerated().map { .expression($1, alias: Self.chunkColumnName($0)) },
                from: s.from, whereClause: s.whereClause)
            let chunkOrder = order.map { OrderItem(expression: items[$0.0], descending: $0.1) }
            // TOP with ORDER BY on a numeric column: chunks started later skip the rows that
            // cannot reach the TOP (see `TopKBound`). Not with DISTINCT: the merge's best rows
            // may repeat, and the bound would then be too tight.
            var topKBound: TopKBound?
            var passes: [String] = []
            if !distinct, let limit = chunkLimit, let first = order.first, isNumericColumn(items[first.0]) {
                let key = items[first.0]
                let parameter = Expression(.function(Self.topKBoundParameter))
                let beyond =
                    first.1
                    ? Expression(.binary(.greaterOrEqual, key, parameter))
                    : Expression(
                        .binary(
                            .or, Expression(.binary(.lessOrEqual, key, parameter)), Expression(.isNull(key, negated: false))))
                let term = Expression(
                    .parenthesized(Expression(.binary(.or, Expression(.isNull(parameter, negated: false)), beyond))))
                // After the other terms, and inside the AND whose first term is a latitude
                // band (which the zone-split parts replace, see `QueryPlanner`).
                if let w = s.whereClause, case .binary(.and, let first, let rest) = w.kind,
                    let tail = Expression.and([rest, term])
                {
                    chunk.whereClause = Expression(.binary(.and, first, Expression(.parenthesized(tail))), range: w.range)
                } else {
                    chunk.whereClause = Expression.and([s.whereClause, term].compactMap { $0 })
                }
                topKBound = TopKBound(column: first.0, descending: first.1, count: limit)
                passes.append(
                    "top-k-bound: a chunk started after \(limit) rows have merged skips rows beyond the \(limit)th \(first.1 ? "largest" : "smallest") \(try Self.key(key))"
                )
            }
            if !distinct && order.isEmpty {
                chunk.top = chunkLimit
                var passes = ["projection: rows streamed from every chunk"]
                if let top = s.top, let chunkLimit {
                    // With an OFFSET each chunk must return TOP + OFFSET rows: say the limit the
                    // chunk SQL carries, not only the TOP.
                    let offsetNote = offset > 0 ? " (TOP \(top) + OFFSET \(offset))" : ""
                    passes.append(
                        "limit-early-stop: LIMIT \(chunkLimit)\(offsetNote) pushed to chunks; stop after \(chunkLimit) rows")
                }
                return Result(
                    chunkQuery: Query(body: .select(chunk)),
                    merge: .concatenate(limit: s.top, offset: offset), passes: passes)
            }
            let merge = SelectStatement(
                quantifier: distinct ? .distinct : nil, top: s.top,
                items: outputs.indices.map { .expression(Self.mergeColumn($0), alias: nil) },
                from: [Self.mergeTable])
            if distinct { passes.append("distinct: DISTINCT in chunks and at the merge") }
            if !order.isEmpty {
                if let top = s.top, let chunkLimit {
                    let offsetNote = offset > 0 ? " (TOP \(top) + OFFSET \(offset))" : ""
                    passes.append(
                        "order-limit-pushdown: ORDER BY with LIMIT \(chunkLimit)\(offsetNote) in chunks, re-applied at the merge")
                } else {
                    passes.append("order-merge: rows sorted at the merge")
                }
            }
            return Result(
                chunkQuery: Query(body: .select(chunk), orderBy: s.top != nil ? chunkOrder : []),
                merge: .query(
                    Query(
                        body: .select(merge),
                        orderBy: order.map { OrderItem(expression: Self.mergeColumn($0.0), descending: $0.1) },
                        offset: bound.offset),
                    columns: items.count),
                passes: passes, topKBound: topKBound)
        }

        // Aggregation.
        var aggregates: [Expression] = []
        /// `key` of each aggregate, rendered once.
        var aggregateKeys: [String] = []
        var seen = Set<String>()
        func collect(_ e: Expression) throws {
            var found: [Expression] = []
            e.visit { if $0.isAggregateCall { found.append($0) } }
            for a in found {
                let k = try Self.key(a)
                if seen.insert(k).inserted {
                    aggregates.append(a)
                    aggregateKeys.append(k)
                }
            }
        }
        for e in outputs { try collect(e) }
        if let h = s.having { try collect(h) }
        for o in bound.orderBy { try collect(o.expression) }
        for a in aggregates {
            if case .function(let call) = a.kind, call.arguments.contains(where: { $0.containsAggregate }) {
                throw QueryError(.semantic, "aggregate functions cannot be nested: \(try Self.key(a))")
            }
        }
        // COUNT(DISTINCT key) of a key that lives in one chunk (the director's key, a child's
        // key to its director) is counted in each chunk and summed at the merge; other
        // aggregates over DISTINCT values gather the values.
        let gathered = aggregates.contains {
            guard case .function(let call) = $0.kind, call.distinct else { return false }
            return !(call.upperName == "COUNT" && call.arguments.count == 1 && isChunkLocalKey(call.arguments[0]))
        }
        if gathered {
            return try gather(aggregates: aggregates)
        }

        var chunkItems: [Expression] = s.groupBy
        var groupKeys: [String: Int] = [:]
        for (i, g) in s.groupBy.enumerated() { groupKeys[try Self.key(g)] = i }
        var mergeFor: [String: Expression] = [:]
        let countStar = Expression(.function(FunctionCall(name: Identifier("COUNT"), arguments: [], star: true)))
        for (a, aggregateKey) in zip(aggregates, aggregateKeys) {
            guard case .function(let call) = a.kind else { continue }
            let name = call.upperName
            func partial(_ e: Expression) -> Expression {
                chunkItems.append(e)
                return Self.mergeColumn(chunkItems.count - 1)
            }
            func fn(_ name: String, _ args: [Expression]) -> Expression {
                Expression(.function(FunctionCall(name: Identifier(name), arguments: args)))
            }
            let merged: Expression
            switch name {
            case "COUNT":
                let p = partial(
                    !call.distinct && call.arguments.count == 1 && whereRejectsNull(call.arguments[0]) ? countStar : a)
                merged = s.groupBy.isEmpty ? fn("COALESCE", [fn("SUM", [p]), .integer(0)]) : fn("SUM", [p])
            case "SUM": merged = fn("SUM", [partial(a)])
            case "MIN": merged = fn("MIN", [partial(a)])
            case "MAX": merged = fn("MAX", [partial(a)])
            case "AVG":
                // One aggregate per row in the chunks, as SQLite's AVG: its partial carries
                // the sum (as a double: a 64-bit integer sum of large ids would overflow where
                // AVG itself does not) and the count (see `Shard.PartialAggregates`).
                let p = partial(
                    Expression(
                        .function(
                            FunctionCall(name: Self.averagePartial.name, arguments: call.arguments))))
                merged = Expression(.function(FunctionCall(name: Self.averageMerge.name, arguments: [p])))
            default:
                throw QueryError(.semantic, "\(name) is not an aggregate function")
            }
            mergeFor[aggregateKey] = merged
        }
        func toMerge(_ e: Expression) throws -> Expression {
            try e.rewrite(intoSubqueries: false) { node in
                // A node is rendered (its key) only when a group key or an aggregate could
                // match it: without GROUP BY, only the aggregate calls.
                let k = groupKeys.isEmpty && !node.isAggregateCall ? nil : try Self.key(node)
                if let k, let i = groupKeys[k] { return Self.mergeColumn(i) }
                if let k, node.isAggregateCall { return mergeFor[k] }
                if case .column(let name) = node.kind {
                    throw QueryError(
                        .semantic,
                        "column \(name.last.name) must appear in GROUP BY or be used in an aggregate function")
                }
                return nil
            }
        }
        let chunk = SelectStatement(
            items: chunkItems.enumerated().map { .expression($1, alias: Self.chunkColumnName($0)) },
            from: s.from, whereClause: s.whereClause, groupBy: s.groupBy)
        let merge = SelectStatement(
            quantifier: s.quantifier, top: s.top,
            items: try outputs.map { .expression(try toMerge($0), alias: nil) },
            from: [Self.mergeTable], groupBy: s.groupBy.indices.map { Self.mergeColumn($0) },
            having: try s.having.map(toMerge))
        var passes = ["aggregate-split: \(aggregates.count) aggregate(s) as per-chunk partials merged at the coordinator"]
        if aggregates.contains(where: { if case .function(let call) = $0.kind { return call.distinct } else { return false } }) {
            passes.append("distinct-count-local: COUNT(DISTINCT key) counted in each chunk (a key lives in one chunk), summed at the merge")
        }
        if !s.groupBy.isEmpty { passes.append("group-by: GROUP BY in chunks and at the merge") }
        if s.having != nil { passes.append("having: HAVING at the merge only") }
        return try split(chunk: chunk, columns: chunkItems.count, merge: merge, toMerge: toMerge, passes: passes)
    }

    /// The chunk statement (of `columns` columns) and the merge statement over their rows, in
    /// the order of the query's ORDER BY, whose keys `toMerge` rewrites over the merge columns.
    private func split(
        chunk: SelectStatement, columns: Int, merge: SelectStatement, toMerge: (Expression) throws -> Expression,
        passes: [String]
    ) throws -> Result {
        Result(
            chunkQuery: Query(body: .select(chunk)),
            merge: .query(
                Query(
                    body: .select(merge),
                    orderBy: try bound.orderBy.map {
                        OrderItem(expression: try toMerge($0.expression), descending: $0.descending)
                    },
                    offset: bound.offset),
                columns: columns),
            passes: passes)
    }

    /// Whether `e` is a column of a base table stored as REAL or INTEGER in SQLite, whose
    /// values therefore compare as numbers.
    func isNumericColumn(_ e: Expression) -> Bool {
        guard case .column(let name) = e.unparenthesized.kind, name.parts.count == 2,
            let table = bound.tables.first(where: { $0.correlation == name.parts[0].name }),
            let column = table.info.columns.first(where: { $0.name == name.parts[1].name })
        else { return false }
        return column.sqliteType == "REAL" || column.sqliteType == "INTEGER"
    }

    /// Whether `e` is a column whose every value lives in one chunk: the key of the director
    /// table, or a child table's key to its director (its rows are placed with the director's
    /// row), in a statement over that one table.
    func isChunkLocalKey(_ e: Expression) -> Bool {
        guard bound.tables.count == 1, case .column(let name) = e.unparenthesized.kind, name.parts.count == 2,
            let table = bound.tables.first, table.correlation == name.parts[0].name
        else { return false }
        switch table.info.partitioning {
        case .director(let spec): return spec.keyColumn == name.parts[1].name
        case .child(_, let foreignKey): return foreignKey == name.parts[1].name
        case .replicated: return false
        }
    }

    /// Whether a conjunct at the top of the WHERE clause is false or unknown whenever column `e`
    /// is NULL: a comparison, BETWEEN or IN with `e` as an operand, or `e IS NOT NULL`. Then the
    /// rows that reach an aggregate all have a value of `e`.
    func whereRejectsNull(_ e: Expression) -> Bool {
        guard case .column(let column) = e.unparenthesized.kind, let condition = bound.statement.whereClause
        else { return false }
        let target = column.parts.map(\.name)
        func isTarget(_ x: Expression) -> Bool {
            if case .column(let name) = x.unparenthesized.kind { return name.parts.map(\.name) == target }
            return false
        }
        return condition.conjuncts.contains { c in
            switch c.unparenthesized.kind {
            case .binary(let op, let a, let b) where op.isComparison: isTarget(a) || isTarget(b)
            case .between(let x, _, _, _), .inList(let x, _, _): isTarget(x)
            case .isNull(let x, negated: true): isTarget(x)
            default: false
            }
        }
    }

    /// Aggregates over DISTINCT values: each chunk returns the distinct combinations of the
    /// columns the aggregation reads, and the whole aggregation runs at the merge.
    private func gather(aggregates: [Expression]) throws -> Result {
        let s = bound.statement
        var columns: [Expression] = []
        var index: [String: Int] = [:]
        func note(_ e: Expression) throws {
            var refs: [Expression] = []
            e.visit { if case .column = $0.kind { refs.append($0) } }
            for r in refs {
                let k = try Self.key(r)
                if index[k] == nil {
                    index[k] = columns.count
                    columns.append(r)
                }
            }
        }
        for o in bound.outputs { try note(o.expression) }
        for g in s.groupBy { try note(g) }
        if let h = s.having { try note(h) }
        for o in bound.orderBy { try note(o.expression) }
        if columns.isEmpty { columns.append(.integer(1)) }
        // DISTINCT in the chunks is safe only when every aggregate ignores duplicates.
        let duplicateInsensitive = aggregates.allSatisfy {
            guard case .function(let call) = $0.kind else { return false }
            return call.distinct || call.upperName == "MIN" || call.upperName == "MAX"
        }
        func toMerge(_ e: Expression) throws -> Expression {
            try e.rewrite(intoSubqueries: false) { node in
                if case .column = node.kind, let i = index[try Self.key(node)] { return Self.mergeColumn(i) }
                return nil
            }
        }
        let chunk = SelectStatement(
            quantifier: duplicateInsensitive ? .distinct : nil,
            items: columns.enumerated().map { .expression($1, alias: Self.chunkColumnName($0)) },
            from: s.from, whereClause: s.whereClause)
        let merge = SelectStatement(
            quantifier: s.quantifier, top: s.top,
            items: try bound.outputs.map { .expression(try toMerge($0.expression), alias: nil) },
            from: [Self.mergeTable], groupBy: try s.groupBy.map(toMerge), having: try s.having.map(toMerge))
        return try split(
            chunk: chunk, columns: columns.count, merge: merge, toMerge: toMerge,
            passes: [
                "distinct-aggregate-gather: chunks return \(duplicateInsensitive ? "distinct " : "")values of \(columns.count) column(s); aggregation at the merge"
            ])
    }
}
