import ADQL
import Catalog
import Tabular

/// Name checking for queries the coordinator finishes (WITH, derived tables, set operations,
/// sub-queries): every column reference must name a column of a table of its scope, of an
/// enclosing scope (correlated references), a CTE's or derived table's output column, or (in
/// GROUP BY, HAVING and ORDER BY) a select-list alias. Errors read like the binder's own:
/// `line L, column C: unknown column x; did you mean y?`. Only names are checked here; the
/// parts that distribute are bound in full when they are planned.
extension Binder {
    /// A FROM item of one scope: its correlation name and its columns (nil: not known, e.g. a
    /// table outside the catalog; any name is then accepted).
    struct NamedSource {
        var correlation: String
        var table: TableInfo?
        var columns: [String]?
    }

    struct NameScope {
        var sources: [NamedSource] = []
        var aliases: [String] = []
    }

    func checkCoordinatorNames(_ query: Query) throws {
        _ = try outputNames(of: query, outer: [], ctes: [:])
    }

    /// Checks `query` and returns the names of its result columns (nil when `*` covers a source
    /// of unknown columns).
    private func outputNames(of query: Query, outer: [NameScope], ctes: [String: [String]?]) throws -> [String]? {
        var visible = ctes
        for cte in query.with {
            let names = try outputNames(of: cte.query, outer: outer, ctes: visible)
            visible[cte.name.name.lowercased()] = cte.columnNames.isEmpty ? names : cte.columnNames.map(\.name)
        }
        let (names, scope) = try bodyNames(query.body, outer: outer, ctes: visible)
        for item in query.orderBy {
            let e = item.expression.unparenthesized
            if case .column(let name) = e.kind, name.parts.count == 1,
                (names ?? []).contains(where: { name.parts[0].matches($0) })
            {
                continue
            }
            // ORDER BY of a set operation names result columns; of a SELECT, also its tables.
            guard let scope else {
                if case .column(let name) = e.kind, name.parts.count == 1, names != nil {
                    try checkColumns(
                        item.expression,
                        scopes: [
                            NameScope(sources: [
                                NamedSource(correlation: "", columns: names)
                            ])
                        ], ctes: visible)
                }
                continue
            }
            try checkColumns(item.expression, scopes: [scope] + outer, ctes: visible, aliases: true)
        }
        return names
    }

    /// The result names of a query body, and for a plain SELECT its scope (for ORDER BY).
    private func bodyNames(
        _ body: QueryBody, outer: [NameScope], ctes: [String: [String]?]
    ) throws
        -> ([String]?, NameScope?)
    {
        switch body {
        case .select(let s): return try selectNames(s, outer: outer, ctes: ctes)
        case .setOperation(_, _, let l, let r):
            let left = try bodyNames(l, outer: outer, ctes: ctes).0
            let right = try bodyNames(r, outer: outer, ctes: ctes).0
            return (left ?? right, nil)
        case .nested(let q): return (try outputNames(of: q, outer: outer, ctes: ctes), nil)
        }
    }

    private func selectNames(
        _ s: SelectStatement, outer: [NameScope], ctes: [String: [String]?]
    ) throws
        -> ([String]?, NameScope)
    {
        var scope = NameScope()
        for ref in s.from { try addSources(ref, to: &scope, outer: outer, ctes: ctes) }
        let scopes = [scope] + outer
        for ref in s.from { try checkJoinConditions(ref, scopes: scopes, ctes: ctes) }
        var names: [String]? = []
        for item in s.items {
            switch item {
            case .wildcard:
                for source in scope.sources {
                    if let columns = source.columns { names?.append(contentsOf: columns) } else { names = nil }
                }
            case .qualifiedWildcard(let q, let range):
                guard let source = scope.sources.first(where: { Self.qualifier(q.parts, matches: $0) }) else {
                    throw Self.error("\(q) does not name a table of the FROM clause", at: range)
                }
                if let columns = source.columns { names?.append(contentsOf: columns) } else { names = nil }
            case .expression(let e, let alias):
                try checkColumns(e, scopes: scopes, ctes: ctes)
                names?.append(alias?.name ?? Self.defaultName(of: e))
            }
        }
        for case .expression(_, let alias?) in s.items { scope.aliases.append(alias.name) }
        if let w = s.whereClause { try checkColumns(w, scopes: scopes, ctes: ctes) }
        let withAliases = [scope] + outer
        for g in s.groupBy { try checkColumns(g, scopes: withAliases, ctes: ctes, aliases: true) }
        if let h = s.having { try checkColumns(h, scopes: withAliases, ctes: ctes, aliases: true) }
        return (names, scope)
    }

