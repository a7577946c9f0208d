// The ADQL abstract syntax tree.
//
// Every node carries the source range it was parsed from so that the binder and planner can
// report errors at the user's text. Nodes are plain Sendable values: the planner rewrites by
// building new trees, never by mutating shared ones. Equality compares structure *and*
// ranges; use `canonicalADQL` for structural comparisons in tests.

/// A position in the query text. Lines and columns count from 1; columns count Unicode scalars.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Stored in 32 bits each (a position beyond 2^31 - 1 is clamped there): a range is then 24
    // bytes instead of 48, and every token and AST node carries one, copied at every rewrite.
    private var storedLine: Int32
    private var storedColumn: Int32
    private var storedOffset: Int32

    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = Int32(clamping: newValue) }
    }
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = Int32(clamping: newValue) }
    }
    /// Offset in Unicode scalars from the start of the text.
    public var offset: Int {
        get { Int(storedOffset) }
        set { storedOffset = Int32(clamping: newValue) }
    }

    public init(line: Int, column: Int, offset: Int) {
        storedLine = Int32(clamping: line)
        storedColumn = Int32(clamping: column)
        storedOffset = Int32(clamping: offset)
    }

    public static let start = SourcePosition(line: 1, column: 1, offset: 0)

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { a.storedOffset < b.storedOffset }

    public var description: String { "line \(line), column \(column)" }
}

/// The half-open range `[start, end)` of a node in the query text.
public struct SourceRange: Sendable, Hashable {
    public var start: SourcePosition
    public var end: SourcePosition

    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }

    /// A range for nodes synthesised by rewrites rather than parsed.
    public static let synthesized = SourceRange(start: .start, end: .start)

    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }
}

/// Case-insensitive comparison and keys for regular identifiers, without allocating for the
/// usual ASCII names (the binder compares names for every column reference).
public enum CaseFolding {
    /// `a.lowercased() == b.lowercased()`, byte by byte when both are ASCII.
    public static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return nil }
                for i in 0..<x.count {
                    let p = x[i], q = y[i]
                    if p >= 0x80 || q >= 0x80 { return nil }
                    if p != q && fold(p) != fold(q) { return false }
                }
                return true
            }
        } ?? (a.lowercased() == b.lowercased())
    }

    /// `s.lowercased()`, returning `s` itself when it is ASCII without capitals.
    public static func key(_ s: String) -> String {
        var s = s
        let plain = s.withUTF8 { bytes in !bytes.contains { $0 >= 0x80 || ($0 >= 65 && $0 <= 90) } }
        return plain ? s : s.lowercased()
    }

    /// `s.uppercased()`, byte by byte for ASCII (function names, on every call node); `s`
    /// itself when it has no lower-case letter.
    public static func upper(_ s: String) -> String {
        var s = s
        return s.withUTF8 { bytes -> String? in
            var hasLower = false
            for c in bytes {
                if c >= 0x80 { return nil }
                if c >= 97 && c <= 122 { hasLower = true }
            }
            guard hasLower else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for i in 0..<bytes.count {
                    let c = bytes[i]
                    buffer[i] = c >= 97 && c <= 122 ? c - 32 : c
                }
                return bytes.count
            }
        } ?? (s.utf8.allSatisfy { $0 < 0x80 } ? s : s.uppercased())
    }

    @inline(__always)
    static func fold(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
}

/// A regular (`coord_ra`, case-insensitive) or delimited (`"Coord RA"`, exact) identifier.
public struct Identifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as written, without the quotes of a delimited identifier.
    public var name: String
    public var isDelimited: Bool
    public var range: SourceRange

    public init(_ name: String, isDelimited: Bool = false, range: SourceRange = .synthesized) {
        self.name = name
        self.isDelimited = isDelimited
        self.range = range
    }

    /// Whether this identifier, as written in a query, names `catalogName` (ADQL case rules:
    /// regular identifiers match case-insensitively, delimited ones exactly).
    public func matches(_ catalogName: String) -> Bool {
        isDelimited ? name == catalogName : CaseFolding.equalIgnoringCase(name, catalogName)
    }

    public var description: String { isDelimited ? "\"\(name)\"" : name }
}

