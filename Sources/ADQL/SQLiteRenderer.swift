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
//
// This file holds the dialect protocol, the renderer's configuration, the table of UDFs it emits
// and the quoting helpers for dialects. The rendering itself is in extensions:
// SQLiteRenderer+Queries (WITH, compound SELECTs, SELECT, FROM), SQLiteRenderer+Expressions
// (operators, literals, CASE, CAST, sub-queries) and SQLiteRenderer+Functions (function calls
// and geometry); the output buffer is in SQLBuffer.swift, the shapes in Shape.swift.

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
}
