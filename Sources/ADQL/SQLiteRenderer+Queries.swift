// SQLiteRenderer: queries — WITH, compound SELECTs (SQLite has no parentheses there; INTERSECT
// ALL and EXCEPT ALL, which it lacks, are emulated), SELECT statements and FROM items.

extension SQLiteRenderer {
    public func render(_ query: Query) throws -> String {
        if case .nested(let inner) = query.body, query.with.isEmpty, query.orderBy.isEmpty, query.offset == nil {
            return try render(inner)
        }
        var out = ""
        if !query.with.isEmpty {
            out += "WITH "
            for (i, cte) in query.with.enumerated() {
                if i > 0 { out += ", " }
                out += SQLiteRenderer.quoteIdentifier(cte.name.name)
                if !cte.columnNames.isEmpty {
                    out += "(" + cte.columnNames.map { SQLiteRenderer.quoteIdentifier($0.name) }.joined(separator: ", ") + ")"
                }
                out += " AS (" + (try render(cte.query)) + ")"
            }
            out += " "
        }
        var limit: Int?
        switch query.body {
        case .select(let s):
            out += try selectCore(s)
            limit = s.top
        default:
            out += try compoundMember(query.body, position: .left)
        }
        if !query.orderBy.isEmpty {
            out += " ORDER BY "
            out += try query.orderBy.map { item in
                try render(item.expression) + (item.descending ? " DESC" : "")
            }.joined(separator: ", ")
        }
        if let limit {
            out += " LIMIT \(limit)"
        } else if query.offset != nil {
            out += " LIMIT -1"
        }
        if let offset = query.offset { out += " OFFSET \(offset)" }
        return out
    }

    private enum MemberPosition { case left, right }

    /// A query body as an operand of a compound SELECT. SQLite has no parentheses there and
    /// evaluates compound operators left to right, so anything else is wrapped in a sub-query.
    private func compoundMember(_ body: QueryBody, position: MemberPosition) throws -> String {
        switch body {
        case .select(let s):
            if let top = s.top { return "SELECT * FROM (" + (try selectCore(s)) + " LIMIT \(top))" }
            return try selectCore(s)
        case .nested(let q):
            return "SELECT * FROM (" + (try render(q)) + ")"
        case .setOperation(let op, true, let left, let right) where op != .union:
            return try multisetOperation(op, left, right)
        case .setOperation(let op, let all, let left, let right):
            let sql =
                try compoundMember(left, position: .left) + " " + op.rawValue + (all ? " ALL " : " ")
                + (try compoundMember(right, position: .right))
            return position == .left ? sql : "SELECT * FROM (" + sql + ")"
        }
    }

    /// `left INTERSECT ALL right` / `left EXCEPT ALL right`, which SQLite lacks, with exact
    /// multiset semantics: each row of a side is numbered among its duplicates
    /// (`ROW_NUMBER() OVER (PARTITION BY every column)`), so that plain INTERSECT / EXCEPT on
    /// (row, number) keeps min(m, n) / max(m - n, 0) copies of a row that occurs m times on the
    /// left and n times on the right (NULLs are equal here, as in SQL set operations). Columns
    /// are addressed by position through a zero-row first member that names them; another
    /// zero-row member made of the left side gives the result the left side's column names.
    private func multisetOperation(_ op: SetOperator, _ left: QueryBody, _ right: QueryBody) throws -> String {
        guard let width = columnCount(left) ?? columnCount(right) else {
            throw ADQLError(
                .unsupported,
                "\(op.rawValue) ALL needs to know how many columns its operands have: give one operand a select list without * (or with * over tables and derived tables, not USING or NATURAL joins)"
            )
        }
        let columns = (1...width).map { SQLiteRenderer.quoteIdentifier("adql_c\($0)") }
        let list = columns.joined(separator: ", ")
        let naming = "SELECT " + columns.map { "NULL AS " + $0 }.joined(separator: ", ") + " WHERE 0"
        func numbered(_ body: QueryBody) throws -> String {
            "SELECT \(list), ROW_NUMBER() OVER (PARTITION BY \(list)) AS \"adql_n\" FROM (" + naming
                + " UNION ALL SELECT * FROM (" + (try compoundMember(body, position: .left)) + "))"
        }
        let leftSQL = try compoundMember(left, position: .left)
        return "SELECT * FROM (SELECT * FROM (" + leftSQL + ") WHERE 0 UNION ALL SELECT \(list) FROM ("
            + (try numbered(left)) + " " + op.rawValue + " " + (try numbered(right)) + "))"
    }

