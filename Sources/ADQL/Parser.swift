// The ADQL 2.1 recursive-descent parser. One function per production of grammar/adql.ebnf.

/// Parses ADQL text into the AST.
public enum ADQLParser {
    /// Maximum nesting of parentheses, sub-queries, CASE and unary operators.
    public static let maxNesting = 200
    /// Maximum depth of the expression tree including chains of binary operators
    /// (`a + b + c ...`, `x = 1 OR x = 2 OR ...`), which the parser builds left-deep.
    public static let maxDepth = 1000

    /// Parses a complete query. A trailing `;` is allowed.
    public static func parse(_ text: String) throws(ADQLSyntaxError) -> Query {
        do {
            var parser = Parser(text)
            let query = try parser.parseQuery()
            _ = parser.acceptSymbol(";")
            try parser.expectEnd()
            return query
        } catch {
            throw Parser.syntaxError(error)
        }
    }

    /// Parses a query and reports how many tokens the text has and how many were read again
    /// after failed speculative parses (for tests: the parser's work must stay polynomial).
    static func parseCountingRereads(_ text: String) -> (result: Result<Query, ADQLSyntaxError>, tokens: Int, reread: Int) {
        var parser = Parser(text)
        do {
            let query = try parser.parseQuery()
            _ = parser.acceptSymbol(";")
            try parser.expectEnd()
            return (.success(query), parser.tokenCount, parser.tokensReread)
        } catch {
            return (.failure(Parser.syntaxError(error)), parser.tokenCount, parser.tokensReread)
        }
    }

    /// Parses a single value or search-condition expression (for tests and tools).
    public static func parseExpression(_ text: String) throws(ADQLSyntaxError) -> Expression {
        do {
            var parser = Parser(text)
            let expression = try parser.parseSearchCondition()
            try parser.expectEnd()
            return expression
        } catch {
            throw Parser.syntaxError(error)
        }
    }
}

/// The lexer's tokens, appended by the lexer and read in place through their address by the
/// parser (a `Token` holds no references: the storage is moved when it grows, never copied
/// token by token, and needs no deinitialisation).
final class TokenBuffer {
    private var base: UnsafeMutablePointer<Token>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 4)
        base = .allocate(capacity: self.capacity)
    }

    func append(_ token: Token) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Token>.allocate(capacity: 2 * capacity)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: token)
        count += 1
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    subscript(i: Int) -> Token {
        unsafeAddress { address(i) }
    }

    @inline(__always)
    func address(_ i: Int) -> UnsafePointer<Token> {
        precondition(i >= 0 && i < count, "token index out of range")
        return UnsafePointer(base + i)
    }
}

struct Parser {
    private let tokens: TokenBuffer
    private let lexed: Lexed
    private var bytes: [UInt8] { lexed.bytes }
    private var pos = 0
    private var nesting = 0
    private var depth = 0
    /// End of the last consumed token.
    private var lastEnd = SourcePosition.start
    /// Index of the token consumed as an alias without `AS`, for error positioning.
    private var implicitAliasIndex = -1
    /// Positions at which a speculative "this parenthesis opens a query" parse failed.
    private var failedQueryAttempts: Set<Int> = []
    private let stackGuard = StackGuard()
    /// Tokens read again after a failed speculative parse: the parser's only work beyond one
    /// pass over the tokens (tests check it stays polynomial in the query's length).
    private(set) var tokensReread = 0

    /// The parser only throws `ADQLSyntaxError` (internally untyped: typed throws reserve an
    /// error buffer in every frame, which matters for deep recursion).
    static func syntaxError(_ error: any Error) -> ADQLSyntaxError {
        error as? ADQLSyntaxError
            ?? ADQLSyntaxError(position: .start, found: nil, expected: [], message: "internal error: \(error)")
    }

    init(_ text: String) {
        let lexed = Lexer.tokenize(text)
        tokens = lexed.buffer
        self.lexed = lexed
    }

    var tokenCount: Int { tokens.count }

    /// The token's text (see `Lexed.text(of:)`).
    private func text(_ token: Token) -> String { lexed.text(of: token) }

    /// A word's upper-cased text (see `Lexed.upper(of:)`).
    private func upper(_ token: Token) -> String { lexed.upper(of: token) }

    // MARK: - Token helpers

    /// The current token, yielded in place (no copy, no retain of its strings).
    private var current: Token {
        unsafeAddress { tokens.address(pos) }
    }

