// ADQL AST → SQLite SQL.
//
// The output is meant for connections that
//   * set `PRAGMA case_sensitive_like = ON` (ADQL's LIKE is case-sensitive; ILIKE is rendered as
//     `lower(a) LIKE lower(b)`, which folds ASCII letters only, as SQLite's `lower` does), and
//   * register every function of `SQLiteRenderer.udfSignatures` (math with ADQL semantics and
//     spherical geometry in degrees).
//
// Binary operators are always parenthesised in the output, so SQLite's own precedence (where `||`
// binds tighter than `*`) never matters. Identifiers are always double-quoted.

/// Hooks the planner implements to map ADQL names to the SQLite schema of a shard.
public protocol SQLiteDialect: Sendable {
    /// The SQL for a FROM item that names a table, including its alias, e.g. `"Object" AS "o"`
    /// or `chunk."Object_1234" AS "o"`.
    func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String
    /// The SQL for a column reference, e.g. `"o"."coord_ra"`.
    func columnReference(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String
    /// Appends the SQL of a column reference to `out` (the renderer's path: no String per
    /// reference). The default appends `columnReference`; a dialect that renders names as
    /// written implements it with `SQLiteRenderer.appendQuotedName`.
    func appendColumnReference(_ name: QualifiedName, to out: inout SQLBuffer, renderer: SQLiteRenderer) throws
    /// The SQL for the qualifier of `t.*` (without the `.*`).
    func wildcardQualifier(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String
    /// The SQL for a function call, or nil to use the default rendering. Use
    /// `renderer.render(_:)` for the arguments.
    func functionCall(_ call: FunctionCall, range: SourceRange, renderer: SQLiteRenderer) throws -> String?
    /// The number of columns of the table `name` names in a FROM clause (nil: unknown), for `*`
    /// in INTERSECT ALL / EXCEPT ALL, which address columns by position.
    func tableWidth(_ name: QualifiedName) -> Int?
}

extension SQLiteDialect {
    public func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String {
        SQLiteRenderer.defaultTableReference(name, alias: alias)
    }

    public func columnReference(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        SQLiteRenderer.quotedName(name)
    }

    public func appendColumnReference(_ name: QualifiedName, to out: inout SQLBuffer, renderer: SQLiteRenderer) throws {
        out += try columnReference(name, renderer: renderer)
    }

    public func wildcardQualifier(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        SQLiteRenderer.quotedName(name)
    }

    public func functionCall(_ call: FunctionCall, range: SourceRange, renderer: SQLiteRenderer) throws -> String? {
        nil
    }

    public func tableWidth(_ name: QualifiedName) -> Int? { nil }
}

/// Renders names as written (all parts quoted) and functions by default.
public struct DefaultSQLiteDialect: SQLiteDialect {
    public init() {}

    public func appendColumnReference(_ name: QualifiedName, to out: inout SQLBuffer, renderer: SQLiteRenderer) throws {
        SQLiteRenderer.appendQuotedName(name, to: &out)
    }
}

/// A construct that has no SQLite rendering.
public struct SQLiteRenderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var range: SourceRange

    public init(_ message: String, range: SourceRange = .synthesized) {
        self.message = message
        self.range = range
    }

    public var description: String {
        range == .synthesized ? message : "\(range.start): \(message)"
    }
}

/// The SQL being written: UTF-8 bytes appended in place (cheaper per append than a String),
/// turned into a String once at the end.
public struct SQLBuffer: Sendable {
    /// The bytes written so far, in storage of the buffer's own (copy-on-write): an append is
    /// a capacity test and a copy of its bytes, without `Array.append(contentsOf:)`'s generic
    /// path (a statement is written in a hundred or more small appends).
    private var storage: SQLBufferStorage

    public var bytes: [UInt8] { Array(storage.buffer) }

    public init(capacity: Int = 0) {
        storage = SQLBufferStorage(capacity: max(capacity, 16))
    }

    /// Room for `n` more bytes in storage of this buffer's own; returns where they go.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(extra: n) }
        if storage.count + n > storage.capacity { storage.grow(toHold: storage.count + n) }
        let at = storage.base + storage.count
        storage.count += n
        return at
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        let at = reserve(n)
        // Most pieces are a few bytes (", ", " AS ", a name): copied here rather than through
        // a call of memcpy.
        if n <= 16 {
            for i in 0..<n { at[i] = source[i] }
        } else {
            at.initialize(from: source, count: n)
        }
    }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// The decimal digits of `value`, written in place (no String per number).
    public mutating func append(_ value: Int64) {
        if value < 0 {
            append(byte: 45)
            if value == .min { return append("9223372036854775808") }
        }
        var v = value.magnitude
        var digits = 1, scale: UInt64 = 1
        while v / scale >= 10 {
            scale *= 10
            digits += 1
        }
        let at = reserve(digits)
        for i in 0..<digits {
            at[i] = 48 + UInt8(v / scale)
            v %= scale
            scale /= 10
        }
    }

    public mutating func append(byte: UInt8) { reserve(1).pointee = byte }

    /// `"name"` with embedded double quotes doubled.
    public mutating func appendQuoted(_ name: String) {
        var name = name
        name.withUTF8 { utf8 in
            let quotes = utf8.reduce(0) { $1 == 34 ? $0 + 1 : $0 }
            let at = reserve(utf8.count + quotes + 2)
            at[0] = 34
            var i = 1
            if quotes == 0 {
                if let source = utf8.baseAddress { (at + 1).initialize(from: source, count: utf8.count) }
                i += utf8.count
            } else {
                for b in utf8 {
                    at[i] = b
                    i += 1
                    if b == 34 {
                        at[i] = 34
                        i += 1
                    }
                }
            }
            at[i] = 34
        }
    }

