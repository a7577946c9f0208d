import ADQL

extension Expression {
    /// Rebuilds the expression top-down: where `transform` returns a replacement, that node is
    /// replaced (and not descended into); elsewhere the children are rewritten. Sub-queries are
    /// not entered: they belong to another scope.
    func rewritten(_ transform: (Expression) throws -> Expression?) rethrows -> Expression {
        if let replacement = try transform(self) { return replacement }
        func r(_ e: Expression) throws -> Expression { try e.rewritten(transform) }
        let kind: ExpressionKind
        switch self.kind {
        case .literal, .column, .exists, .scalarSubquery:
            return self
        case .unary(let op, let e): kind = .unary(op, try r(e))
        case .binary(let op, let a, let b): kind = .binary(op, try r(a), try r(b))
        case .not(let e): kind = .not(try r(e))
        case .function(var call):
            call.arguments = try call.arguments.map(r)
            kind = .function(call)
        case .cast(let e, let type): kind = .cast(try r(e), type)
        case .caseWhen(let operand, let whens, let elseResult):
            kind = .caseWhen(
                operand: try operand.map(r),
                whens: try whens.map { WhenClause(condition: try r($0.condition), result: try r($0.result)) },
                elseResult: try elseResult.map(r))
        case .between(let e, let low, let high, let negated):
            kind = .between(try r(e), low: try r(low), high: try r(high), negated: negated)
        case .inList(let e, let list, let negated): kind = .inList(try r(e), try list.map(r), negated: negated)
        case .inSubquery(let e, let q, let negated): kind = .inSubquery(try r(e), q, negated: negated)
        case .isNull(let e, let negated): kind = .isNull(try r(e), negated: negated)
        case .like(let e, let pattern, let negated, let ci):
            kind = .like(try r(e), pattern: try r(pattern), negated: negated, caseInsensitive: ci)
        case .parenthesized(let e): kind = .parenthesized(try r(e))
        }
        return Expression(kind, range: range)
    }

    /// Visits every node (pre-order), not entering sub-queries.
    func visit(_ body: (Expression) throws -> Void) rethrows {
        // A plain walk: nothing is rebuilt (planning visits every expression several times).
        try body(self)
        try forEachChild { try $0.visit(body) }
    }

    /// Whether this node is a call of an aggregate function.
    var isAggregateCall: Bool {
        // Aggregate names are 3 to 5 letters: longer names skip the hash.
        if case .function(let call) = kind {
            return call.upperName.utf8.count <= 5 && Self.aggregateNames.contains(call.upperName)
        }
        return false
    }

    var containsAggregate: Bool { contains(where: { $0.isAggregateCall }) }

    var containsSubquery: Bool { contains(where: { $0.isSubqueryNode }) }

    /// Whether this node is a sub-query (EXISTS, IN, scalar): `!subqueries.isEmpty` without the array.
    var isSubqueryNode: Bool {
        switch kind {
        case .exists, .scalarSubquery, .inSubquery: true
        default: false
        }
    }

    static let aggregateNames: Set<String> = ["COUNT", "SUM", "AVG", "MIN", "MAX"]

    static func integer(_ value: Int64) -> Expression { Expression(.literal(.integer(value))) }
}