    /// The token `ahead` places on (the end token past the end), yielded in place like `current`.
    private subscript(ahead ahead: Int) -> Token {
        unsafeAddress {
            let i = pos + ahead
            return tokens.address(i < tokens.count ? i : tokens.count - 1)
        }
    }

    /// Moves past the current token (never past the end). Returns nothing: copying a `Token`
    /// retains its strings, and the parser reads tokens in place through `current`.
    /// Goes back to `save` after a failed speculative parse, counting the tokens given up.
    private mutating func rewind(to save: Int, end: SourcePosition) {
        tokensReread += pos - save
        pos = save
        lastEnd = end
    }

    private mutating func advance() {
        let kind = tokens[pos].kind
        if kind != .end && kind != .invalid {
            lastEnd = tokens[pos].end
            pos += 1
        }
    }

    mutating func acceptSymbol(_ symbol: StaticString) -> Bool {
        if current.isSymbol(symbol) {
            advance()
            return true
        }
        return false
    }

    private mutating func acceptWord(_ keyword: StaticString) -> Bool {
        if current.isWord(keyword) {
            advance()
            return true
        }
        return false
    }

    @inline(never)
    private mutating func expectWord(_ keyword: StaticString) throws {
        guard current.isWord(keyword) else { throw error(expected: [keyword.description]) }
        advance()
    }

    @inline(never)
    private mutating func expectSymbol(_ symbol: StaticString) throws {
        guard current.isSymbol(symbol) else { throw error(expected: ["\"\(symbol.description)\""]) }
        advance()
    }

    @inline(never)
    mutating func expectEnd() throws {
        guard current.kind != .end else { return }
        if current.isWord("LIMIT") {
            throw error(expected: ["end of query"],
                        hint: "ADQL has no LIMIT clause; use SELECT TOP n")
        }
        throw error(expected: ["end of query"])
    }

