// The ADQL 2.1 recursive-descent parser, one function per production of grammar/adql.ebnf.
//
// This file holds the core: the entry points (`ADQLParser`), the token buffer, the parser's
// state, token handling, error construction, the nesting limits and names (identifiers,
// aliases, unsigned integers). The productions are in extensions by grammar area:
// Parser+Query (WITH, set operations, SELECT), Parser+TableReferences (FROM),
// Parser+SearchConditions (OR, AND, NOT, predicates), Parser+Expressions (value expressions,
// primaries, CASE, CAST) and Parser+Functions (function calls and their arity checks).

/// Parses ADQL text into the AST.
public enum ADQLParser {
    /// Maximum nesting of parentheses, sub-queries, CASE and unary operators.
    public static let maxNesting = 200
    /// Maximum depth of the expression tree including chains of binary operators
    /// (`a + b + c ...`, `x = 1 OR x = 2 OR ...`), which the parser builds left-deep.
    public static let maxDepth = 1000

    /// Parses a complete query. A trailing `;` is allowed.
    public static func parse(_ text: String) throws(ADQLError) -> Query {
        do {
            var parser = Parser(text)
            let query = try parser.parseQuery()
            _ = parser.acceptSymbol(";")
            try parser.expectEnd()
            try GrammarCheck.check(query)
            return query
        } catch {
            throw Parser.syntaxError(error)
        }
    }

