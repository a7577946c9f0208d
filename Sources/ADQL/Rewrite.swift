// Generic traversal and rewriting of the AST, for the binder and planner.
//
// Expression.rewrite / Query.rewriteExpressions are top-down: the transform sees a node first; if
// it returns a replacement that replacement is used as is (not visited again), otherwise the
// node's children are rewritten. Sub-queries inside expressions (IN, EXISTS, scalar) are entered
// unless `intoSubqueries` is false.

extension Expression {
    /// The direct sub-expressions (not those inside sub-queries).
    public var children: [Expression] {
        if case .function(let f) = kind { return f.arguments }
        var out: [Expression] = []
        forEachChild { out.append($0) }
        return out
    }

    /// Calls `body` with each child in `children` order, without building the array (walks
    /// visit every node of every expression several times per plan).
    @inline(__always)
    public func forEachChild(_ body: (Expression) throws -> Void) rethrows {
        switch kind {
        case .literal, .column, .exists, .scalarSubquery: return
        case .unary(_, let e), .not(let e), .cast(let e, _), .isNull(let e, _), .parenthesized(let e),
            .inSubquery(let e, _, _):
            try body(e)
        case .binary(_, let l, let r), .like(let l, let r, _, _):
            try body(l)
            try body(r)
        case .function(let f):
            for a in f.arguments { try body(a) }
        case .caseWhen(let operand, let whens, let elseResult):
            if let operand { try body(operand) }
            for w in whens {
                try body(w.condition)
                try body(w.result)
            }
            if let elseResult { try body(elseResult) }
        case .between(let v, let low, let high, _):
            try body(v)
            try body(low)
            try body(high)
        case .inList(let v, let list, _):
            try body(v)
            for x in list { try body(x) }
        }
    }

    /// The sub-queries directly inside this expression node.
    public var subqueries: [Query] {
        switch kind {
        case .inSubquery(_, let q, _), .exists(let q), .scalarSubquery(let q): return [q]
        default: return []
        }
    }

    /// Rewrites this expression top-down (see the file comment).
    public func rewrite(
        intoSubqueries: Bool = true, _ transform: (Expression) throws -> Expression?
    ) rethrows -> Expression {
        if let replaced = try transform(self) { return replaced }
        func r(_ e: Expression) throws -> Expression { try e.rewrite(intoSubqueries: intoSubqueries, transform) }
        func q(_ query: Query) throws -> Query {
            intoSubqueries ? try query.rewriteExpressions(transform) : query
        }
        let newKind: ExpressionKind
        switch kind {
        case .literal, .column: return self
        case .unary(let op, let e): newKind = .unary(op, try r(e))
        case .binary(let op, let a, let b): newKind = .binary(op, try r(a), try r(b))
        case .not(let e): newKind = .not(try r(e))
        case .function(var f):
            f.arguments = try f.arguments.map(r)
            newKind = .function(f)
        case .cast(let e, let type): newKind = .cast(try r(e), type)
        case .caseWhen(let operand, let whens, let elseResult):
            newKind = .caseWhen(
                operand: try operand.map(r),
                whens: try whens.map { WhenClause(condition: try r($0.condition), result: try r($0.result)) },
                elseResult: try elseResult.map(r))
        case .between(let v, let low, let high, let negated):
            newKind = .between(try r(v), low: try r(low), high: try r(high), negated: negated)
        case .inList(let v, let list, let negated): newKind = .inList(try r(v), try list.map(r), negated: negated)
        case .inSubquery(let v, let query, let negated): newKind = .inSubquery(try r(v), try q(query), negated: negated)
        case .exists(let query): newKind = .exists(try q(query))
        case .scalarSubquery(let query): newKind = .scalarSubquery(try q(query))
        case .isNull(let e, let negated): newKind = .isNull(try r(e), negated: negated)
        case .like(let v, let p, let negated, let ci):
            newKind = .like(try r(v), pattern: try r(p), negated: negated, caseInsensitive: ci)
        case .parenthesized(let e): newKind = .parenthesized(try r(e))
        }
        return Expression(newKind, range: range)
    }

