// Parser: search conditions — OR, AND, NOT and the predicates (comparisons, IS NULL, BETWEEN,
// IN with a list or a sub-query, LIKE / ILIKE), with the operator spellings of each level.

extension Parser {
    /// search_condition := boolean_term { OR boolean_term }
    /// boolean_term := boolean_factor { AND boolean_factor }
    /// `level` is `.or` for a search condition, `.and` for a boolean term.
    mutating func parseSearchCondition(_ level: BinaryOperator = .or) throws -> Expression {
        var left = try level == .or ? parseSearchCondition(.and) : parseBooleanFactor()
        var steps = 0
        defer { depth -= steps }
        while acceptWord(level == .or ? "OR" : "AND") {
            steps += 1
            try chainStep()
            let right = try level == .or ? parseSearchCondition(.and) : parseBooleanFactor()
            left = Expression(.binary(level, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// boolean_factor := NOT boolean_factor | predicate
    private mutating func parseBooleanFactor() throws -> Expression {
        guard current.isWord("NOT") else { return try parsePredicate() }
        let start = current.start
        try enter()
        defer { leave() }
        advance()
        let operand = try parseBooleanFactor()
        return Expression(.not(operand), range: range(from: start))
    }

    /// predicate := value_expression [ comparison | IS [ NOT ] NULL | [ NOT ] BETWEEN ... AND ...
    ///              | [ NOT ] IN in_values | [ NOT ] ( LIKE | ILIKE ) value_expression ]
    private mutating func parsePredicate() throws -> Expression {
        let left = try parseValueExpression()
        let start = left.range.start
        if current.kind == .symbol, let op = Parser.comparisonOperator(current) {
            advance()
            if current.isWord("ANY") || current.isWord("ALL") || current.isWord("SOME") {
                throw quantifiedComparisonError()
            }
            let right = try parseValueExpression()
            return Expression(.binary(op, left, right), range: range(from: start))
        }
        if acceptWord("IS") {
            let negated = acceptWord("NOT")
            guard current.isWord("NULL") else { throw error(expected: negated ? ["NULL"] : ["NULL", "NOT"]) }
            advance()
            return Expression(.isNull(left, negated: negated), range: range(from: start))
        }
        var negated = false
        if current.isWord("NOT") {
            let next = self[ahead: 1]
            guard next.isWord("BETWEEN") || next.isWord("IN") || next.isWord("LIKE") || next.isWord("ILIKE") else {
                advance()
                throw error(expected: ["BETWEEN", "IN", "LIKE", "ILIKE"])
            }
            advance()
            negated = true
        }
        if acceptWord("BETWEEN") {
            let low = try parseValueExpression()
            try expectWord("AND")
            let high = try parseValueExpression()
            return Expression(.between(left, low: low, high: high, negated: negated), range: range(from: start))
        }
        if acceptWord("IN") {
            return try parseInTail(left, negated: negated)
        }
        if current.isWord("LIKE") || current.isWord("ILIKE") {
            let insensitive = current.isWord("ILIKE")
            advance()
            let pattern = try parseValueExpression()
            return Expression(
                .like(left, pattern: pattern, negated: negated, caseInsensitive: insensitive),
                range: range(from: start))
        }
        return left
    }

    @inline(never)
    private func quantifiedComparisonError() -> ADQLError {
        error(
            at: current,
            message: "\(upper(current)) comparisons with a sub-query are not part of ADQL; "
                + "use IN, EXISTS or a sub-query with MIN/MAX instead")
    }

    // Operator spellings by level, from the symbol's key (no String is read).
    static func additiveOperator(_ symbol: Token) -> BinaryOperator? {
        if symbol.isSymbol("+") { return .add }
        if symbol.isSymbol("-") { return .subtract }
        if symbol.isSymbol("||") { return .concatenate }
        return nil
    }

    static func multiplicativeOperator(_ symbol: Token) -> BinaryOperator? {
        if symbol.isSymbol("*") { return .multiply }
        if symbol.isSymbol("/") { return .divide }
        return nil
    }

    private static func comparisonOperator(_ symbol: Token) -> BinaryOperator? {
        guard symbol.kind == .symbol else { return nil }
        if symbol.keyLength == 1 {
            if symbol.isSymbol("=") { return .equal }
            if symbol.isSymbol("<") { return .less }
            if symbol.isSymbol(">") { return .greater }
            return nil
        }
        if symbol.isSymbol("<>") || symbol.isSymbol("!=") { return .notEqual }
        if symbol.isSymbol("<=") { return .lessOrEqual }
        if symbol.isSymbol(">=") { return .greaterOrEqual }
        return nil
    }

    /// in_values := "(" query ")" | "(" value_expression { "," value_expression } ")"
    @inline(never)
    private mutating func parseInTail(_ left: Expression, negated: Bool) throws -> Expression {
        let start = left.range.start
        guard current.isSymbol("(") else { throw error(expected: ["\"(\""]) }
        func subquery(_ p: inout Parser) throws -> Expression {
            Expression(.inSubquery(left, try p.parseQueryInParentheses(), negated: negated), range: p.range(from: start))
        }
        if self[ahead: 1].isWord("SELECT") || self[ahead: 1].isWord("WITH") { return try subquery(&self) }
        if parenthesisOpensQuery() && !failedQueryAttempts.contains(pos) {
            return try parseSpeculatively(subquery, else: { try $0.parseInList(left, negated: negated) })
        }
        return try parseInList(left, negated: negated)
    }

    private mutating func parseInList(_ left: Expression, negated: Bool) throws -> Expression {
        let start = left.range.start
        try expectSymbol("(")
        let values = try parseCommaList { try $0.parseValueExpression() }
        try expectSymbol(")")
        return Expression(.inList(left, values, negated: negated), range: range(from: start))
    }
}
