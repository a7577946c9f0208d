// The grammar's typing rules that a single-pass parser does not enforce by itself.
//
// The parser reads conditions and values with one set of productions (a parenthesis may open
// either, and a function argument may be either), so a parsed query can hold a number where
// the grammar wants a condition (`WHERE 1`, `WHERE CONTAINS(p, c)`) or a geometry where it
// wants a number or a string (`POINT(1, 2) || 'x'`). This walk, run on every parsed query,
// rejects those with the position of the offending expression. It classifies expressions from
// their form only; a column's or a user-defined function's type is the binder's to check.

/// What an expression is, as far as its form tells.
enum ExpressionShape {
    /// A search condition: comparison, AND/OR/NOT, BETWEEN, IN, LIKE, IS NULL, EXISTS, TRUE/FALSE.
    case condition
    /// POINT, CIRCLE, BOX, POLYGON, REGION, CENTROID or a CAST to a geometry.
    case geometry
    /// A number or a string written as such: a literal, arithmetic, a built-in scalar function.
    case value
    /// A column, a user-defined function, a sub-query or a CASE: decided after binding.
    case unknown
}

struct GrammarCheck {
    private let stackGuard = StackGuard()

    /// Checks `query` and every query inside it.
    static func check(_ query: Query) throws(ADQLError) {
        do {
            try GrammarCheck().check(query)
        } catch {
            throw error as? ADQLError ?? ADQLError(.syntax, "\(error)")
        }
    }

    private func check(_ query: Query) throws {
        for cte in query.with { try check(cte.query) }
        try check(query.body)
        for item in query.orderBy { try value(item.expression) }
    }

    private func check(_ body: QueryBody) throws {
        switch body {
        case .select(let select): try check(select)
        case .setOperation(_, _, let left, let right):
            try check(left)
            try check(right)
        case .nested(let query): try check(query)
        }
    }

    private func check(_ select: SelectStatement) throws {
        for item in select.items {
            if case .expression(let e, _) = item { try value(e) }
        }
        for table in select.from { try check(table) }
        if let condition = select.whereClause { try self.condition(condition, clause: "WHERE") }
        for e in select.groupBy { try value(e) }
        if let condition = select.having { try self.condition(condition, clause: "HAVING") }
    }

    private func check(_ table: TableReference) throws {
        switch table {
        case .table: return
        case .derived(let query, _, _): try check(query)
        case .join(let join):
            try check(join.left)
            try check(join.right)
            if case .on(let condition) = join.condition { try self.condition(condition, clause: "ON") }
        }
    }

    /// `e` stands where the grammar wants a search condition (after `clause`).
    private func condition(_ e: Expression, clause: String) throws {
        try walk(e)
        try requireCondition(e, clause: clause)
    }

    /// `e` stands where the grammar wants a value (a select item, a sort or group key).
    private func value(_ e: Expression) throws {
        try walk(e)
    }

    private func requireCondition(_ e: Expression, clause: String) throws {
        let shape = Self.shape(of: e)
        guard shape == .value || shape == .geometry else { return }
        let inner = e.unparenthesized
        if case .function(let f) = inner.kind, f.upperName == "CONTAINS" || f.upperName == "INTERSECTS" {
            throw ADQLError.syntax(
                at: e.range.start, found: f.name.name, expected: ["condition"],
                message: "\(f.upperName)(...) is a number (1 or 0), not a condition: "
                    + "compare it with 1, e.g. \(f.upperName)(...) = 1, in \(clause)")
        }
        throw ADQLError.syntax(
            at: e.range.start, found: nil, expected: ["condition"],
            message: "\(clause) needs a condition (a comparison, BETWEEN, IN, LIKE, IS NULL or EXISTS), "
                + "found \(Self.describe(inner))")
    }

    /// Visits every node of `e`, applying the rules at each operator, and every query inside it.
    private func walk(_ e: Expression) throws {
        if stackGuard.isExhausted() {
            throw ADQLError(.syntax, "expression nested too deeply to check", range: e.range)
        }
        switch e.kind {
        case .binary(let op, let left, let right):
            switch op {
            case .and, .or:
                try requireCondition(left, clause: op.rawValue)
                try requireCondition(right, clause: op.rawValue)
            case .add, .subtract, .multiply, .divide, .concatenate:
                try rejectGeometry(left, operator: op.rawValue)
                try rejectGeometry(right, operator: op.rawValue)
            default: break
            }
        case .unary(let op, let operand):
            try rejectGeometry(operand, operator: "unary " + op.rawValue)
        case .not(let operand):
            try requireCondition(operand, clause: "NOT")
        case .caseWhen(let operand, let whens, _) where operand == nil:
            for when in whens { try requireCondition(when.condition, clause: "WHEN") }
        default: break
        }
        try e.forEachChild(walk)
        for query in e.subqueries { try check(query) }
    }

    private func rejectGeometry(_ e: Expression, operator op: String) throws {
        guard Self.shape(of: e) == .geometry else { return }
        throw ADQLError.syntax(
            at: e.range.start, found: nil, expected: [],
            message: "\(op) cannot take a geometry: \(Self.geometryName(e.unparenthesized)) is not a number or a string "
                + "(COORD1, COORD2, AREA or DISTANCE give numbers from geometries)")
    }

    static func shape(of e: Expression) -> ExpressionShape {
        switch e.kind {
        case .parenthesized(let inner): return shape(of: inner)
        case .binary(let op, _, _):
            return op.isComparison || op == .and || op == .or ? .condition : .value
        case .not, .between, .inList, .inSubquery, .exists, .isNull, .like: return .condition
        case .literal(.boolean): return .condition
        case .literal: return .value
        case .unary: return .value
        case .cast(_, let type):
            switch type {
            case .point, .circle, .polygon, .region: return .geometry
            default: return .value
            }
        case .function(let f):
            if geometryValued.contains(f.upperName) { return .geometry }
            return ADQLKeywords.functionArity[f.upperName] != nil ? .value : .unknown
        case .column, .scalarSubquery, .caseWhen: return .unknown
        }
    }

    private static let geometryValued: Set<String> = ["POINT", "CIRCLE", "BOX", "POLYGON", "REGION", "CENTROID"]

    /// `POINT(...)`, `CAST(... AS POINT)`: a geometry-valued expression, for messages.
    static func geometryName(_ e: Expression) -> String {
        switch e.kind {
        case .function(let f): return "\(f.upperName)(...)"
        case .cast(_, .point): return "CAST(... AS POINT)"
        case .cast(_, .circle): return "CAST(... AS CIRCLE)"
        case .cast(_, .polygon): return "CAST(... AS POLYGON)"
        case .cast(_, .region): return "CAST(... AS REGION)"
        default: return "a geometry"
        }
    }

    /// A short name for what `e` is, for messages.
    static func describe(_ e: Expression) -> String {
        switch e.kind {
        case .literal(.integer(let v)): return "the number \(v)"
        case .literal(.real(_, let text)): return "the number \(text)"
        case .literal(.string): return "a string"
        case .literal(.null): return "NULL"
        case .function(let f):
            return geometryValued.contains(f.upperName) ? "\(f.upperName)(...), a geometry" : "\(f.upperName)(...), a value"
        case .cast: return shape(of: e) == .geometry ? geometryName(e) + ", a geometry" : "a CAST"
        case .binary(.concatenate, _, _): return "a string concatenation"
        case .binary, .unary: return "an arithmetic expression"
        default: return "a value"
        }
    }
}