    /// Parses a query and reports how many tokens the text has and how many were read again
    /// after failed speculative parses (for tests: the parser's work must stay polynomial).
    static func parseCountingRereads(_ text: String) -> (result: Result<Query, ADQLError>, tokens: Int, reread: Int) {
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
    public static func parseExpression(_ text: String) throws(ADQLError) -> Expression {
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
    let tokens: TokenBuffer
    private let lexed: Lexed
    var bytes: [UInt8] { lexed.bytes }
    var pos = 0
    private var nesting = 0
    var depth = 0
    /// How many queries enclose the current token: 0 at the statement's top level.
    var queryLevel = 0
    /// End of the last consumed token.
    var lastEnd = SourcePosition.start
    /// Index of the token consumed as an alias without `AS`, for error positioning.
    private var implicitAliasIndex = -1
    /// Positions at which a speculative "this parenthesis opens a query" parse failed.
    var failedQueryAttempts: Set<Int> = []
    private let stackGuard = StackGuard()
    /// Tokens read again after a failed speculative parse: the parser's only work beyond one
    /// pass over the tokens (tests check it stays polynomial in the query's length).
    private(set) var tokensReread = 0

    /// The parser only throws `ADQLError` (internally untyped: typed throws reserve an
    /// error buffer in every frame, which matters for deep recursion).
    static func syntaxError(_ error: any Error) -> ADQLError {
        error as? ADQLError
            ?? ADQLError.syntax(at: .start, found: nil, expected: [], message: "internal error: \(error)")
    }

    init(_ text: String) {
        let lexed = Lexer.tokenize(text)
        tokens = lexed.buffer
        self.lexed = lexed
    }

    var tokenCount: Int { tokens.count }

    /// The token's text (see `Lexed.text(of:)`).
    func text(_ token: Token) -> String { lexed.text(of: token) }

    /// A word's upper-cased text (see `Lexed.upper(of:)`).
    func upper(_ token: Token) -> String { lexed.upper(of: token) }

    // MARK: - Token helpers

    /// The current token, yielded in place (no copy, no retain of its strings).
    var current: Token {
        unsafeAddress { tokens.address(pos) }
    }

    /// The token `ahead` places on (the end token past the end), yielded in place like `current`.
    subscript(ahead ahead: Int) -> Token {
        unsafeAddress {
            let i = pos + ahead
            return tokens.address(i < tokens.count ? i : tokens.count - 1)
        }
    }

    /// Moves past the current token (never past the end). Returns nothing: copying a `Token`
    /// retains its strings, and the parser reads tokens in place through `current`.
    /// Goes back to `save` after a failed speculative parse, counting the tokens given up.
    mutating func rewind(to save: Int, end: SourcePosition) {
        tokensReread += pos - save
        pos = save
        lastEnd = end
    }

    mutating func advance() {
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

    mutating func acceptWord(_ keyword: StaticString) -> Bool {
        if current.isWord(keyword) {
            advance()
            return true
        }
        return false
    }

    @inline(never)
    mutating func expectWord(_ keyword: StaticString) throws {
        guard current.isWord(keyword) else { throw error(expected: [keyword.description]) }
        advance()
    }

    @inline(never)
    mutating func expectSymbol(_ symbol: StaticString) throws {
        guard current.isSymbol(symbol) else { throw error(expected: ["\"\(symbol.description)\""]) }
        advance()
    }

    @inline(never)
    mutating func expectEnd() throws {
        guard current.kind != .end else { return }
        if current.isWord("LIMIT") {
            throw error(
                expected: ["end of query"],
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
    func error(expected: [String], hint: String? = nil, message: String? = nil) -> ADQLError {
        var token = current
        if token.kind == .invalid {
            return ADQLError.syntax(at: token.start, found: raw(token), expected: [], message: text(token))
        }
        // `SELECT a, b FORM t`: `FORM` was taken as an alias of `b`; the real mistake is there.
        if implicitAliasIndex == pos - 1 && pos > 0
            && [.word, .delimitedIdentifier, .integer, .real, .string, .hexInteger].contains(token.kind)
            && !token.isReservedWord
        {
            token = tokens[pos - 1]
        }
        let found: String? = token.kind == .end ? nil : raw(token)
        var text = message ?? ADQLError.standardMessage(expected: expected, found: found)
        if let hint { text += " (\(hint))" }
        return ADQLError.syntax(at: token.start, found: found, expected: expected, message: text)
    }

    @inline(never)
    func error(at token: Token, message: String) -> ADQLError {
        ADQLError.syntax(
            at: token.start, found: token.kind == .end ? nil : raw(token), expected: [],
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
    func reservedHint(_ token: Token) -> String? {
        guard token.isReservedWord, !Parser.structuralKeywords.contains(upper(token)) else { return nil }
        return "\(upper(token)) is a reserved word; write \"\(text(token))\" with double quotes to use it as a name"
    }

    mutating func enter() throws {
        nesting += 1
        depth += 1
        if nesting > ADQLParser.maxNesting || depth > ADQLParser.maxDepth {
            throw nestingError()
        }
        if stackGuard.isExhausted() { throw nestingError() }
    }

    @inline(never)
    private func nestingError() -> ADQLError {
        if nesting > ADQLParser.maxNesting {
            return error(at: current, message: "nesting deeper than \(ADQLParser.maxNesting)")
        }
        if depth > ADQLParser.maxDepth {
            return error(at: current, message: "expression nesting deeper than \(ADQLParser.maxDepth)")
        }
        return error(at: current, message: "nesting deeper than \(nesting - 1) exhausts the parser's stack")
    }

    mutating func leave() {
        nesting -= 1
        depth -= 1
    }

    mutating func chainStep() throws {
        depth += 1
        if depth > ADQLParser.maxDepth { throw nestingError() }
    }

    func range(from start: SourcePosition) -> SourceRange {
        SourceRange(start: start, end: max(start, lastEnd))
    }

    /// Whether the `(` at the current position opens (possibly after more `(`) a query.
    func parenthesisOpensQuery() -> Bool {
        var i = pos
        while i < tokens.count && tokens[i].isSymbol("(") { i += 1 }
        guard i < tokens.count, i > pos else { return false }
        return tokens[i].isWord("SELECT") || tokens[i].isWord("WITH")
    }

    /// element { "," element }
    mutating func parseCommaList<T>(_ element: (inout Parser) throws -> T) throws -> [T] {
        var list: [T] = []
        repeat {
            list.append(try element(&self))
        } while acceptSymbol(",")
        return list
    }

    /// keyword BY element { "," element } (ORDER BY, GROUP BY); empty when the current word is
    /// not `keyword`.
    mutating func parseByList<T>(_ keyword: StaticString, _ element: (inout Parser) throws -> T) throws -> [T] {
        guard acceptWord(keyword) else { return [] }
        try expectWord("BY")
        return try parseCommaList(element)
    }

    /// "(" query ")"
    mutating func parseQueryInParentheses() throws -> Query {
        try expectSymbol("(")
        let query = try parseQuery()
        try expectSymbol(")")
        return query
    }

    /// At a `(` that opens a query behind more `(`s (`parenthesisOpensQuery`): what `query`
    /// parses, or when that fails, what `other` parses from the same token; of two failures the
    /// one found farther into the text is thrown. A position where the query failed is
    /// remembered and not tried again, which keeps the parser's work polynomial.
    mutating func parseSpeculatively<T>(
        _ query: (inout Parser) throws -> T, else other: (inout Parser) throws -> T
    ) throws -> T {
        let save = pos
        let saveEnd = lastEnd
        let first: ADQLError?
        do {
            return try query(&self)
        } catch {
            first = error as? ADQLError
            failedQueryAttempts.insert(save)
            rewind(to: save, end: saveEnd)
        }
        do {
            return try other(&self)
        } catch {
            throw Parser.farther(first, error)
        }
    }

    /// Of the errors of two alternative parses, the one found farther into the text.
    static func farther(_ a: ADQLError?, _ b: any Error) -> any Error {
        guard let a, let b = b as? ADQLError else { return b }
        return a.offset > b.offset ? a : b
    }

    // MARK: - Identifiers

    @inline(never)
    mutating func parseIdentifier(_ what: String = "identifier") throws -> Identifier {
        let token = current
        guard token.isIdentifier else {
            throw error(expected: [what], hint: reservedHint(token))
        }
        advance()
        return Identifier(text(token), isDelimited: token.kind == .delimitedIdentifier, range: token.range)
    }

    /// `identifier { "." identifier }` with at most `maxParts` parts.
    @inline(never)
    mutating func parseQualifiedName(_ what: String, maxParts: Int) throws -> QualifiedName {
        var parts = [try parseIdentifier(what)]
        while current.isSymbol(".") && !self[ahead: 1].isSymbol("*") {
            advance()
            if parts.count == maxParts {
                throw error(
                    at: tokens[pos - 1],
                    message: "too many parts in name \"\(QualifiedName(parts))\"; at most \(maxParts) allowed")
            }
            parts.append(try parseIdentifier("identifier"))
        }
        return QualifiedName(parts)
    }

    /// `[AS] identifier` after a select item or table; nil when absent.
    mutating func parseOptionalAlias() throws -> Identifier? {
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
    mutating func parseUnsignedInteger(_ what: String) throws -> Int {
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
}
