// Parser: value expressions — arithmetic levels, literals, column references, parenthesised
// expressions and scalar sub-queries, EXISTS, CASE and CAST.

extension Parser {
    /// value_expression := term { ( "+" | "-" | "||" ) term }
    mutating func parseValueExpression() throws -> Expression {
        // A lone literal or name (most comparison operands): straight to the primary, past the
        // levels that would find no operator and return it unchanged.
        if loneOperandLength != nil { return try parsePrimary() }
        return try parseLeftAssociative(Self.additiveOperator) { try $0.parseTerm() }
    }

    /// When the current token starts a literal or a (possibly qualified) column name that no
    /// arithmetic operator or call continues, the number of tokens it spans: then
    /// `parseValueExpression` would return `parsePrimary()` as it is. nil otherwise.
    var loneOperandLength: Int? {
        var length = 1
        switch current.kind {
        case .integer, .real, .string: break
        case .word where !current.isReservedWord, .delimitedIdentifier:
            while self[ahead: length].isSymbolByte(46), self[ahead: length + 1].isIdentifier { length += 2 }
        default: return nil
        }
        // Integer tests on the next symbol's first byte: + - * / || ( . continue the operand.
        let next = self[ahead: length]
        guard next.kind == .symbol else { return length }
        switch UInt8(truncatingIfNeeded: next.key.0) {
        case 43, 45, 42, 47, 124, 40, 46: return nil
        default: return length
        }
    }

    /// term := factor { ( "*" | "/" ) factor }
    private mutating func parseTerm() throws -> Expression {
        try parseLeftAssociative(Self.multiplicativeOperator) { try $0.parseFactor() }
    }