    public static func += (buffer: inout SQLBuffer, text: String) { buffer.append(text) }

    public var string: String { String(decoding: storage.buffer, as: UTF8.self) }
}

/// The bytes of an `SQLBuffer` (mutated only through a uniquely referenced buffer).
final class SQLBufferStorage: @unchecked Sendable {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func copy(extra: Int) -> SQLBufferStorage {
        let copy = SQLBufferStorage(capacity: max(capacity, count + extra))
        copy.base.initialize(from: base, count: count)
        copy.count = count
        return copy
    }

    func grow(toHold needed: Int) {
        var newCapacity = 2 * capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    deinit { base.deallocate() }
}

public struct SQLiteRenderer: Sendable {
    public var dialect: any SQLiteDialect

    public init(dialect: any SQLiteDialect = DefaultSQLiteDialect()) {
        self.dialect = dialect
    }

    /// SQLite's default limit on the number of arguments of a function call.
    public static let maxFunctionArguments = 127

    // MARK: - User-defined functions

    /// Every function the renderer emits that SQLite does not provide, with its number of
    /// arguments. The Shard layer registers all of them. Angles are in degrees unless noted.
    ///
    /// Math (ADQL semantics; NULL in → NULL out; a domain error such as `adql_sqrt(-1)` or
    /// `adql_log(0)` returns NULL):
    /// - `adql_ceiling(x)`, `adql_floor(x)`: integer-valued; an INTEGER argument is returned as is.
    /// - `adql_degrees(x)`, `adql_radians(x)`: unit conversion.
    /// - `adql_exp(x)`, `adql_log(x)` (natural logarithm), `adql_log10(x)`, `adql_sqrt(x)`.
    /// - `adql_power(x, y)`: x raised to y, as a double.
    /// - `adql_mod(a, b)`: remainder of a / b with the sign of a; INTEGER when both arguments are
    ///   INTEGER (like `%`), otherwise `fmod` on doubles (SQLite's `%` would truncate the operands
    ///   to integers first). `b = 0` gives NULL.
    /// - `adql_rand()` / `adql_rand(seed)`: a double in [0, 1); with a seed, deterministic.
    /// - `adql_round(x)` / `adql_round(x, n)`: round half away from zero to n decimal places
    ///   (n may be negative: `adql_round(1234, -2) = 1200`); INTEGER in → INTEGER out.
    /// - `adql_truncate(x)` / `adql_truncate(x, n)`: like round but towards zero.
    /// - `adql_acos`, `adql_asin`, `adql_atan`, `adql_cos`, `adql_cot`, `adql_sin`, `adql_tan` (x),
    ///   `adql_atan2(y, x)`: trigonometry in **radians**, as in ADQL.
    ///
    /// Geometry. A point is (ra, dec); a circle (ra, dec, radius); a box (ra, dec, width, height)
    /// centred on (ra, dec) with sides along the great circles through the centre as in ADQL; a
    /// polygon its vertices (ra1, dec1, ra2, dec2, ...), joined by great-circle arcs. Predicates
    /// return INTEGER 1 or 0 (NULL if any argument is NULL).
    /// - `adql_contains_<a>_<b>(a..., b...)`: 1 if shape a lies inside shape b, for
    ///   a ∈ {point, circle, box, polygon}, b ∈ {circle, box, polygon}.
    /// - `adql_intersects_<a>_<b>(a..., b...)`: 1 if the shapes overlap, for a, b ∈ {circle, box,
    ///   polygon} in that order (INTERSECTS with a point renders as `adql_contains_point_<b>`).
    /// - When both shapes are polygons, the first argument is the vertex count of the first
    ///   polygon: `adql_contains_polygon_polygon(n1, ra1, dec1, ..., ra_n1, dec_n1, ...)`.
    /// - `adql_distance(ra1, dec1, ra2, dec2)`: great-circle distance in degrees.
    /// - `adql_area_circle(ra, dec, r)`, `adql_area_box(ra, dec, w, h)`,
    ///   `adql_area_polygon(ra1, dec1, ...)`: area in square degrees.
    /// - `adql_point(ra, dec)`, `adql_circle(ra, dec, r)`, `adql_box(ra, dec, w, h)`,
    ///   `adql_polygon(ra1, dec1, ...)`: the shape as a DALI string value (numbers separated by
    ///   single spaces: `"10.5 -3.25"` for a point, `"ra dec r"` for a circle, the vertex list
    ///   for a polygon; a box is returned as its 4-vertex polygon).
    /// - Generic forms for geometry values that are not literal constructors (geometry-valued
    ///   columns or functions, which hold DALI strings: 2 numbers = point, 3 = circle, 6 or more
    ///   = polygon): `adql_contains(g1, g2)`, `adql_intersects(g1, g2)`, `adql_area(g)`,
    ///   `adql_coord1(g)`, `adql_coord2(g)`, `adql_centroid(g)` (a DALI point string),
    ///   `adql_distance_points(g1, g2)`.
    /// - `adql_cast_geometry(kind, text)`: REGION and CAST to 'point', 'circle', 'polygon' or
    ///   'region' of a value known only at run time: `text` is DALI numbers or a simple STC-S
    ///   region (Position, Circle, Box, Polygon; see `STCSRegion`); the result is the geometry
    ///   value (DALI numbers; a Box as `Box ICRS lon lat width height`, which the generic forms
    ///   read exactly). A value of another kind, malformed text or a compound region is an error.
    public static let udfSignatures: [String: ClosedRange<Int>] = {
        var table: [String: ClosedRange<Int>] = [
            "adql_ceiling": 1...1, "adql_floor": 1...1, "adql_degrees": 1...1, "adql_radians": 1...1,
            "adql_exp": 1...1, "adql_log": 1...1, "adql_log10": 1...1, "adql_sqrt": 1...1,
            "adql_power": 2...2, "adql_mod": 2...2, "adql_rand": 0...1, "adql_round": 1...2,
            "adql_truncate": 1...2,
            "adql_acos": 1...1, "adql_asin": 1...1, "adql_atan": 1...1, "adql_atan2": 2...2,
            "adql_cos": 1...1, "adql_cot": 1...1, "adql_sin": 1...1, "adql_tan": 1...1,
            "adql_distance": 4...4,
            "adql_point": 2...2, "adql_circle": 3...3, "adql_box": 4...4,
            "adql_polygon": 6...maxFunctionArguments,
            "adql_area_circle": 3...3, "adql_area_box": 4...4, "adql_area_polygon": 6...maxFunctionArguments,
            "adql_contains": 2...2, "adql_intersects": 2...2, "adql_area": 1...1, "adql_coord1": 1...1,
            "adql_coord2": 1...1, "adql_centroid": 1...1, "adql_distance_points": 2...2,
            "adql_cast_geometry": 2...2,
        ]
        for a in ShapeKind.allCases {
            for b in ShapeKind.allCases where b != .point {
                table["adql_contains_\(a)_\(b)"] = ShapeKind.arity(a, b)
            }
        }
        let areal: [ShapeKind] = [.circle, .box, .polygon]
        for (i, a) in areal.enumerated() {
            for b in areal[i...] {
                table["adql_intersects_\(a)_\(b)"] = ShapeKind.arity(a, b)
            }
        }
        return table
    }()

