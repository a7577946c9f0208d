// Parser: queries — WITH and common table expressions, set operations (UNION, EXCEPT,
// INTERSECT), SELECT statements, select items and ORDER BY items.

extension Parser {
    /// query := [ WITH cte { "," cte } ] set_expression [ ORDER BY order_item { "," order_item } ]
    ///          [ OFFSET unsigned_integer ]
    mutating func parseQuery() throws -> Query {
        try enter()
        defer { leave() }
        let start = current.start
        // The grammar puts the WITH clause on the statement only: a sub-query, a common table
        // expression's body or a parenthesised set operand starts with SELECT or "(".
        let topLevel = queryLevel == 0
        queryLevel += 1
        defer { queryLevel -= 1 }
        if !topLevel && current.isWord("WITH") {
            throw error(
                at: current,
                message: "WITH is allowed only at the start of the whole query, not inside a sub-query; "
                    + "move this common table expression to the query's WITH clause")
        }
        let ctes = try acceptWord("WITH") ? parseCommaList({ try $0.parseCommonTableExpression() }) : []
        if !(current.isWord("SELECT") || current.isSymbol("(")) {
            let expected = !topLevel ? ["SELECT", "\"(\""] : ctes.isEmpty ? ["SELECT", "WITH", "\"(\""] : ["SELECT", "\"(\""]
            throw error(expected: expected)
        }
        let body = try parseSetExpression()
        let orderBy = try parseByList("ORDER") { try $0.parseOrderItem() }
        let offset = try acceptWord("OFFSET") ? parseUnsignedInteger("OFFSET") : nil
        return Query(with: ctes, body: body, orderBy: orderBy, offset: offset, range: range(from: start))
    }

    /// cte := identifier [ "(" identifier { "," identifier } ")" ] AS "(" query ")"
    private mutating func parseCommonTableExpression() throws -> CommonTableExpression {
        let start = current.start
        let name = try parseIdentifier("query name")
        var columns: [Identifier] = []
        if acceptSymbol("(") {
            columns = try parseCommaList { try $0.parseIdentifier("column name") }
            try expectSymbol(")")
        }
        try expectWord("AS")
        let query = try parseQueryInParentheses()
        return CommonTableExpression(name: name, columnNames: columns, query: query, range: range(from: start))
    }

    /// set_expression := set_term { ( UNION | EXCEPT ) [ ALL ] set_term }
    /// set_term := set_primary { INTERSECT [ ALL ] set_primary }
    /// `intersections` selects the set_term level.
    private mutating func parseSetExpression(intersections: Bool = false) throws -> QueryBody {
        var left = try intersections ? parseSetPrimary() : parseSetExpression(intersections: true)
        var steps = 0
        defer { depth -= steps }
        while let op = setOperator(intersections: intersections) {
            advance()
            let all = acceptWord("ALL")
            steps += 1
            try chainStep()
            let right = try intersections ? parseSetPrimary() : parseSetExpression(intersections: true)
            left = .setOperation(op, all: all, left: left, right: right)
        }
        return left
    }

    /// The set operator at the current token, of the set_term level or the set_expression level.
    private func setOperator(intersections: Bool) -> SetOperator? {
        if intersections { return current.isWord("INTERSECT") ? .intersect : nil }
        return current.isWord("UNION") ? .union : current.isWord("EXCEPT") ? .except : nil
    }

    /// set_primary := select_statement | "(" query ")"
    private mutating func parseSetPrimary() throws -> QueryBody {
        if acceptSymbol("(") {
            let query = try parseQuery()
            try expectSymbol(")")
            return .nested(query)
        }
        guard current.isWord("SELECT") else { throw error(expected: ["SELECT", "\"(\""]) }
        return .select(try parseSelectStatement())
    }

    /// select_statement := SELECT [ ALL | DISTINCT ] [ TOP unsigned_integer ] select_list
    ///                     FROM table_reference { "," table_reference }
    ///                     [ WHERE search_condition ] [ GROUP BY expression { "," expression } ]
    ///                     [ HAVING search_condition ]
    private mutating func parseSelectStatement() throws -> SelectStatement {
        let start = current.start
        try expectWord("SELECT")
        var quantifier: SetQuantifier?
        var top: Int?
        // The standard order is `DISTINCT TOP n`; `TOP n DISTINCT` is accepted too.
        for _ in 0..<2 {
            if quantifier == nil, acceptWord("DISTINCT") {
                quantifier = .distinct
            } else if quantifier == nil, acceptWord("ALL") {
                quantifier = .all
            } else if top == nil, acceptWord("TOP") {
                top = try parseUnsignedInteger("TOP")
            }
        }
        let items = try parseCommaList { try $0.parseSelectItem() }
        guard current.isWord("FROM") else { throw error(expected: ["FROM"]) }
        advance()
        let from = try parseCommaList { try $0.parseTableReference() }
        let whereClause = try acceptWord("WHERE") ? parseSearchCondition() : nil
        let groupBy = try parseByList("GROUP") { try $0.parseValueExpression() }
        let having = try acceptWord("HAVING") ? parseSearchCondition() : nil
        return SelectStatement(
            quantifier: quantifier, top: top, items: items, from: from, whereClause: whereClause,
            groupBy: groupBy, having: having, range: range(from: start))
    }

    /// select_item := "*" | qualifier "." "*" | expression [ [ AS ] identifier ]
    private mutating func parseSelectItem() throws -> SelectItem {
        let start = current.start
        if acceptSymbol("*") {
            return .wildcard(range(from: start))
        }
        // Look ahead for `a.b.*`.
        var i = pos
        var isQualifiedWildcard = false
        while i + 2 < tokens.count && tokens[i].isIdentifier && tokens[i + 1].isSymbol(".") {
            if tokens[i + 2].isSymbol("*") {
                isQualifiedWildcard = true
                break
            }
            i += 2
        }
        if isQualifiedWildcard {
            let name = try parseQualifiedName("table name", maxParts: 3)
            try expectSymbol(".")
            try expectSymbol("*")
            return .qualifiedWildcard(name, range(from: start))
        }
        // A lone column or literal ending the item (`objectId,`, `ra AS r`, `dec FROM`): what the
        // search condition's levels would return, without passing through them.
        var lone = false
        if let length = loneOperandLength {
            let next = self[ahead: length]
            lone = next.isSymbolByte(44) || next.isWord("FROM") || next.isWord("AS")
        }
        let expression = try lone ? parsePrimary() : parseSearchCondition()
        let alias = try parseOptionalAlias()
        return .expression(expression, alias: alias)
    }

    /// order_item := expression [ ASC | DESC ]
    private mutating func parseOrderItem() throws -> OrderItem {
        let start = current.start
        let expression = try parseValueExpression()
        var descending = false
        if acceptWord("DESC") {
            descending = true
        } else {
            _ = acceptWord("ASC")
        }
        return OrderItem(expression: expression, descending: descending, range: range(from: start))
    }
}