    /// Visits this expression and its descendants in pre-order. Return false from `visit` to skip
    /// a node's children. Sub-queries are entered unless `intoSubqueries` is false.
    public func walk(intoSubqueries: Bool = true, _ visit: (Expression) throws -> Bool) rethrows {
        guard try visit(self) else { return }
        try forEachChild { try $0.walk(intoSubqueries: intoSubqueries, visit) }
        if intoSubqueries {
            for query in subqueries { try query.walkExpressions(visit) }
        }
    }

    /// Whether any node (this one included) satisfies `predicate`.
    public func contains(intoSubqueries: Bool = false, where predicate: (Expression) throws -> Bool) rethrows -> Bool {
        var found = false
        try walk(intoSubqueries: intoSubqueries) { e in
            if found { return false }
            if try predicate(e) { found = true }
            return !found
        }
        return found
    }

    /// The expression without any enclosing user parentheses.
    public var unparenthesized: Expression {
        var e = self
        while case .parenthesized(let inner) = e.kind { e = inner }
        return e
    }

    /// The operands of a chain of ANDs (`a AND (b AND c)` → [a, b, c]), looking through
    /// parentheses; a single-element array for anything else.
    public var conjuncts: [Expression] {
        var out: [Expression] = []
        var stack = [self]
        while let e = stack.popLast() {
            let u = e.unparenthesized
            if case .binary(.and, let l, let r) = u.kind {
                stack.append(r)
                stack.append(l)
            } else {
                out.append(e)
            }
        }
        return out
    }

    /// `a AND b AND ...` of the given expressions, or nil for none.
    public static func and(_ terms: [Expression]) -> Expression? {
        guard var result = terms.first else { return nil }
        for t in terms.dropFirst() {
            let right = Precedence.of(t) <= .and ? Expression(.parenthesized(t), range: t.range) : t
            let left = Precedence.of(result) < .and ? Expression(.parenthesized(result), range: result.range) : result
            result = Expression(.binary(.and, left, right), range: .synthesized)
        }
        return result
    }
}

extension SelectStatement {
    /// Applies `transform` (via `Expression.rewrite`) to every expression of this SELECT:
    /// items, join conditions, WHERE, GROUP BY, HAVING; derived tables are entered.
    public func rewriteExpressions(_ transform: (Expression) throws -> Expression?) rethrows -> SelectStatement {
        var s = self
        s.items = try items.map { item in
            if case .expression(let e, let alias) = item {
                return .expression(try e.rewrite(transform), alias: alias)
            }
            return item
        }
        s.from = try from.map { try $0.rewriteExpressions(transform) }
        s.whereClause = try whereClause?.rewrite(transform)
        s.groupBy = try groupBy.map { try $0.rewrite(transform) }
        s.having = try having?.rewrite(transform)
        return s
    }

    /// Visits every expression of this SELECT (see `Expression.walk`).
    public func walkExpressions(_ visit: (Expression) throws -> Bool) rethrows {
        // By index: a `for item in items` copied each whole item (its alias too) first.
        for i in items.indices {
            switch items[i] {
            case .expression(let e, _): try e.walk(visit)
            case .wildcard, .qualifiedWildcard: break
            }
        }
        for t in from { try t.walkExpressions(visit) }
        try whereClause?.walk(visit)
        for e in groupBy { try e.walk(visit) }
        try having?.walk(visit)
    }
}

extension TableReference {
    public func rewriteExpressions(_ transform: (Expression) throws -> Expression?) rethrows -> TableReference {
        switch self {
        case .table: return self
        case .derived(let q, let alias, let range):
            return .derived(try q.rewriteExpressions(transform), alias: alias, range: range)
        case .join(var j):
            j.left = try j.left.rewriteExpressions(transform)
            j.right = try j.right.rewriteExpressions(transform)
            if case .on(let e)? = j.condition { j.condition = .on(try e.rewrite(transform)) }
            return .join(j)
        }
    }

