/// A chunk statement in the form the vectorised executor runs: one table's rows, a filter, a
/// hash GROUP BY over key expressions and aggregates. Its rows are exactly those of the SQLite
/// chunk statement it was compiled from (`Planner.ColumnarCompiler`), so the coordinator's
/// merge is the same whichever path a chunk took.
public struct ColumnarPlan: Sendable, Hashable {
    /// The table (as named in the chunk file) whose column file is read.
    public var table: String
    /// Rows for which this is true are read; nil: every row.
    public var filter: ColumnarExpression?
    /// The GROUP BY keys (or, for a DISTINCT, the selected columns).
    public var keys: [ColumnarExpression]
    public var aggregates: [ColumnarAggregate]
    /// The statement's columns, in order.
    public var outputs: [ColumnarOutput]
    /// Without GROUP BY keys, an aggregate statement returns one row even over no rows; a
    /// DISTINCT or a GROUP BY returns one row per group.
    public var grouped: Bool
    /// The columns the plan reads.
    public var columns: Set<String>

    public init(
        table: String, filter: ColumnarExpression?, keys: [ColumnarExpression], aggregates: [ColumnarAggregate],
        outputs: [ColumnarOutput], grouped: Bool
    ) {
        self.table = table
        self.filter = filter
        self.keys = keys
        self.aggregates = aggregates
        self.outputs = outputs
        self.grouped = grouped
        var columns = Set<String>()
        filter?.collectColumns(into: &columns)
        for k in keys { k.collectColumns(into: &columns) }
        for a in aggregates { a.argument?.collectColumns(into: &columns) }
        self.columns = columns
    }

    /// A one-line account for EXPLAIN.
    public var summary: String {
        var parts: [String] = ["table \(table)", "columns " + columns.sorted().joined(separator: ", ")]
        if filter != nil { parts.append("filter") }
        if grouped { parts.append("hash group by \(keys.count) key(s)") }
        if !aggregates.isEmpty { parts.append(aggregates.map(\.function.rawValue).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}

/// A column of the chunk statement: a group key or an aggregate, by index.
public enum ColumnarOutput: Sendable, Hashable {
    case key(Int)
    case aggregate(Int)
}

public struct ColumnarAggregate: Sendable, Hashable {
    public enum Function: String, Sendable, Hashable {
        case countStar = "COUNT(*)"
        case count = "COUNT"
        /// COUNT(DISTINCT x) in one chunk (the merge sums it: only for a key that lives in one chunk).
        case countDistinct = "COUNT(DISTINCT)"
        case sum = "SUM"
        case min = "MIN"
        case max = "MAX"
        /// The merge rewrite's AVG partial: a 16-byte blob, the sum as a double then the count
        /// as an Int64, both little-endian (`SQLiteKit.PartialAggregates`).
        case averagePartial = "AVG-partial"
    }

    public var function: Function
    /// nil for COUNT(*).
    public var argument: ColumnarExpression?

    public init(_ function: Function, _ argument: ColumnarExpression?) {
        self.function = function
        self.argument = argument
    }
}

public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
}

public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// The math functions of ADQL with the semantics of SQLiteKit's `adql_*` functions: NULL in,
/// NULL out; a domain error or a non-finite result is NULL; FLOOR/CEILING keep an integer.
public enum MathFunction: String, Sendable, Hashable, CaseIterable {
    case abs = "ABS", ceiling = "CEILING", floor = "FLOOR", degrees = "DEGREES", radians = "RADIANS"
    case exp = "EXP", log = "LOG", log10 = "LOG10", sqrt = "SQRT", power = "POWER", atan2 = "ATAN2"
    case acos = "ACOS", asin = "ASIN", atan = "ATAN", cos = "COS", sin = "SIN", tan = "TAN"

    public var arity: Int { self == .power || self == .atan2 ? 2 : 1 }
}

/// An expression over one row of the table, with SQLite's semantics for the types the column
/// files hold (integer, real, dictionary text, NULL).
public indirect enum ColumnarExpression: Sendable, Hashable {
    case column(String)
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
    case negate(ColumnarExpression)
    case arithmetic(ArithmeticOperator, ColumnarExpression, ColumnarExpression)
    case math(MathFunction, [ColumnarExpression])
    /// CAST(x AS INTEGER) (`true`) or AS REAL (`false`).
    case cast(ColumnarExpression, toInteger: Bool)
    case compare(ComparisonOperator, ColumnarExpression, ColumnarExpression)
    case between(ColumnarExpression, ColumnarExpression, ColumnarExpression, negated: Bool)
    case inList(ColumnarExpression, [ColumnarExpression], negated: Bool)
    case isNull(ColumnarExpression, negated: Bool)
    case and(ColumnarExpression, ColumnarExpression)
    case or(ColumnarExpression, ColumnarExpression)
    case not(ColumnarExpression)
    /// CONTAINS(POINT(lon, lat), CIRCLE(centre, radius)) as 1/0 (degrees), as SQLiteKit's
    /// `adql_contains_point_circle`.
    case containsCircle(lon: ColumnarExpression, lat: ColumnarExpression, circle: [ColumnarExpression])
    /// DISTANCE(POINT(a, b), POINT(c, d)) in degrees.
    case distance([ColumnarExpression])

    func collectColumns(into set: inout Set<String>) {
        switch self {
        case .column(let name): set.insert(name)
        case .integer, .real, .text, .null: break
        case .negate(let a), .cast(let a, _), .isNull(let a, _), .not(let a): a.collectColumns(into: &set)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            a.collectColumns(into: &set)
            b.collectColumns(into: &set)
        case .math(_, let args), .distance(let args): for a in args { a.collectColumns(into: &set) }
        case .between(let a, let b, let c, _):
            for x in [a, b, c] { x.collectColumns(into: &set) }
        case .inList(let a, let list, _):
            a.collectColumns(into: &set)
            for x in list { x.collectColumns(into: &set) }
        case .containsCircle(let lon, let lat, let circle):
            for x in [lon, lat] + circle { x.collectColumns(into: &set) }
        }
    }
}