    /// The aggregate functions and their SQLite names.
    static let aggregateNames: [String: String] = [
        "COUNT": "count", "SUM": "sum", "AVG": "avg", "MIN": "min", "MAX": "max",
    ]

    /// The math functions that map one-to-one onto a UDF.
    static let mathUDFs: [String: String] = [
        "CEILING": "adql_ceiling", "FLOOR": "adql_floor", "DEGREES": "adql_degrees",
        "RADIANS": "adql_radians", "EXP": "adql_exp", "LOG": "adql_log", "LOG10": "adql_log10",
        "SQRT": "adql_sqrt", "POWER": "adql_power", "MOD": "adql_mod", "RAND": "adql_rand",
        "ROUND": "adql_round", "TRUNCATE": "adql_truncate", "ACOS": "adql_acos", "ASIN": "adql_asin",
        "ATAN": "adql_atan", "ATAN2": "adql_atan2", "COS": "adql_cos", "COT": "adql_cot",
        "SIN": "adql_sin", "TAN": "adql_tan",
    ]

    // MARK: - Helpers for dialects

    /// `"name"` with embedded double quotes doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        CanonicalWriter.doubling(name, quote: "\"")
    }

    /// `'text'` with embedded single quotes doubled.
    public static func quoteString(_ text: String) -> String {
        CanonicalWriter.doubling(text, quote: "'")
    }

    /// All parts quoted and joined with `.`.
    public static func quotedName(_ name: QualifiedName) -> String {
        var out = SQLBuffer(capacity: name.parts.reduce(0) { $0 + $1.name.utf8.count + 3 })
        appendQuotedName(name, to: &out)
        return out.string
    }

    /// Appends `quotedName(name)` to `out`: this runs for every column reference of every plan.
    public static func appendQuotedName(_ name: QualifiedName, to out: inout SQLBuffer) {
        // By index: the parts are read in place, not copied (every column reference comes here).
        for i in name.parts.indices {
            if i > 0 { out.append(byte: 46) }
            out.appendQuoted(name.parts[i].name)
        }
    }

    /// Appends `quoteIdentifier(name)` to `out`.
    public static func appendQuotedIdentifier(_ name: String, to out: inout SQLBuffer) {
        out.appendQuoted(name)
    }

    /// `"schema"."table" AS "alias"`.
    public static func defaultTableReference(_ name: QualifiedName, alias: Identifier?) -> String {
        var s = quotedName(name)
        if let alias { s += " AS " + quoteIdentifier(alias.name) }
        return s
    }

    // MARK: - Queries

    public func render(_ query: Query) throws -> String {
        if case .nested(let inner) = query.body, query.with.isEmpty, query.orderBy.isEmpty, query.offset == nil {
            return try render(inner)
        }
        var out = ""
        if !query.with.isEmpty {
            out += "WITH "
            for (i, cte) in query.with.enumerated() {
                if i > 0 { out += ", " }
                out += SQLiteRenderer.quoteIdentifier(cte.name.name)
                if !cte.columnNames.isEmpty {
                    out += "(" + cte.columnNames.map { SQLiteRenderer.quoteIdentifier($0.name) }.joined(separator: ", ") + ")"
                }
                out += " AS (" + (try render(cte.query)) + ")"
            }
            out += " "
        }
        var limit: Int?
        switch query.body {
        case .select(let s):
            out += try selectCore(s)
            limit = s.top
        default:
            out += try compoundMember(query.body, position: .left)
        }
        if !query.orderBy.isEmpty {
            out += " ORDER BY "
            out += try query.orderBy.map { item in
                try render(item.expression) + (item.descending ? " DESC" : "")
            }.joined(separator: ", ")
        }
        if let limit {
            out += " LIMIT \(limit)"
        } else if query.offset != nil {
            out += " LIMIT -1"
        }
        if let offset = query.offset { out += " OFFSET \(offset)" }
        return out
    }