/// A possibly qualified name: `table`, `schema.table` or `catalog.schema.table`; for columns
/// the last part is the column.
public struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    public var parts: [Identifier]

    public init(_ parts: [Identifier]) { self.parts = parts }

    public var last: Identifier { parts[parts.count - 1] }
    public var qualifier: [Identifier] { Array(parts.dropLast()) }
    public var range: SourceRange {
        parts.dropFirst().reduce(parts[0].range) { $0.union($1.range) }
    }
    public var description: String { parts.map(\.description).joined(separator: ".") }
}

// MARK: - Queries

/// A complete query expression: `[WITH ...] body [ORDER BY ...] [OFFSET n]`.
public struct Query: Sendable, Hashable {
    public var with: [CommonTableExpression]
    public var body: QueryBody
    public var orderBy: [OrderItem]
    public var offset: Int?
    public var range: SourceRange

    public init(
        with: [CommonTableExpression] = [], body: QueryBody, orderBy: [OrderItem] = [],
        offset: Int? = nil, range: SourceRange = .synthesized
    ) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.offset = offset
        self.range = range
    }
}

public struct CommonTableExpression: Sendable, Hashable {
    public var name: Identifier
    public var columnNames: [Identifier]
    public var query: Query
    public var range: SourceRange

    public init(name: Identifier, columnNames: [Identifier] = [], query: Query, range: SourceRange = .synthesized) {
        self.name = name
        self.columnNames = columnNames
        self.query = query
        self.range = range
    }
}

public enum SetOperator: String, Sendable, Hashable {
    case union = "UNION"
    case intersect = "INTERSECT"
    case except = "EXCEPT"
}

public indirect enum QueryBody: Sendable, Hashable {
    case select(SelectStatement)
    /// `left UNION [ALL] right` and friends; INTERSECT binds tighter than UNION/EXCEPT.
    case setOperation(SetOperator, all: Bool, left: QueryBody, right: QueryBody)
    /// A parenthesised query term, which may carry its own ORDER BY / OFFSET.
    case nested(Query)
}

public enum SetQuantifier: String, Sendable, Hashable {
    case all = "ALL"
    case distinct = "DISTINCT"
}

public struct SelectStatement: Sendable, Hashable {
    public var quantifier: SetQuantifier?
    public var top: Int?
    public var items: [SelectItem]
    /// Comma-separated FROM items (each possibly a join tree). Empty is not valid ADQL but the
    /// type permits it for synthesized statements.
    public var from: [TableReference]
    public var whereClause: Expression?
    public var groupBy: [Expression]
    public var having: Expression?
    public var range: SourceRange

    public init(
        quantifier: SetQuantifier? = nil, top: Int? = nil, items: [SelectItem], from: [TableReference],
        whereClause: Expression? = nil, groupBy: [Expression] = [], having: Expression? = nil,
        range: SourceRange = .synthesized
    ) {
        self.quantifier = quantifier
        self.top = top
        self.items = items
        self.from = from
        self.whereClause = whereClause
        self.groupBy = groupBy
        self.having = having
        self.range = range
    }
}

public enum SelectItem: Sendable, Hashable {
    /// `*`
    case wildcard(SourceRange)
    /// `t.*` or `schema.table.*`
    case qualifiedWildcard(QualifiedName, SourceRange)
    /// `expr [AS alias]`
    case expression(Expression, alias: Identifier?)
}

public indirect enum TableReference: Sendable, Hashable {
    /// `[catalog.][schema.]table [[AS] alias]`
    case table(QualifiedName, alias: Identifier?, range: SourceRange)
    /// `(query) [AS] alias`
    case derived(Query, alias: Identifier, range: SourceRange)
    case join(Join)
}

public enum JoinKind: String, Sendable, Hashable {
    case inner = "INNER"
    case left = "LEFT OUTER"
    case right = "RIGHT OUTER"
    case full = "FULL OUTER"
    case cross = "CROSS"
}

public enum JoinCondition: Sendable, Hashable {
    case on(Expression)
    case using([Identifier])
}

public struct Join: Sendable, Hashable {
    public var kind: JoinKind
    public var natural: Bool
    public var left: TableReference
    public var right: TableReference
    /// nil for NATURAL and CROSS joins.
    public var condition: JoinCondition?
    public var range: SourceRange