    /// `operand { op operand }` for the symbol operators in `operators`, folded to the left. Each
    /// step counts towards the depth limit, since the tree deepens with every operator.
    private mutating func parseLeftAssociative(
        _ operators: (Token) -> BinaryOperator?, operand: (inout Parser) throws -> Expression
    ) throws -> Expression {
        var left = try operand(&self)
        var steps = 0
        defer { depth -= steps }
        while current.kind == .symbol, let op = operators(current) {
            advance()
            steps += 1
            try chainStep()
            let right = try operand(&self)
            left = Expression(.binary(op, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// factor := ( "+" | "-" ) factor | primary
    private mutating func parseFactor() throws -> Expression {
        guard current.isSymbol("+") || current.isSymbol("-") else { return try parsePrimary() }
        let start = current.start
        let op: UnaryOperator = current.isSymbol("+") ? .plus : .minus
        try enter()
        defer { leave() }
        advance()
        let operand = try parseFactor()
        return Expression(.unary(op, operand), range: range(from: start))
    }

    /// The value of a plain decimal `digits.digits` with at most 15 significant digits and 22
    /// decimals, computed exactly: the digits as an integer (below 2^53, so exact as a Double)
    /// divided by a power of ten (exact up to 10^22) is one correctly rounded operation, the
    /// same value as `Double(text)` gives, without its string scan. nil for any other form.
    static func exactDecimal(_ text: ArraySlice<UInt8>) -> Double? {
        var mantissa: Int64 = 0, digits = 0, decimals = 0, seenPoint = false
        for c in text {
            if c == 46 {  // .
                if seenPoint { return nil }
                seenPoint = true
            } else if c >= 48 && c <= 57 {
                if mantissa != 0 || c != 48 { digits += 1 }
                if digits > 15 { return nil }
                mantissa = mantissa * 10 + Int64(c - 48)
                if seenPoint { decimals += 1 }
            } else {
                return nil
            }
        }
        guard decimals <= 22 else { return nil }
        return Double(mantissa) / exactPowersOfTen[decimals]
    }

    /// 10^0 ... 10^22, each exact as a Double.
    private static let exactPowersOfTen: [Double] = (0...22).map { n in (0..<n).reduce(1.0) { x, _ in x * 10 } }

    /// primary := literal | column_reference | function_call | CASE ... | CAST ... | EXISTS "(" query ")"
    ///          | "(" query ")" | "(" search_condition ")"
    mutating func parsePrimary() throws -> Expression {
        // The current token is read in place: a copy of it would retain its strings at every
        // operand.
        let start = current.start
        switch current.kind {
        case .integer:
            let text = text(current), range = current.range
            advance()
            if let value = Int64(text) {
                return Expression(.literal(.integer(value)), range: range)
            }
            return Expression(.literal(.real(Double(text) ?? .infinity, text: text)), range: range)
        case .hexInteger:
            let token = current
            guard let value = UInt64(text(token).dropFirst(2), radix: 16), let signed = Int64(exactly: value) else {
                throw error(at: token, message: "hexadecimal literal \(text(token)) does not fit in 64 bits")
            }
            advance()
            return Expression(.literal(.integer(signed)), range: token.range)
        case .real:
            let text = text(current), range = current.range
            let value = Self.exactDecimal(bytes[current.startByte..<current.endByte]) ?? Double(text) ?? .infinity
            advance()
            return Expression(.literal(.real(value, text: text)), range: range)
        case .string:
            let text = text(current), range = current.range
            advance()
            return Expression(.literal(.string(text)), range: range)
        case .symbol where current.isSymbol("("):
            return try parseParenthesized()
        case .delimitedIdentifier:
            return Expression(.column(try parseQualifiedName("column name", maxParts: 4)), range: range(from: start))
        case .word where !current.isReservedWord:
            // A name (not reserved, so no literal keyword, CASE, CAST, EXISTS or built-in
            // function): a user-defined function or a column.
            if self[ahead: 1].isSymbol("(") {
                return try parseUserDefinedFunction()
            }
            return Expression(.column(try parseQualifiedName("column name", maxParts: 4)), range: range(from: start))
        case .word:
            return try parseReservedWordPrimary()
        default:
            throw error(expected: ["expression"])
        }
    }

    /// A primary that starts with a reserved word: a literal keyword, CASE, CAST, EXISTS or a
    /// built-in function.
    @inline(never)
    private mutating func parseReservedWordPrimary() throws -> Expression {
        let token = current
        let start = token.start
        switch upper(token) {
        case "TRUE", "FALSE":
            advance()
            return Expression(.literal(.boolean(upper(token) == "TRUE")), range: token.range)
        case "NULL":
            advance()
            return Expression(.literal(.null), range: token.range)
        case "CASE":
            return try parseCase()
        case "CAST":
            return try parseCast()
        case "EXISTS":
            advance()
            guard current.isSymbol("(") else { throw error(expected: ["\"(\""]) }
            try enter()
            defer { leave() }
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            return Expression(.exists(query), range: range(from: start))
        default:
            break
        }
        if ADQLKeywords.functionArity[upper(token)] != nil {
            guard self[ahead: 1].isSymbol("(") else {
                throw error(expected: ["expression"], hint: reservedHint(token))
            }
            return try parseBuiltinFunction()
        }
        // Any other reserved word cannot start an expression.
        throw error(expected: ["expression"], hint: reservedHint(token))
    }

    /// "(" query ")" (scalar sub-query) or "(" search_condition ")"
    private mutating func parseParenthesized() throws -> Expression {
        let start = current.start
        try enter()
        defer { leave() }
        if self[ahead: 1].isWord("SELECT") || self[ahead: 1].isWord("WITH") {
            return Expression(.scalarSubquery(try parseQueryInParentheses()), range: range(from: start))
        }
        if parenthesisOpensQuery() && !failedQueryAttempts.contains(pos) {
            return try parseSpeculatively(
                { Expression(.scalarSubquery(try $0.parseQueryInParentheses()), range: $0.range(from: start)) },
                else: { try $0.parseParenthesizedExpression() })
        }
        return try parseParenthesizedExpression()
    }

    private mutating func parseParenthesizedExpression() throws -> Expression {
        let start = current.start
        try expectSymbol("(")
        let inner = try parseSearchCondition()
        try expectSymbol(")")
        return Expression(.parenthesized(inner), range: range(from: start))
    }

    /// CASE [ value_expression ] WHEN search_condition THEN value { WHEN ... THEN ... } [ ELSE value ] END
    @inline(never)
    private mutating func parseCase() throws -> Expression {
        let start = current.start
        try enter()
        defer { leave() }
        try expectWord("CASE")
        var operand: Expression?
        if !current.isWord("WHEN") {
            operand = try parseValueExpression()
        }
        var whens: [WhenClause] = []
        guard current.isWord("WHEN") else { throw error(expected: ["WHEN"]) }
        while acceptWord("WHEN") {
            let condition = try parseSearchCondition()
            try expectWord("THEN")
            let result = try parseSearchCondition()
            whens.append(WhenClause(condition: condition, result: result))
        }
        var elseResult: Expression?
        if acceptWord("ELSE") {
            elseResult = try parseSearchCondition()
        }
        guard current.isWord("END") else {
            throw error(expected: elseResult == nil ? ["WHEN", "ELSE", "END"] : ["END"])
        }
        advance()
        return Expression(.caseWhen(operand: operand, whens: whens, elseResult: elseResult), range: range(from: start))
    }

    /// CAST "(" value_expression AS cast_type ")"
    @inline(never)
    private mutating func parseCast() throws -> Expression {
        let start = current.start
        try enter()
        defer { leave() }
        try expectWord("CAST")
        try expectSymbol("(")
        let value = try parseSearchCondition()
        try expectWord("AS")
        let type = try parseCastType()
        try expectSymbol(")")
        return Expression(.cast(value, type), range: range(from: start))
    }

    static let castTypeNames = [
        "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "CHAR", "VARCHAR", "TIMESTAMP",
        "POINT", "CIRCLE", "POLYGON", "REGION",
    ]

    @inline(never)
    private mutating func parseCastType() throws -> CastType {
        let token = current
        guard token.kind == .word else { throw error(expected: ["type name"]) }
        switch upper(token) {
        case "SMALLINT": advance(); return .smallint
        case "INTEGER", "INT": advance(); return .integer
        case "BIGINT": advance(); return .bigint
        case "REAL": advance(); return .real
        case "DOUBLE":
            advance()
            try expectWord("PRECISION")
            return .doublePrecision
        case "CHAR", "VARCHAR":
            advance()
            var length: Int?
            if acceptSymbol("(") {
                length = try parseUnsignedInteger("length")
                try expectSymbol(")")
            }
            return upper(token) == "CHAR" ? .char(length: length) : .varchar(length: length)
        case "TIMESTAMP": advance(); return .timestamp
        case "POINT": advance(); return .point
        case "CIRCLE": advance(); return .circle
        case "POLYGON": advance(); return .polygon
        case "REGION": advance(); return .region
        default:
            throw error(expected: ["type name"], hint: "one of " + Parser.castTypeNames.joined(separator: ", "))
        }
    }
}