    private enum MemberPosition { case left, right }

    /// A query body as an operand of a compound SELECT. SQLite has no parentheses there and
    /// evaluates compound operators left to right, so anything else is wrapped in a sub-query.
    private func compoundMember(_ body: QueryBody, position: MemberPosition) throws -> String {
        switch body {
        case .select(let s):
            if let top = s.top { return "SELECT * FROM (" + (try selectCore(s)) + " LIMIT \(top))" }
            return try selectCore(s)
        case .nested(let q):
            return "SELECT * FROM (" + (try render(q)) + ")"
        case .setOperation(let op, true, let left, let right) where op != .union:
            return try multisetOperation(op, left, right)
        case .setOperation(let op, let all, let left, let right):
            let sql = try compoundMember(left, position: .left) + " " + op.rawValue + (all ? " ALL " : " ")
                + (try compoundMember(right, position: .right))
            return position == .left ? sql : "SELECT * FROM (" + sql + ")"
        }
    }

    /// `left INTERSECT ALL right` / `left EXCEPT ALL right`, which SQLite lacks, with exact
    /// multiset semantics: each row of a side is numbered among its duplicates
    /// (`ROW_NUMBER() OVER (PARTITION BY every column)`), so that plain INTERSECT / EXCEPT on
    /// (row, number) keeps min(m, n) / max(m - n, 0) copies of a row that occurs m times on the
    /// left and n times on the right (NULLs are equal here, as in SQL set operations). Columns
    /// are addressed by position through a zero-row first member that names them; another
    /// zero-row member made of the left side gives the result the left side's column names.
    private func multisetOperation(_ op: SetOperator, _ left: QueryBody, _ right: QueryBody) throws -> String {
        guard let width = columnCount(left) ?? columnCount(right) else {
            throw SQLiteRenderError(
                "\(op.rawValue) ALL needs to know how many columns its operands have: give one operand a select list without * (or with * over tables and derived tables, not USING or NATURAL joins)")
        }
        let columns = (1...width).map { SQLiteRenderer.quoteIdentifier("adql_c\($0)") }
        let list = columns.joined(separator: ", ")
        let naming = "SELECT " + columns.map { "NULL AS " + $0 }.joined(separator: ", ") + " WHERE 0"
        func numbered(_ body: QueryBody) throws -> String {
            "SELECT \(list), ROW_NUMBER() OVER (PARTITION BY \(list)) AS \"adql_n\" FROM (" + naming
                + " UNION ALL SELECT * FROM (" + (try compoundMember(body, position: .left)) + "))"
        }
        let leftSQL = try compoundMember(left, position: .left)
        return "SELECT * FROM (SELECT * FROM (" + leftSQL + ") WHERE 0 UNION ALL SELECT \(list) FROM ("
            + (try numbered(left)) + " " + op.rawValue + " " + (try numbered(right)) + "))"
    }

    /// The number of columns of a query body (nil when unknown): from its select list, where
    /// `*` counts the columns of derived tables and of the tables the dialect knows; joins with
    /// USING or NATURAL (which merge columns) are not counted.
    func columnCount(_ body: QueryBody) -> Int? {
        switch body {
        case .select(let s):
            var widths: [(correlation: String, width: Int)] = []
            func collect(_ ref: TableReference) -> Bool {
                switch ref {
                case .table(let name, let alias, _):
                    guard let w = dialect.tableWidth(name) else { return false }
                    widths.append(((alias ?? name.last).name, w))
                    return true
                case .derived(let q, let alias, _):
                    guard let w = columnCount(q.body) else { return false }
                    widths.append((alias.name, w))
                    return true
                case .join(let j):
                    if j.natural { return false }
                    if case .using? = j.condition { return false }
                    return collect(j.left) && collect(j.right)
                }
            }
            var total = 0
            var collected: Bool?
            for item in s.items {
                if case .expression = item {
                    total += 1
                    continue
                }
                if collected == nil { collected = s.from.allSatisfy(collect) }
                guard collected == true else { return nil }
                switch item {
                case .qualifiedWildcard(let q, _):
                    guard let t = widths.first(where: { q.last.matches($0.correlation) }) else { return nil }
                    total += t.width
                default:
                    total += widths.reduce(0) { $0 + $1.width }
                }
            }
            return total
        case .setOperation(_, _, let l, let r): return columnCount(l) ?? columnCount(r)
        case .nested(let q): return columnCount(q.body)
        }
    }