    /// The number of columns of a query body (nil when unknown): from its select list, where
    /// `*` counts the columns of derived tables and of the tables the dialect knows; joins with
    /// USING or NATURAL (which merge columns) are not counted.
    func columnCount(_ body: QueryBody) -> Int? {
        switch body {
        case .select(let s):
            var widths: [(correlation: String, width: Int)] = []
            func collect(_ ref: TableReference) -> Bool {
                switch ref {
                case .table(let name, let alias, _):
                    guard let w = dialect.tableWidth(name) else { return false }
                    widths.append(((alias ?? name.last).name, w))
                    return true
                case .derived(let q, let alias, _):
                    guard let w = columnCount(q.body) else { return false }
                    widths.append((alias.name, w))
                    return true
                case .join(let j):
                    if j.natural { return false }
                    if case .using? = j.condition { return false }
                    return collect(j.left) && collect(j.right)
                }
            }
            var total = 0
            var collected: Bool?
            for item in s.items {
                if case .expression = item {
                    total += 1
                    continue
                }
                if collected == nil { collected = s.from.allSatisfy(collect) }
                guard collected == true else { return nil }
                switch item {
                case .qualifiedWildcard(let q, _):
                    guard let t = widths.first(where: { q.last.matches($0.correlation) }) else { return nil }
                    total += t.width
                default:
                    total += widths.reduce(0) { $0 + $1.width }
                }
            }
            return total
        case .setOperation(_, _, let l, let r): return columnCount(l) ?? columnCount(r)
        case .nested(let q): return columnCount(q.body)
        }
    }

    private func selectCore(_ s: SelectStatement) throws -> String {
        // One buffer for the whole statement: a select list of a hundred columns is a hundred
        // appends, not a hundred strings joined.
        var out = SQLBuffer(capacity: 64 + 48 * s.items.count)
        out += "SELECT "
        if s.quantifier == .distinct { out += "DISTINCT " }
        // By index: the items are read in place, not copied.
        for i in s.items.indices {
            if i > 0 { out += ", " }
            switch s.items[i] {
            case .wildcard: out += "*"
            case .qualifiedWildcard(let name, _):
                out += try dialect.wildcardQualifier(name, renderer: self) + ".*"
            case .expression(let e, let alias):
                try append(e, to: &out)
                if let alias {
                    out += " AS "
                    SQLiteRenderer.appendQuotedIdentifier(alias.name, to: &out)
                }
            }
        }
        if !s.from.isEmpty {
            out += " FROM " + (try s.from.map(table).joined(separator: ", "))
        }
        if let w = s.whereClause {
            out += " WHERE "
            try append(w, to: &out)
        }
        if !s.groupBy.isEmpty {
            out += " GROUP BY "
            try appendList(s.groupBy, to: &out)
        }
        if let h = s.having {
            out += " HAVING "
            try append(h, to: &out)
        }
        return out.string
    }

    /// Renders one FROM item.
    public func table(_ t: TableReference) throws -> String {
        switch t {
        case .table(let name, let alias, _):
            return try dialect.tableReference(name, alias: alias, renderer: self)
        case .derived(let q, let alias, _):
            return "(" + (try render(q)) + ") AS " + SQLiteRenderer.quoteIdentifier(alias.name)
        case .join(let j):
            var out = try table(j.left) + " "
            if j.natural { out += "NATURAL " }
            switch j.kind {
            case .inner: out += "JOIN "
            case .left: out += "LEFT JOIN "
            case .right: out += "RIGHT JOIN "
            case .full: out += "FULL JOIN "
            case .cross: out += "CROSS JOIN "
            }
            if case .join = j.right {
                out += "(" + (try table(j.right)) + ")"
            } else {
                out += try table(j.right)
            }
            switch j.condition {
            case .on(let e)?: out += " ON " + (try render(e))
            case .using(let columns)?:
                out += " USING (" + columns.map { SQLiteRenderer.quoteIdentifier($0.name) }.joined(separator: ", ") + ")"
            case nil: break
            }
            return out
        }
    }
}