    public func walkExpressions(_ visit: (Expression) throws -> Bool) rethrows {
        switch self {
        case .table: return
        case .derived(let q, _, _): try q.walkExpressions(visit)
        case .join(let j):
            try j.left.walkExpressions(visit)
            try j.right.walkExpressions(visit)
            if case .on(let e)? = j.condition { try e.walk(visit) }
        }
    }

    /// Rewrites the leaves (`.table` and `.derived`) of this FROM item bottom-up; return nil to
    /// keep a leaf. Derived tables are not entered.
    public func rewriteLeaves(_ transform: (TableReference) throws -> TableReference?) rethrows -> TableReference {
        switch self {
        case .table, .derived:
            return try transform(self) ?? self
        case .join(var j):
            j.left = try j.left.rewriteLeaves(transform)
            j.right = try j.right.rewriteLeaves(transform)
            return .join(j)
        }
    }

    /// The `.table` and `.derived` leaves in left-to-right order.
    public var leaves: [TableReference] {
        switch self {
        case .table, .derived: return [self]
        case .join(let j): return j.left.leaves + j.right.leaves
        }
    }
}

extension QueryBody {
    /// The SELECT statements of this body (all operands of set operations; nested queries'
    /// bodies included, their CTEs not).
    public var selects: [SelectStatement] {
        switch self {
        case .select(let s): return [s]
        case .setOperation(_, _, let l, let r): return l.selects + r.selects
        case .nested(let q): return q.body.selects
        }
    }

    /// Rewrites every SELECT statement of this body (see `selects`).
    public func rewriteSelects(_ transform: (SelectStatement) throws -> SelectStatement) rethrows -> QueryBody {
        switch self {
        case .select(let s): return .select(try transform(s))
        case .setOperation(let op, let all, let l, let r):
            return .setOperation(op, all: all, left: try l.rewriteSelects(transform), right: try r.rewriteSelects(transform))
        case .nested(var q):
            q.body = try q.body.rewriteSelects(transform)
            return .nested(q)
        }
    }
}

extension Query {
    /// Applies `transform` to every expression anywhere in this query: CTEs, every SELECT of the
    /// body, derived tables, sub-queries, ORDER BY.
    public func rewriteExpressions(_ transform: (Expression) throws -> Expression?) rethrows -> Query {
        var q = self
        q.with = try with.map { cte in
            var c = cte
            c.query = try cte.query.rewriteExpressions(transform)
            return c
        }
        q.body = try rewriteBody(body, transform)
        q.orderBy = try orderBy.map { item in
            var i = item
            i.expression = try item.expression.rewrite(transform)
            return i
        }
        return q
    }

    private func rewriteBody(_ b: QueryBody, _ transform: (Expression) throws -> Expression?) rethrows -> QueryBody {
        switch b {
        case .select(let s): return .select(try s.rewriteExpressions(transform))
        case .setOperation(let op, let all, let l, let r):
            return .setOperation(op, all: all, left: try rewriteBody(l, transform), right: try rewriteBody(r, transform))
        case .nested(let q): return .nested(try q.rewriteExpressions(transform))
        }
    }

    /// Visits every expression anywhere in this query (see `rewriteExpressions`), pre-order.
    public func walkExpressions(_ visit: (Expression) throws -> Bool) rethrows {
        for cte in with { try cte.query.walkExpressions(visit) }
        try Query.walkBody(body, visit)
        for item in orderBy { try item.expression.walk(visit) }
    }

    private static func walkBody(_ b: QueryBody, _ visit: (Expression) throws -> Bool) rethrows {
        switch b {
        case .select(let s): try s.walkExpressions(visit)
        case .setOperation(_, _, let l, let r):
            try walkBody(l, visit)
            try walkBody(r, visit)
        case .nested(let q): try q.walkExpressions(visit)
        }
    }
}

/// `Expression` under a name that cannot clash with `Foundation.Expression` (Swift 6 Foundation
/// declares one), for files that import both modules.
public typealias ADQLExpression = Expression