    private func selectCore(_ s: SelectStatement) throws -> String {
        // One buffer for the whole statement: a select list of a hundred columns is a hundred
        // appends, not a hundred strings joined.
        var out = SQLBuffer(capacity: 64 + 48 * s.items.count)
        out += "SELECT "
        if s.quantifier == .distinct { out += "DISTINCT " }
        // By index: the items are read in place, not copied.
        for i in s.items.indices {
            if i > 0 { out += ", " }
            switch s.items[i] {
            case .wildcard: out += "*"
            case .qualifiedWildcard(let name, _):
                out += try dialect.wildcardQualifier(name, renderer: self) + ".*"
            case .expression(let e, let alias):
                try append(e, to: &out)
                if let alias {
                    out += " AS "
                    SQLiteRenderer.appendQuotedIdentifier(alias.name, to: &out)
                }
            }
        }
        if !s.from.isEmpty {
            out += " FROM " + (try s.from.map(table).joined(separator: ", "))
        }
        if let w = s.whereClause {
            out += " WHERE "
            try append(w, to: &out)
        }
        if !s.groupBy.isEmpty {
            out += " GROUP BY "
            try appendList(s.groupBy, to: &out)
        }
        if let h = s.having {
            out += " HAVING "
            try append(h, to: &out)
        }
        return out.string
    }

    /// Renders one FROM item.
    public func table(_ t: TableReference) throws -> String {
        switch t {
        case .table(let name, let alias, _):
            return try dialect.tableReference(name, alias: alias, renderer: self)
        case .derived(let q, let alias, _):
            return "(" + (try render(q)) + ") AS " + SQLiteRenderer.quoteIdentifier(alias.name)
        case .join(let j):
            var out = try table(j.left) + " "
            if j.natural { out += "NATURAL " }
            switch j.kind {
            case .inner: out += "JOIN "
            case .left: out += "LEFT JOIN "
            case .right: out += "RIGHT JOIN "
            case .full: out += "FULL JOIN "
            case .cross: out += "CROSS JOIN "
            }
            if case .join = j.right {
                out += "(" + (try table(j.right)) + ")"
            } else {
                out += try table(j.right)
            }
            switch j.condition {
            case .on(let e)?: out += " ON " + (try render(e))
            case .using(let columns)?:
                out += " USING (" + columns.map { SQLiteRenderer.quoteIdentifier($0.name) }.joined(separator: ", ") + ")"
            case nil: break
            }
            return out
        }
    }

    // MARK: - Expressions

    public func render(_ e: Expression) throws -> String {
        var out = SQLBuffer(capacity: 64)
        try append(e, to: &out)
        return out.string
    }

    /// Renders `list` separated by commas into `out`.
    func appendList(_ list: [Expression], to out: inout SQLBuffer) throws {
        for (i, e) in list.enumerated() {
            if i > 0 { out += ", " }
            try append(e, to: &out)
        }
    }