    private func addSources(
        _ ref: TableReference, to scope: inout NameScope, outer: [NameScope], ctes: [String: [String]?]
    ) throws {
        switch ref {
        case .table(let name, let alias, _):
            if name.parts.count == 1, let columns = ctes[name.parts[0].name.lowercased()] {
                scope.sources.append(NamedSource(correlation: alias?.name ?? name.parts[0].name, columns: columns))
            } else if let info = try? resolveTable(name) {
                scope.sources.append(
                    NamedSource(
                        correlation: alias?.name ?? info.name, table: info,
                        columns: info.columns.map(\.name)))
            } else {
                scope.sources.append(NamedSource(correlation: alias?.name ?? name.last.name))
            }
        case .derived(let q, let alias, _):
            // A derived table sees the enclosing scopes but not its siblings (no LATERAL).
            let columns = try outputNames(of: q, outer: outer, ctes: ctes)
            scope.sources.append(NamedSource(correlation: alias.name, columns: columns))
        case .join(let j):
            try addSources(j.left, to: &scope, outer: outer, ctes: ctes)
            try addSources(j.right, to: &scope, outer: outer, ctes: ctes)
        }
    }

    private func checkJoinConditions(_ ref: TableReference, scopes: [NameScope], ctes: [String: [String]?]) throws {
        guard case .join(let j) = ref else { return }
        try checkJoinConditions(j.left, scopes: scopes, ctes: ctes)
        try checkJoinConditions(j.right, scopes: scopes, ctes: ctes)
        if case .on(let e)? = j.condition { try checkColumns(e, scopes: scopes, ctes: ctes) }
    }

    /// Checks every column reference of `e` (and the sub-queries in it, with this scope as
    /// their enclosing one).
    private func checkColumns(_ e: Expression, scopes: [NameScope], ctes: [String: [String]?], aliases: Bool = false) throws {
        var failure: (any Error)?
        e.walk(intoSubqueries: false) { node in
            guard failure == nil else { return false }
            do {
                if case .column(let name) = node.kind {
                    try checkColumn(name, scopes: scopes, aliases: aliases)
                }
                for q in node.subqueries { _ = try outputNames(of: q, outer: scopes, ctes: ctes) }
            } catch {
                failure = error
            }
            return failure == nil
        }
        if let failure { throw failure }
    }

    private func checkColumn(_ name: QualifiedName, scopes: [NameScope], aliases: Bool) throws {
        let column = name.last
        let qualifier = name.qualifier
        var qualifierFound = qualifier.isEmpty
        for scope in scopes {
            if qualifier.isEmpty, aliases, scope.aliases.contains(where: { column.matches($0) }) { return }
            for source in scope.sources {
                if !qualifier.isEmpty {
                    guard Self.qualifier(qualifier, matches: source) else { continue }
                    qualifierFound = true
                }
                guard let columns = source.columns else { return }
                if columns.contains(where: { column.matches($0) }) { return }
            }
        }
        if !qualifierFound {
            let known = scopes.flatMap { $0.sources.map(\.correlation) }.joined(separator: ", ")
            throw Self.error("\(QualifiedName(qualifier)) does not name a table of the FROM clause (\(known))", at: name.range)
        }
        let known = scopes.flatMap { $0.sources.flatMap { $0.columns ?? [] } }
        let suggestions = Suggestions.closest(to: column.name, in: known)
        var message = "unknown column \(name)"
        if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
        throw Self.error(message, at: name.range)
    }

    static func qualifier(_ q: [Identifier], matches source: NamedSource) -> Bool {
        if let info = source.table {
            return qualifier(q, matches: BoundTable(info: info, correlation: source.correlation))
        }
        return q.count == 1 && q[0].matches(source.correlation)
    }
}
