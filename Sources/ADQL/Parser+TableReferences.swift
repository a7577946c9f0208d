// Parser: the FROM clause — table references, joins, derived tables and parenthesised joins.

extension Parser {
    /// table_reference := table_primary { join_tail }
    /// join_tail := CROSS JOIN table_primary
    ///            | [ NATURAL ] [ INNER | ( LEFT | RIGHT | FULL ) [ OUTER ] ] JOIN table_primary
    ///              [ ON search_condition | USING "(" identifier { "," identifier } ")" ]
    mutating func parseTableReference() throws -> TableReference {
        let start = current.start
        var left = try parseTablePrimary()
        var steps = 0
        defer { depth -= steps }
        while true {
            let kind: JoinKind
            var natural = false
            if acceptWord("CROSS") {
                try expectWord("JOIN")
                steps += 1
                try chainStep()
                let right = try parseTablePrimary()
                left = .join(Join(kind: .cross, left: left, right: right, condition: nil, range: range(from: start)))
                continue
            }
            if acceptWord("NATURAL") { natural = true }
            if acceptWord("INNER") {
                kind = .inner
            } else if acceptWord("LEFT") {
                kind = .left
                _ = acceptWord("OUTER")
            } else if acceptWord("RIGHT") {
                kind = .right
                _ = acceptWord("OUTER")
            } else if acceptWord("FULL") {
                kind = .full
                _ = acceptWord("OUTER")
            } else if current.isWord("JOIN") {
                kind = .inner
            } else if natural {
                throw error(expected: ["JOIN", "INNER", "LEFT", "RIGHT", "FULL"])
            } else {
                break
            }
            try expectWord("JOIN")
            steps += 1
            try chainStep()
            let right = try parseTablePrimary()
            var condition: JoinCondition?
            if !natural {
                if acceptWord("ON") {
                    condition = .on(try parseSearchCondition())
                } else if acceptWord("USING") {
                    try expectSymbol("(")
                    let columns = try parseCommaList { try $0.parseIdentifier("column name") }
                    try expectSymbol(")")
                    condition = .using(columns)
                } else {
                    // Only CROSS and NATURAL joins go without a condition.
                    throw error(
                        expected: ["ON", "USING"], hint: "a JOIN other than CROSS JOIN or NATURAL JOIN needs ON or USING")
                }
            } else if current.isWord("ON") || current.isWord("USING") {
                throw error(
                    at: current, message: "a NATURAL join cannot have \(current.isWord("ON") ? "an ON" : "a USING") clause")
            }
            left = .join(
                Join(
                    kind: kind, natural: natural, left: left, right: right, condition: condition,
                    range: range(from: start)))
        }
        return left
    }

    /// table_primary := table_name [ [ AS ] identifier ]
    ///                | "(" query ")" [ AS ] identifier
    ///                | "(" table_reference ")"
    private mutating func parseTablePrimary() throws -> TableReference {
        let start = current.start
        if current.isSymbol("(") {
            try enter()
            defer { leave() }
            if self[ahead: 1].isWord("SELECT") || self[ahead: 1].isWord("WITH") {
                return try parseDerivedTable()
            }
            if parenthesisOpensQuery() && !failedQueryAttempts.contains(pos) {
                return try parseSpeculatively({ try $0.parseDerivedTable() }, else: { try $0.parseParenthesizedJoin() })
            }
            return try parseParenthesizedJoin()
        }
        guard current.isIdentifier else {
            throw error(expected: ["table name", "\"(\""], hint: reservedHint(current))
        }
        let name = try parseQualifiedName("table name", maxParts: 3)
        let alias = try parseOptionalAlias()
        return .table(name, alias: alias, range: range(from: start))
    }

    /// "(" query ")" [ AS ] identifier
    private mutating func parseDerivedTable() throws -> TableReference {
        let start = current.start
        let query = try parseQueryInParentheses()
        _ = acceptWord("AS")
        guard current.isIdentifier else {
            throw error(expected: ["alias"], hint: reservedHint(current) ?? "a derived table needs a name")
        }
        let alias = try parseIdentifier("alias")
        return .derived(query, alias: alias, range: range(from: start))
    }

    private mutating func parseParenthesizedJoin() throws -> TableReference {
        try expectSymbol("(")
        let inner = try parseTableReference()
        try expectSymbol(")")
        return inner
    }
}
