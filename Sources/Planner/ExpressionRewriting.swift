import ADQL

extension Expression {
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