    public init(
        kind: JoinKind, natural: Bool = false, left: TableReference, right: TableReference,
        condition: JoinCondition?, range: SourceRange = .synthesized
    ) {
        self.kind = kind
        self.natural = natural
        self.left = left
        self.right = right
        self.condition = condition
        self.range = range
    }
}

public struct OrderItem: Sendable, Hashable {
    /// A column name or alias, an ordinal (integer literal) or any expression.
    public var expression: Expression
    public var descending: Bool
    public var range: SourceRange

    public init(expression: Expression, descending: Bool = false, range: SourceRange = .synthesized) {
        self.expression = expression
        self.descending = descending
        self.range = range
    }
}

// MARK: - Expressions

public struct Expression: Sendable, Hashable {
    public var kind: ExpressionKind
    public var range: SourceRange

    public init(_ kind: ExpressionKind, range: SourceRange = .synthesized) {
        self.kind = kind
        self.range = range
    }
}

public enum Literal: Sendable, Hashable {
    /// Exact integer literal (decimal or hexadecimal `0x1F`), as written in the query.
    case integer(Int64)
    /// Approximate or exact-with-fraction numeric literal; `text` keeps the spelling.
    case real(Double, text: String)
    case string(String)
    case boolean(Bool)
    case null
}

public enum UnaryOperator: String, Sendable, Hashable {
    case plus = "+"
    case minus = "-"
}

public enum BinaryOperator: String, Sendable, Hashable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case concatenate = "||"
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case and = "AND"
    case or = "OR"

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}

/// ADQL 2.1 CAST target types.
public enum CastType: Sendable, Hashable {
    case smallint, integer, bigint, real, doublePrecision
    case char(length: Int?)
    case varchar(length: Int?)
    case timestamp
    case point, circle, polygon, region
}

public struct FunctionCall: Sendable, Hashable {
    /// The function name as written (`COUNT`, `scisql_angSep`, `CONTAINS`, ...).
    public var name: Identifier {
        didSet { upperName = CaseFolding.upper(name.name) }
    }
    /// The upper-cased name, for matching built-in functions: kept with the name, since the
    /// binder, type inference and renderers all ask for it.
    public private(set) var upperName: String
    public var arguments: [Expression]
    /// `COUNT(DISTINCT x)`, `SUM(DISTINCT x)`.
    public var distinct: Bool
    /// `COUNT(*)`.
    public var star: Bool

    public init(name: Identifier, arguments: [Expression], distinct: Bool = false, star: Bool = false) {
        self.name = name
        self.upperName = CaseFolding.upper(name.name)
        self.arguments = arguments
        self.distinct = distinct
        self.star = star
    }
}

public struct WhenClause: Sendable, Hashable {
    public var condition: Expression
    public var result: Expression

    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

public indirect enum ExpressionKind: Sendable, Hashable {
    case literal(Literal)
    /// A column reference, possibly qualified (`o.coord_ra`, `dp02_dc2_catalogs.Object.coord_ra`).
    case column(QualifiedName)
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)
    case not(Expression)
    /// Any function call: built-in math/string/aggregate, geometry (POINT, CIRCLE, BOX, POLYGON,
    /// REGION, CONTAINS, INTERSECTS, DISTANCE, AREA, COORD1, COORD2, COORDSYS, CENTROID),
    /// COALESCE, IN_UNIT, LOWER, UPPER and user-defined functions. The parser checks the arity of
    /// built-ins it knows; the binder checks that a function exists.
    case function(FunctionCall)
    case cast(Expression, CastType)
    /// Searched CASE (`operand == nil`) or simple CASE.
    case caseWhen(operand: Expression?, whens: [WhenClause], elseResult: Expression?)
    case between(Expression, low: Expression, high: Expression, negated: Bool)
    case inList(Expression, [Expression], negated: Bool)
    case inSubquery(Expression, Query, negated: Bool)
    case exists(Query)
    case scalarSubquery(Query)
    case isNull(Expression, negated: Bool)
    /// `LIKE` or, with `caseInsensitive`, `ILIKE`.
    case like(Expression, pattern: Expression, negated: Bool, caseInsensitive: Bool)
    /// A parenthesised expression, kept so that the canonical rendering preserves the user's
    /// grouping. Renderers may drop it where precedence makes it redundant.
    case parenthesized(Expression)
}