    @inline(never)
    private func raw(_ token: Token) -> String {
        let lo = min(token.startByte, bytes.count)
        let hi = min(max(token.endByte, lo), bytes.count)
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// An error at the current token (or at the lexical error the current token stands for).
    @inline(never)
    private func error(expected: [String], hint: String? = nil, message: String? = nil) -> ADQLSyntaxError {
        var token = current
        if token.kind == .invalid {
            return ADQLSyntaxError(position: token.start, found: raw(token), expected: [], message: text(token))
        }
        // `SELECT a, b FORM t`: `FORM` was taken as an alias of `b`; the real mistake is there.
        if implicitAliasIndex == pos - 1 && pos > 0
            && [.word, .delimitedIdentifier, .integer, .real, .string, .hexInteger].contains(token.kind)
            && !token.isReservedWord
        {
            token = tokens[pos - 1]
        }
        let found: String? = token.kind == .end ? nil : raw(token)
        var text = message ?? ADQLSyntaxError.standardMessage(expected: expected, found: found)
        if let hint { text += " (\(hint))" }
        return ADQLSyntaxError(position: token.start, found: found, expected: expected, message: text)
    }

    @inline(never)
    private func error(at token: Token, message: String) -> ADQLSyntaxError {
        ADQLSyntaxError(position: token.start, found: token.kind == .end ? nil : raw(token), expected: [],
                        message: message)
    }

    /// Keywords that shape a query; a user writing one of them where a name is expected has
    /// made a structural mistake, not chosen an unlucky column name, so no hint is given.
    private static let structuralKeywords: Set<String> = [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "GROUP", "ORDER", "BY", "HAVING", "AS", "ON", "JOIN",
        "UNION", "INTERSECT", "EXCEPT", "DISTINCT", "ALL", "TOP", "OFFSET", "WITH", "IN", "IS", "LIKE",
        "ILIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "INNER", "LEFT", "RIGHT", "FULL",
        "OUTER", "CROSS", "NATURAL", "USING", "ASC", "DESC", "NULL", "TRUE", "FALSE", "EXISTS", "CAST",
        "ANY", "SOME",
    ]

    @inline(never)
    private func reservedHint(_ token: Token) -> String? {
        guard token.isReservedWord, !Parser.structuralKeywords.contains(upper(token)) else { return nil }
        return "\(upper(token)) is a reserved word; write \"\(text(token))\" with double quotes to use it as a name"
    }

    private mutating func enter() throws {
        nesting += 1
        depth += 1
        if nesting > ADQLParser.maxNesting || depth > ADQLParser.maxDepth {
            throw nestingError()
        }
        if stackGuard.isExhausted() { throw nestingError() }
    }

    @inline(never)
    private func nestingError() -> ADQLSyntaxError {
        if nesting > ADQLParser.maxNesting {
            return error(at: current, message: "nesting deeper than \(ADQLParser.maxNesting)")
        }
        if depth > ADQLParser.maxDepth {
            return error(at: current, message: "expression nesting deeper than \(ADQLParser.maxDepth)")
        }
        return error(at: current, message: "nesting deeper than \(nesting - 1) exhausts the parser's stack")
    }

    private mutating func leave() {
        nesting -= 1
        depth -= 1
    }

    private mutating func chainStep() throws {
        depth += 1
        if depth > ADQLParser.maxDepth { throw nestingError() }
    }

    private func range(from start: SourcePosition) -> SourceRange {
        SourceRange(start: start, end: max(start, lastEnd))
    }

    /// Whether the `(` at the current position opens (possibly after more `(`) a query.
    private func parenthesisOpensQuery() -> Bool {
        var i = pos
        while i < tokens.count && tokens[i].isSymbol("(") { i += 1 }
        guard i < tokens.count, i > pos else { return false }
        return tokens[i].isWord("SELECT") || tokens[i].isWord("WITH")
    }

    // MARK: - Identifiers

    @inline(never)
    private mutating func parseIdentifier(_ what: String = "identifier") throws -> Identifier {
        let token = current
        guard token.isIdentifier else {
            throw error(expected: [what], hint: reservedHint(token))
        }
        advance()
        return Identifier(text(token), isDelimited: token.kind == .delimitedIdentifier, range: token.range)
    }

    /// `identifier { "." identifier }` with at most `maxParts` parts.
    @inline(never)
    private mutating func parseQualifiedName(_ what: String, maxParts: Int) throws -> QualifiedName {
        var parts = [try parseIdentifier(what)]
        while current.isSymbol(".") && !self[ahead: 1].isSymbol("*") {
            advance()
            if parts.count == maxParts {
                throw error(at: tokens[pos - 1], message: "too many parts in name \"\(QualifiedName(parts))\"; at most \(maxParts) allowed")
            }
            parts.append(try parseIdentifier("identifier"))
        }
        return QualifiedName(parts)
    }

    /// `[AS] identifier` after a select item or table; nil when absent.
    private mutating func parseOptionalAlias() throws -> Identifier? {
        if acceptWord("AS") { return try parseIdentifier("alias") }
        let token = current
        guard token.isIdentifier else { return nil }
        // `... FROM t LIMIT 10`: report LIMIT rather than swallowing it as an alias.
        if token.isWord("LIMIT") && [.integer, .hexInteger].contains(self[ahead: 1].kind) { return nil }
        advance()
        implicitAliasIndex = pos - 1
        return Identifier(text(token), isDelimited: token.kind == .delimitedIdentifier, range: token.range)
    }

    @inline(never)
    private mutating func parseUnsignedInteger(_ what: String) throws -> Int {
        let token = current
        switch token.kind {
        case .integer:
            guard let value = Int(text(token)) else {
                throw error(at: token, message: "\(what) \(text(token)) is too large")
            }
            advance()
            return value
        case .hexInteger:
            guard let value = Int(text(token).dropFirst(2), radix: 16) else {
                throw error(at: token, message: "\(what) \(text(token)) is too large")
            }
            advance()
            return value
        default:
            throw error(expected: ["unsigned integer"])
        }
    }

    // MARK: - Queries

    /// query := [ WITH cte { "," cte } ] set_expression [ ORDER BY order_item { "," order_item } ]
    ///          [ OFFSET unsigned_integer ]
    mutating func parseQuery() throws -> Query {
        try enter()
        defer { leave() }
        let start = current.start
        var ctes: [CommonTableExpression] = []
        if acceptWord("WITH") {
            repeat {
                ctes.append(try parseCommonTableExpression())
            } while acceptSymbol(",")
        }
        if !(current.isWord("SELECT") || current.isSymbol("(")) {
            throw error(expected: ctes.isEmpty ? ["SELECT", "WITH", "\"(\""] : ["SELECT", "\"(\""])
        }
        let body = try parseSetExpression()
        var orderBy: [OrderItem] = []
        if acceptWord("ORDER") {
            try expectWord("BY")
            repeat {
                orderBy.append(try parseOrderItem())
            } while acceptSymbol(",")
        }
        var offset: Int?
        if acceptWord("OFFSET") {
            offset = try parseUnsignedInteger("OFFSET")
        }
        return Query(with: ctes, body: body, orderBy: orderBy, offset: offset, range: range(from: start))
    }

    /// cte := identifier [ "(" identifier { "," identifier } ")" ] AS "(" query ")"
    private mutating func parseCommonTableExpression() throws -> CommonTableExpression {
        let start = current.start
        let name = try parseIdentifier("query name")
        var columns: [Identifier] = []
        if acceptSymbol("(") {
            repeat {
                columns.append(try parseIdentifier("column name"))
            } while acceptSymbol(",")
            try expectSymbol(")")
        }
        try expectWord("AS")
        try expectSymbol("(")
        let query = try parseQuery()
        try expectSymbol(")")
        return CommonTableExpression(name: name, columnNames: columns, query: query, range: range(from: start))
    }

    /// set_expression := set_term { ( UNION | EXCEPT ) [ ALL ] set_term }
    private mutating func parseSetExpression() throws -> QueryBody {
        var left = try parseSetTerm()
        var steps = 0
        defer { depth -= steps }
        while current.isWord("UNION") || current.isWord("EXCEPT") {
            let op: SetOperator = current.isWord("UNION") ? .union : .except
            advance()
            let all = acceptWord("ALL")
            steps += 1
            try chainStep()
            let right = try parseSetTerm()
            left = .setOperation(op, all: all, left: left, right: right)
        }
        return left
    }

    /// set_term := set_primary { INTERSECT [ ALL ] set_primary }
    private mutating func parseSetTerm() throws -> QueryBody {
        var left = try parseSetPrimary()
        var steps = 0
        defer { depth -= steps }
        while acceptWord("INTERSECT") {
            let all = acceptWord("ALL")
            steps += 1
            try chainStep()
            let right = try parseSetPrimary()
            left = .setOperation(.intersect, all: all, left: left, right: right)
        }
        return left
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
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while acceptSymbol(",")
        guard current.isWord("FROM") else { throw error(expected: ["FROM"]) }
        advance()
        var from: [TableReference] = []
        repeat {
            from.append(try parseTableReference())
        } while acceptSymbol(",")
        var whereClause: Expression?
        if acceptWord("WHERE") {
            whereClause = try parseSearchCondition()
        }
        var groupBy: [Expression] = []
        if acceptWord("GROUP") {
            try expectWord("BY")
            repeat {
                groupBy.append(try parseValueExpression())
            } while acceptSymbol(",")
        }
        var having: Expression?
        if acceptWord("HAVING") {
            having = try parseSearchCondition()
        }
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

    // MARK: - FROM

    /// table_reference := table_primary { join_tail }
    /// join_tail := CROSS JOIN table_primary
    ///            | [ NATURAL ] [ INNER | ( LEFT | RIGHT | FULL ) [ OUTER ] ] JOIN table_primary
    ///              [ ON search_condition | USING "(" identifier { "," identifier } ")" ]
    private mutating func parseTableReference() throws -> TableReference {
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
                    var columns: [Identifier] = []
                    repeat {
                        columns.append(try parseIdentifier("column name"))
                    } while acceptSymbol(",")
                    try expectSymbol(")")
                    condition = .using(columns)
                }
            } else if current.isWord("ON") || current.isWord("USING") {
                throw error(at: current, message: "a NATURAL join cannot have \(current.isWord("ON") ? "an ON" : "a USING") clause")
            }
            left = .join(Join(kind: kind, natural: natural, left: left, right: right, condition: condition,
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
                let save = pos
                let saveEnd = lastEnd
                var firstError: ADQLSyntaxError?
                do {
                    return try parseDerivedTable()
                } catch {
                    firstError = error as? ADQLSyntaxError
                    failedQueryAttempts.insert(save)
                    rewind(to: save, end: saveEnd)
                }
                do {
                    return try parseParenthesizedJoin()
                } catch {
                    throw Parser.farther(firstError, error)
                }
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
        try expectSymbol("(")
        let query = try parseQuery()
        try expectSymbol(")")
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

    private static func farther(_ a: ADQLSyntaxError?, _ b: any Error) -> any Error {
        guard let a, let b = b as? ADQLSyntaxError else { return b }
        return a.offset > b.offset ? a : b
    }

    // MARK: - Search conditions

    /// search_condition := boolean_term { OR boolean_term }
    mutating func parseSearchCondition() throws -> Expression {
        var left = try parseBooleanTerm()
        var steps = 0
        defer { depth -= steps }
        while acceptWord("OR") {
            steps += 1
            try chainStep()
            let right = try parseBooleanTerm()
            left = Expression(.binary(.or, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// boolean_term := boolean_factor { AND boolean_factor }
    private mutating func parseBooleanTerm() throws -> Expression {
        var left = try parseBooleanFactor()
        var steps = 0
        defer { depth -= steps }
        while acceptWord("AND") {
            steps += 1
            try chainStep()
            let right = try parseBooleanFactor()
            left = Expression(.binary(.and, left, right), range: left.range.union(right.range))
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
            return Expression(.like(left, pattern: pattern, negated: negated, caseInsensitive: insensitive),
                              range: range(from: start))
        }
        return left
    }

    @inline(never)
    private func quantifiedComparisonError() -> ADQLSyntaxError {
        error(at: current, message: "\(upper(current)) comparisons with a sub-query are not part of ADQL; "
            + "use IN, EXISTS or a sub-query with MIN/MAX instead")
    }

    // Operator spellings by level, from the symbol's key (no String is read).
    private static func additiveOperator(_ symbol: Token) -> BinaryOperator? {
        if symbol.isSymbol("+") { return .add }
        if symbol.isSymbol("-") { return .subtract }
        if symbol.isSymbol("||") { return .concatenate }
        return nil
    }

    private static func multiplicativeOperator(_ symbol: Token) -> BinaryOperator? {
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
        if self[ahead: 1].isWord("SELECT") || self[ahead: 1].isWord("WITH") {
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            return Expression(.inSubquery(left, query, negated: negated), range: range(from: start))
        }
        if parenthesisOpensQuery() && !failedQueryAttempts.contains(pos) {
            let save = pos
            let saveEnd = lastEnd
            do {
                advance()
                let query = try parseQuery()
                try expectSymbol(")")
                return Expression(.inSubquery(left, query, negated: negated), range: range(from: start))
            } catch {
                failedQueryAttempts.insert(save)
                rewind(to: save, end: saveEnd)
                let first = error as? ADQLSyntaxError
                do {
                    return try parseInList(left, negated: negated)
                } catch {
                    throw Parser.farther(first, error)
                }
            }
        }
        return try parseInList(left, negated: negated)
    }

    private mutating func parseInList(_ left: Expression, negated: Bool) throws -> Expression {
        let start = left.range.start
        try expectSymbol("(")
        var values: [Expression] = []
        repeat {
            values.append(try parseValueExpression())
        } while acceptSymbol(",")
        try expectSymbol(")")
        return Expression(.inList(left, values, negated: negated), range: range(from: start))
    }

    // MARK: - Value expressions

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
    private var loneOperandLength: Int? {
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
    private mutating func parsePrimary() throws -> Expression {
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
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            return Expression(.scalarSubquery(query), range: range(from: start))
        }
        if parenthesisOpensQuery() && !failedQueryAttempts.contains(pos) {
            let save = pos
            let saveEnd = lastEnd
            do {
                advance()
                let query = try parseQuery()
                try expectSymbol(")")
                return Expression(.scalarSubquery(query), range: range(from: start))
            } catch {
                failedQueryAttempts.insert(save)
                rewind(to: save, end: saveEnd)
                let first = error as? ADQLSyntaxError
                do {
                    return try parseParenthesizedExpression()
                } catch {
                    throw Parser.farther(first, error)
                }
            }
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

    /// function_name "(" [ argument { "," argument } ] ")"; aggregates take `*` or a set quantifier.
    @inline(never)
    private mutating func parseBuiltinFunction() throws -> Expression {
        let nameToken = current
        let start = nameToken.start
        let upper = upper(nameToken)
        try enter()
        defer { leave() }
        advance()
        try expectSymbol("(")
        let name = Identifier(text(nameToken), range: nameToken.range)
        if ADQLKeywords.aggregateFunctions.contains(upper) {
            if upper == "COUNT" && acceptSymbol("*") {
                try expectSymbol(")")
                return Expression(.function(FunctionCall(name: name, arguments: [], star: true)), range: range(from: start))
            }
            var distinct = false
            if acceptWord("DISTINCT") {
                distinct = true
            } else {
                _ = acceptWord("ALL")
            }
            let argument = try parseValueExpression()
            try expectSymbol(")")
            return Expression(.function(FunctionCall(name: name, arguments: [argument], distinct: distinct)),
                              range: range(from: start))
        }
        let arguments = try parseArguments()
        try checkArity(upper, arguments, nameToken: nameToken)
        return Expression(.function(FunctionCall(name: name, arguments: arguments)), range: range(from: start))
    }

    /// After "(": `[ expr { , expr } ] ")"`.
    private mutating func parseArguments() throws -> [Expression] {
        var arguments: [Expression] = []
        if acceptSymbol(")") { return arguments }
        repeat {
            // A lone operand ending the argument (coordinates, columns): what the search
            // condition's levels would return, without passing through them.
            if let length = loneOperandLength, self[ahead: length].isSymbolByte(44) || self[ahead: length].isSymbolByte(41) {
                arguments.append(try parsePrimary())
            } else {
                arguments.append(try parseSearchCondition())
            }
        } while acceptSymbol(",")
        guard current.isSymbol(")") else { throw error(expected: ["\",\"", "\")\""]) }
        advance()
        return arguments
    }

    @inline(never)
    private mutating func parseUserDefinedFunction() throws -> Expression {
        let nameToken = current
        try enter()
        defer { leave() }
        advance()
        try expectSymbol("(")
        let arguments = try parseArguments()
        let name = Identifier(text(nameToken), range: nameToken.range)
        return Expression(.function(FunctionCall(name: name, arguments: arguments)), range: range(from: nameToken.start))
    }

    private static func isStringLiteral(_ e: Expression) -> Bool {
        if case .literal(.string) = e.kind { return true }
        return false
    }

    @inline(never)
    private func checkArity(_ upper: String, _ arguments: [Expression], nameToken: Token) throws {
        let n = arguments.count
        func fail(_ expectation: String) -> ADQLSyntaxError {
            let plural = n == 1 ? "argument" : "arguments"
            return error(at: nameToken, message: "\(upper) takes \(expectation), found \(n) \(plural)")
        }
        let hasCoordSys = n > 0 && Parser.isStringLiteral(arguments[0])
        let m = hasCoordSys ? n - 1 : n
        let rest = arguments.dropFirst(hasCoordSys ? 1 : 0)
        /// A number can never be a point: `CIRCLE(62, -37)` lacks a radius rather than meaning
        /// "centre point 62, radius -37".
        func isNumber(_ e: Expression) -> Bool {
            switch e.unparenthesized.kind {
            case .literal(.integer), .literal(.real): return true
            case .unary(_, let operand): return isNumber(operand)
            default: return false
            }
        }
        switch upper {
        case "POINT":
            if m != 2 || (n == 3 && !hasCoordSys) {
                throw fail("2 coordinates after an optional coordinate system string")
            }
        case "CIRCLE":
            if !(2...3).contains(m) || (n == 4 && !hasCoordSys) || (m == 2 && rest.first.map(isNumber) == true) {
                throw fail("a centre (point or 2 coordinates) and a radius after an optional coordinate system string")
            }
        case "BOX":
            if !(3...4).contains(m) || (n == 5 && !hasCoordSys) || (m == 3 && rest.first.map(isNumber) == true) {
                throw fail("a centre (point or 2 coordinates), a width and a height after an optional coordinate system string")
            }
        case "POLYGON":
            if m < 3 || (rest.contains(where: isNumber) && (m < 6 || m % 2 != 0)) {
                throw fail("at least 3 vertices (points or coordinate pairs) after an optional coordinate system string")
            }
        case "DISTANCE":
            if n != 2 && n != 4 { throw fail("2 points or 4 coordinates") }
        case "REGION":
            if n != 1 { throw fail("1 argument") }
        case "IN_UNIT":
            if n != 2 { throw fail("2 arguments") }
            if !Parser.isStringLiteral(arguments[1]) {
                throw ADQLSyntaxError(position: arguments[1].range.start, found: nil, expected: ["unit string"],
                                      message: "IN_UNIT takes a unit as a string literal as its second argument")
            }
        default:
            guard let arity = ADQLKeywords.functionArity[upper], !arity.contains(n) else { return }
            if arity.lowerBound == arity.upperBound {
                throw fail("\(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")")
            } else if arity.upperBound == Int.max {
                throw fail("at least \(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")")
            } else {
                throw fail("\(arity.lowerBound) to \(arity.upperBound) arguments")
            }
        }
    }
}