    /// Appends the SQL of `e` to `out`. The common nodes (names, literals, operators, argument
    /// lists) are written in place; the rest are rendered by `renderNode`.
    public func append(_ e: Expression, to out: inout SQLBuffer) throws {
        switch e.kind {
        case .literal(let l):
            SQLiteRenderer.appendLiteral(l, to: &out)
        case .column(let name):
            try dialect.appendColumnReference(name, to: &out, renderer: self)
        case .unary(let op, let operand):
            if op == .plus { return try append(operand, to: &out) }
            out += "(- "
            try append(operand, to: &out)
            out += ")"
        case .binary(let op, let l, let r):
            // Left-deep chains are rendered iteratively (no recursion per operator).
            var spine: [(BinaryOperator, Expression)] = [(op, r)]
            var leftmost = l
            while case .binary(let lop, let ll, let lr) = leftmost.kind {
                spine.append((lop, lr))
                leftmost = ll
            }
            for _ in 0..<spine.count { out += "(" }
            try append(leftmost, to: &out)
            for (o, right) in spine.reversed() {
                out += " "
                out += o.rawValue
                out += " "
                try append(right, to: &out)
                out += ")"
            }
        case .not(let operand):
            out += "(NOT "
            try append(operand, to: &out)
            out += ")"
        case .between(let value, let low, let high, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " NOT BETWEEN " : " BETWEEN "
            try append(low, to: &out)
            out += " AND "
            try append(high, to: &out)
            out += ")"
        case .inList(let value, let list, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " NOT IN (" : " IN ("
            try appendList(list, to: &out)
            out += "))"
        case .isNull(let value, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " IS NOT NULL)" : " IS NULL)"
        case .parenthesized(let inner):
            try append(inner, to: &out)
        case .function(let call):
            try appendFunction(call, of: e, to: &out)
        case .cast(let value, let type) where SQLiteRenderer.numericCastType(type) != nil:
            // Numeric casts (the zone of every zone-indexed band) in place.
            out += "CAST("
            try append(value, to: &out)
            out += SQLiteRenderer.numericCastType(type)!
        default:
            out += try renderNode(e)
        }
    }

    /// The ` AS <type>)` that ends a numeric CAST; nil for the other types.
    private static func numericCastType(_ type: CastType) -> String? {
        switch type {
        case .smallint, .integer, .bigint: " AS INTEGER)"
        case .real, .doublePrecision: " AS REAL)"
        default: nil
        }
    }

    /// Appends the SQL of the function call `e` (whose kind is `.function(f)`) to `out`.
    private func appendFunction(_ f: FunctionCall, of e: Expression, to out: inout SQLBuffer) throws {
        if let predicate = try RegionFolding.compoundPredicate(e, range: e.range) {
            return try append(RegionFolding.integerForm(predicate, range: e.range), to: &out)
        }
        if let sql = try dialect.functionCall(f, range: e.range, renderer: self) {
            out += sql
            return
        }
        try appendDefaultFunction(f, range: e.range, to: &out)
    }

    /// The SQL of the nodes `append` does not write in place.
    private func renderNode(_ e: Expression) throws -> String {
        switch e.kind {
        case .literal, .column, .unary, .binary, .not, .between, .inList, .isNull, .parenthesized:
            return try render(e)
        case .function(let call):
            var out = SQLBuffer(capacity: 64)
            try appendFunction(call, of: e, to: &out)
            return out.string
        case .cast(let value, let type) where type.isGeometry:
            if let folded = try RegionFolding.cast(value, type, range: e.range) { return try render(folded) }
            return try call("adql_cast_geometry", [SQLiteRenderer.quoteString(type.canonicalADQL.lowercased()), render(value)],
                            range: e.range)
        case .cast(let value, let type):
            return try cast(render(value), type, range: e.range)
        case .caseWhen(let operand, let whens, let elseResult):
            var out = "CASE"
            if let operand { out += " " + (try render(operand)) }
            for w in whens {
                out += " WHEN " + (try render(w.condition)) + " THEN " + (try render(w.result))
            }
            if let elseResult { out += " ELSE " + (try render(elseResult)) }
            return out + " END"
        case .inSubquery(let value, let q, let negated):
            return "(" + (try render(value)) + (negated ? " NOT IN (" : " IN (") + (try render(q)) + "))"
        case .exists(let q):
            return "EXISTS (" + (try render(q)) + ")"
        case .scalarSubquery(let q):
            return "(" + (try render(q)) + ")"
        case .like(let value, let pattern, let negated, let insensitive):
            let not = negated ? " NOT" : ""
            if insensitive {
                return "(lower(" + (try render(value)) + ")" + not + " LIKE lower(" + (try render(pattern)) + "))"
            }
            return "(" + (try render(value)) + not + " LIKE " + (try render(pattern)) + ")"
        }
    }

    static func literal(_ l: Literal) -> String {
        var out = SQLBuffer(capacity: 16)
        appendLiteral(l, to: &out)
        return out.string
    }

    static func appendLiteral(_ l: Literal, to out: inout SQLBuffer) {
        switch l {
        case .integer(let v): out.append(v)
        case .real(let v, let text):
            if v.isInfinite { out += v < 0 ? "-1e999" : "1e999" } else { out += text.isEmpty ? CanonicalWriter.realText(v) : text }
        case .string(let s): out += quoteString(s)
        case .boolean(let b): out += b ? "1" : "0"
        case .null: out += "NULL"
        }
    }

    private func cast(_ value: String, _ type: CastType, range: SourceRange) throws -> String {
        switch type {
        case .smallint, .integer, .bigint, .real, .doublePrecision: return "CAST(" + value + SQLiteRenderer.numericCastType(type)!
        case .char(let n), .varchar(let n):
            let text = "CAST(" + value + " AS TEXT)"
            if let n { return "substr(" + text + ", 1, \(n))" }
            return text
        case .timestamp: return "strftime('%Y-%m-%dT%H:%M:%f', " + value + ")"
        case .point, .circle, .polygon, .region:
            return try call("adql_cast_geometry", [SQLiteRenderer.quoteString(type.canonicalADQL.lowercased()), value],
                            range: range)
        }
    }

    /// Throws when SQLite would refuse a call of `name` with `count` arguments.
    private static func checkArgumentCount(_ count: Int, of name: String, range: SourceRange) throws {
        if count > SQLiteRenderer.maxFunctionArguments {
            throw SQLiteRenderError(
                "too many arguments (\(count)) for \(name); SQLite allows \(SQLiteRenderer.maxFunctionArguments)",
                range: range)
        }
    }

    private func call(_ name: String, _ arguments: [String], range: SourceRange) throws -> String {
        try SQLiteRenderer.checkArgumentCount(arguments.count, of: name, range: range)
        return name + "(" + arguments.joined(separator: ", ") + ")"
    }

    /// Appends `name(arguments)` to `out`, the arguments written in place.
    private func appendCall(_ name: String, _ arguments: [Expression], range: SourceRange,
                            to out: inout SQLBuffer) throws {
        try SQLiteRenderer.checkArgumentCount(arguments.count, of: name, range: range)
        out += name
        out += "("
        try appendList(arguments, to: &out)
        out += ")"
    }

    /// The default rendering of a function call (what applies when the dialect returns nil).
    public func defaultFunction(_ f: FunctionCall, range: SourceRange) throws -> String {
        var out = SQLBuffer(capacity: 64)
        try appendDefaultFunction(f, range: range, to: &out)
        return out.string
    }

    /// Appends the default rendering of a function call to `out`. Aggregates, user-defined
    /// functions and the plain math functions (the calls of typical queries) are written in
    /// place; the rest through `otherFunction`.
    private func appendDefaultFunction(_ f: FunctionCall, range: SourceRange, to out: inout SQLBuffer) throws {
        let upper = f.upperName
        // Aggregates first: every aggregate query renders them in both phases.
        // Aggregate names are 3 to 5 letters: longer names (user-defined functions) skip the hash.
        if upper.utf8.count <= 5, let name = SQLiteRenderer.aggregateNames[upper] {
            out += name
            if f.star {
                out += "(*)"
                return
            }
            out += f.distinct ? "(DISTINCT " : "("
            try appendList(f.arguments, to: &out)
            out += ")"
            return
        }
        // CONTAINS / INTERSECTS of two constant-coordinate shapes (every cone and polygon
        // search): written in place, before the function tables are consulted.
        if upper == "CONTAINS" || upper == "INTERSECTS", let (prefix, a, b) = Self.shapePredicate(f, upper: upper) {
            return try appendShapeCall(prefix, a, b, range: range, to: &out)
        }
        guard upper.utf8.count <= ADQLKeywords.maxFunctionNameLength, ADQLKeywords.functionArity[upper] != nil else {
            return try appendCall(f.name.name, f.arguments, range: range, to: &out)
        }
        if let udf = SQLiteRenderer.mathUDFs[upper] {
            return try appendCall(udf, f.arguments, range: range, to: &out)
        }
        switch upper {
        case "ABS", "LOWER", "UPPER":
            try appendCall(upper.lowercased(), f.arguments, range: range, to: &out)
        default:
            out += try otherFunction(f, upper: upper, range: range)
        }
    }

    /// The default rendering of the ADQL functions `appendDefaultFunction` does not write in place.
    private func otherFunction(_ f: FunctionCall, upper: String, range: SourceRange) throws -> String {
        switch upper {
        case "PI":
            return "3.141592653589793"
        case "COALESCE":
            if f.arguments.count == 1 { return try render(f.arguments[0]) }
            return try call("coalesce", f.arguments.map(render), range: range)
        case "IN_UNIT":
            throw SQLiteRenderError("IN_UNIT needs the unit of its argument and must be resolved by the planner",
                                    range: range)
        case "COORDSYS":
            return "'ICRS'"
        case "REGION":
            if let folded = try RegionFolding.transform(Expression(.function(f), range: range)) {
                return try render(folded)
            }
            return try call("adql_cast_geometry", ["'region'", render(f.arguments[0])], range: range)
        default:
            return try geometryFunction(f, upper: upper, range: range)
        }
    }

    // MARK: - Geometry

    private func geometryFunction(_ f: FunctionCall, upper: String, range: SourceRange) throws -> String {
        let args = f.arguments
        switch upper {
        case "CONTAINS", "INTERSECTS":
            guard args.count == 2 else { break }
            if let (prefix, a, b) = Self.shapePredicate(f, upper: upper) {
                var out = SQLBuffer(capacity: 128)
                try appendShapeCall(prefix, a, b, range: range, to: &out)
                return out.string
            }
            return try call("adql_" + upper.lowercased(), [geometryValue(args[0]), geometryValue(args[1])], range: range)
        case "DISTANCE":
            if args.count == 4 { return try call("adql_distance", args.map(render), range: range) }
            guard args.count == 2 else { break }
            if let a = Shape(args[0]), a.kind == .point, let b = Shape(args[1]), b.kind == .point {
                return try call("adql_distance", (a.arguments + b.arguments).map(render), range: range)
            }
            return try call("adql_distance_points", [geometryValue(args[0]), geometryValue(args[1])], range: range)
        case "AREA":
            guard args.count == 1 else { break }
            if let s = Shape(args[0]) {
                if s.kind == .point { return "0.0" }
                return try call("adql_area_\(s.kind)", s.arguments.map(render), range: range)
            }
            return try call("adql_area", [geometryValue(args[0])], range: range)
        case "COORD1", "COORD2":
            guard args.count == 1 else { break }
            if let s = Shape(args[0]), s.kind == .point {
                return try render(s.arguments[s.arguments.startIndex + (upper == "COORD1" ? 0 : 1)])
            }
            return try call("adql_" + upper.lowercased(), [geometryValue(args[0])], range: range)
        case "CENTROID":
            guard args.count == 1 else { break }
            if let s = Shape(args[0]), let c = s.centroid {
                return try call("adql_point", c.arguments.map(render), range: range)
            }
            return try call("adql_centroid", [geometryValue(args[0])], range: range)
        case "POINT", "CIRCLE", "BOX", "POLYGON":
            return try geometryValue(Expression(.function(f), range: range))
        default:
            break
        }
        throw SQLiteRenderError("\(upper) with \(args.count) arguments has no SQLite rendering", range: range)
    }

    /// A geometry-valued expression as a DALI string value.
    private func geometryValue(_ e: Expression) throws -> String {
        if let s = Shape(e) {
            return try call("adql_\(s.kind)", s.arguments.map(render), range: e.range)
        }
        if case .function(let f) = e.kind, Shape.isConstructor(f.upperName),
           try dialect.functionCall(f, range: e.range, renderer: self) == nil
        {
            throw SQLiteRenderError(
                "\(f.upperName) needs literal coordinates (a point given as a column or expression is not supported here)",
                range: e.range)
        }
        return try render(e)
    }

    /// The shape function a CONTAINS / INTERSECTS (`upper`) call of two constant-coordinate
    /// shapes renders as: its name prefix and its two shapes in argument order; nil when the
    /// call is not of that form.
    private static func shapePredicate(_ f: FunctionCall, upper: String) -> (String, Shape, Shape)? {
        guard f.arguments.count == 2, let a = Shape(f.arguments[0]), let b = Shape(f.arguments[1]) else { return nil }
        if upper == "CONTAINS" && b.kind != .point { return ("adql_contains", a, b) }
        if upper == "INTERSECTS" {
            if a.kind == .point, b.kind != .point { return ("adql_contains", a, b) }
            if b.kind == .point, a.kind != .point { return ("adql_contains", b, a) }
            if a.kind != .point { return a.kind.rawValue <= b.kind.rawValue ? ("adql_intersects", a, b) : ("adql_intersects", b, a) }
        }
        return nil
    }

    /// Appends `<prefix>_<a>_<b>(coordinates)` to `out`.
    private func appendShapeCall(_ prefix: String, _ a: Shape, _ b: Shape, range: SourceRange,
                                 to out: inout SQLBuffer) throws {
        let polygons = a.kind == .polygon && b.kind == .polygon
        let count = (polygons ? 1 : 0) + a.arguments.count + b.arguments.count
        if count > SQLiteRenderer.maxFunctionArguments {
            try SQLiteRenderer.checkArgumentCount(count, of: prefix + "_" + a.kind.description + "_" + b.kind.description,
                                                  range: range)
        }
        // The name and the coordinates are written in place, the coordinates from the call's
        // own arguments (no name String, no argument array and no String per coordinate).
        out += prefix
        out.append(byte: 95)
        out += a.kind.description
        out.append(byte: 95)
        out += b.kind.description
        out += "("
        var first = true
        if polygons {
            out.append(Int64(a.arguments.count / 2))
            first = false
        }
        for e in a.arguments {
            if !first { out += ", " }
            first = false
            try append(e, to: &out)
        }
        for e in b.arguments {
            out += ", "
            try append(e, to: &out)
        }
        out += ")"
    }
}

enum ShapeKind: Int, CaseIterable, CustomStringConvertible {
    case point, circle, box, polygon

    var description: String {
        switch self {
        case .point: "point"
        case .circle: "circle"
        case .box: "box"
        case .polygon: "polygon"
        }
    }

    var fixedArity: Int? {
        switch self {
        case .point: 2
        case .circle: 3
        case .box: 4
        case .polygon: nil
        }
    }

    /// Arity of `adql_<op>_<a>_<b>`.
    static func arity(_ a: ShapeKind, _ b: ShapeKind) -> ClosedRange<Int> {
        let max = SQLiteRenderer.maxFunctionArguments
        switch (a.fixedArity, b.fixedArity) {
        case (let x?, let y?): return (x + y)...(x + y)
        case (let x?, nil), (nil, let x?): return (x + 6)...max
        case (nil, nil): return 13...max
        }
    }
}

/// A geometry constructor with literal coordinates, after folding `CIRCLE(POINT(a, b), r)`,
/// `CENTROID(CIRCLE(...))` and dropping coordinate-system strings.
struct Shape {
    var kind: ShapeKind
    /// Flat coordinates: (ra, dec), (ra, dec, r), (ra, dec, w, h), (ra1, dec1, ...); usually
    /// a slice of the constructor call's own arguments (no array is built).
    var arguments: ArraySlice<Expression>

    init(kind: ShapeKind, arguments: ArraySlice<Expression>) {
        self.kind = kind
        self.arguments = arguments
    }

    init?(_ e: Expression) {
        var e = e
        while case .parenthesized(let inner) = e.kind { e = inner }
        if case .cast(_, let type) = e.kind, type.isGeometry,
           let folded = try? RegionFolding.transform(e), folded != e
        {
            self.init(folded)
            return
        }
        guard case .function(let f) = e.kind else { return nil }
        if f.upperName == "REGION" {
            guard let folded = try? RegionFolding.transform(e) else { return nil }
            self.init(folded)
            return
        }
        var args = f.arguments[...]
        let upper = f.upperName
        if Shape.isConstructor(upper), let first = args.first, case .literal(.string) = first.kind {
            args = args.dropFirst()
        }
        switch upper {
        case "POINT":
            guard args.count == 2 else { return nil }
            self.init(kind: .point, arguments: args)
        case "CIRCLE", "BOX":
            let kind: ShapeKind = upper == "CIRCLE" ? .circle : .box
            let sizes = upper == "CIRCLE" ? 1 : 2
            if args.count == 2 + sizes {
                self.init(kind: kind, arguments: args)
            } else if args.count == 1 + sizes, let c = Shape(args[args.startIndex]), c.kind == .point {
                self.init(kind: kind, arguments: c.arguments + args.dropFirst())
            } else {
                return nil
            }
        case "POLYGON":
            if let first = args.first, Shape(first) != nil {
                var coordinates: [Expression] = []
                for a in args {
                    guard let p = Shape(a), p.kind == .point else { return nil }
                    coordinates += p.arguments
                }
                guard coordinates.count >= 6 else { return nil }
                self.init(kind: .polygon, arguments: coordinates[...])
            } else {
                guard args.count >= 6, args.count % 2 == 0 else { return nil }
                self.init(kind: .polygon, arguments: args)
            }
        case "CENTROID":
            guard args.count == 1, let s = Shape(args[args.startIndex]), let c = s.centroid else { return nil }
            self = c
        default:
            return nil
        }
    }

    /// Whether `upper` names a shape constructor (POINT, CIRCLE, BOX, POLYGON).
    static func isConstructor(_ upper: String) -> Bool {
        switch upper {
        case "POINT", "CIRCLE", "BOX", "POLYGON": true
        default: false
        }
    }

    /// The centre of a point, circle or box; nil for polygons (their centroid needs computing).
    var centroid: Shape? {
        switch kind {
        case .point, .circle, .box: Shape(kind: .point, arguments: arguments.prefix(2))
        case .polygon: nil
        }
    }
}
