#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sky

/// Why a chunk cannot be answered from its column files: the worker then runs the chunk's
/// SQLite statement, which is always right (SQLite is the source of truth). Raised for what the
/// columnar path does not reproduce exactly — an integer overflow (SQLite turns it into a REAL
/// or an error), text compared with a number, too many groups — never as a query's error.
public struct ColumnarFallback: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The values of one expression over a batch of rows. Conditions are integer vectors of 0/1,
/// as SQLite's are; `nulls` is nil when no value is NULL.
enum Vector {
    case int([Int64], nulls: [Bool]?)
    case real([Double], nulls: [Bool]?)
    /// Codes into the sorted dictionary of a text column.
    case text([UInt32], dictionary: [String], nulls: [Bool]?)
    /// A text constant (compared with a text column through its dictionary).
    case textConstant(String)

    var nulls: [Bool]? {
        switch self {
        case .int(_, let n), .real(_, let n), .text(_, _, let n): n
        case .textConstant: nil
        }
    }

    var isNumber: Bool {
        switch self {
        case .int, .real: true
        case .text, .textConstant: false
        }
    }

    var isReal: Bool {
        if case .real = self { return true }
        return false
    }

    /// The values as doubles (an integer vector converted).
    func doubles() throws -> [Double] {
        switch self {
        case .real(let v, _): return v
        case .int(let v, _): return v.map { Double($0) }
        case .text, .textConstant: throw ColumnarFallback("text used as a number")
        }
    }

    /// Whether row `i`'s value is a true condition (non-NULL and non-zero).
    @inline(__always) static func truth(_ v: [Int64], _ n: [Bool]?, _ i: Int) -> Bool {
        v[i] != 0 && !(n?[i] ?? false)
    }
}

extension ColumnarExpression {
    /// A numeric constant as a double, and whether it was written as a real.
    var realConstant: (value: Double, isReal: Bool)? {
        switch self {
        case .integer(let i): (Double(i), false)
        case .real(let d): (d, true)
        default: nil
        }
    }
}

/// The union of two null masks (NULL when either operand is).
@inline(__always) func unionNulls(_ a: [Bool]?, _ b: [Bool]?) -> [Bool]? {
    guard let a else { return b }
    guard let b else { return a }
    return zip(a, b).map { $0 || $1 }
}

/// Evaluates `ColumnarExpression`s over the rows `start ..< start + count` of a column file.
struct VectorEvaluator {
    let file: MappedColumnFile
    let start: Int
    let count: Int

    func evaluate(_ e: ColumnarExpression) throws -> Vector {
        switch e {
        case .column(let name):
            guard let column = file.columns[name] else { throw ColumnarFallback("no column file for \(name)") }
            return load(column)
        case .integer(let i): return .int(Array(repeating: i, count: count), nulls: nil)
        case .real(let d): return .real(Array(repeating: d, count: count), nulls: nil)
        case .text(let s): return .textConstant(s)
        case .null: return .int(Array(repeating: 0, count: count), nulls: Array(repeating: true, count: count))
        case .negate(let a):
            switch try evaluate(a) {
            case .int(let v, let n):
                if v.contains(Int64.min) { throw ColumnarFallback("integer overflow") }
                return .int(v.map { -$0 }, nulls: n)
            case .real(let v, let n): return .real(v.map { -$0 }, nulls: n)
            default: throw ColumnarFallback("text used as a number")
            }
        case .arithmetic(let op, let a, let b):
            // A real operand against a constant (as in -2.5 * LOG10(x) + 31.4): the constant
            // stays a scalar.
            if let k = b.realConstant {
                let v = try evaluate(a)
                if v.isNumber && (k.isReal || v.isReal) { return try arithmetic(op, v, k.value, constantOnLeft: false) }
                return try arithmetic(op, v, evaluate(b))
            }
            if let k = a.realConstant {
                let v = try evaluate(b)
                if v.isNumber && (k.isReal || v.isReal) { return try arithmetic(op, v, k.value, constantOnLeft: true) }
                return try arithmetic(op, evaluate(a), v)
            }
            return try arithmetic(op, evaluate(a), evaluate(b))
        case .math(let f, let args): return try math(f, args.map(evaluate))
        case .cast(let a, let toInteger):
            let v = try evaluate(a)
            if !toInteger { return .real(try v.doubles(), nulls: v.nulls) }
            switch v {
            case .int: return v
            case .real(let d, let n):
                // SQLite truncates towards zero and saturates at the Int64 range.
                return .int(
                    d.map { x in
                        x >= 9.223372036854775807e18 ? Int64.max : (x <= -9.223372036854775808e18 ? Int64.min : Int64(x))
                    }, nulls: n)
            default: throw ColumnarFallback("CAST of text")
            }
        case .compare(let op, let a, let b): return try compare(op, evaluate(a), evaluate(b))
        case .between(let x, let low, let high, let negated):
            let v = try evaluate(x)
            let inside = logical(
                and: true, try compare(.greaterOrEqual, v, evaluate(low)), try compare(.lessOrEqual, v, evaluate(high)))
            return negated ? not(inside) : inside
        case .inList(let x, let list, let negated):
            let v = try evaluate(x)
            var any: Vector?
            for item in list {
                let eq = try compare(.equal, v, evaluate(item))
                any = any.map { logical(and: false, $0, eq) } ?? eq
            }
            let result = any ?? .int(Array(repeating: 0, count: count), nulls: nil)
            return negated ? not(result) : result
        case .isNull(let a, let negated):
            let n = try evaluate(a).nulls
            return .int((0..<count).map { i in ((n?[i] ?? false) != negated) ? 1 : 0 }, nulls: nil)
        case .and(let a, let b): return logical(and: true, try evaluate(a), try evaluate(b))
        case .or(let a, let b): return logical(and: false, try evaluate(a), try evaluate(b))
        case .not(let a): return not(try evaluate(a))
        case .containsCircle(let lon, let lat, let circle):
            guard circle.count == 3 else { throw ColumnarFallback("not a circle") }
            let x = try evaluate(lon), y = try evaluate(lat)
            let c = try circle.map(evaluate)
            let xs = try x.doubles(), ys = try y.doubles()
            let cs = try c.map { try $0.doubles() }
            var nulls = unionNulls(x.nulls, y.nulls)
            for v in c { nulls = unionNulls(nulls, v.nulls) }
            var out = [Int64](repeating: 0, count: count)
            var outNulls = nulls
            for i in 0..<count where !(nulls?[i] ?? false) {
                if let inside = SkyCircle.contains(
                    lon: xs[i], lat: ys[i], centerLon: cs[0][i], centerLat: cs[1][i], radius: cs[2][i])
                {
                    out[i] = inside ? 1 : 0
                } else {
                    if outNulls == nil { outNulls = Array(repeating: false, count: count) }
                    outNulls![i] = true
                }
            }
            return .int(out, nulls: outNulls)
        case .distance(let args):
            guard args.count == 4 else { throw ColumnarFallback("DISTANCE of four coordinates") }
            let v = try args.map(evaluate)
            let d = try v.map { try $0.doubles() }
            var nulls: [Bool]? = nil
            for x in v { nulls = unionNulls(nulls, x.nulls) }
            let out = (0..<count).map { i in SkyAngle.separation(lon1: d[0][i], lat1: d[1][i], lon2: d[2][i], lat2: d[3][i]) }
            return finite(out, nulls)
        }
    }

    /// A column's rows of this batch, copied out of the mapping: for the expressions computed
    /// here (the executor reads plain columns in place).
    func load(_ column: MappedColumn) -> Vector {
        var nulls: [Bool]?
        if column.nulls != nil {
            let n = (start..<(start + count)).map { column.isNull($0) }
            if n.contains(true) { nulls = n }
        }
        switch column.kind {
        case .int64:
            let p = column.data.assumingMemoryBound(to: Int64.self) + start
            return .int(Array(UnsafeBufferPointer(start: p, count: count)), nulls: nulls)
        case .double:
            let p = column.data.assumingMemoryBound(to: Double.self) + start
            return .real(Array(UnsafeBufferPointer(start: p, count: count)), nulls: nulls)
        case .bool:
            let p = column.data.assumingMemoryBound(to: UInt8.self) + start
            return .int(UnsafeBufferPointer(start: p, count: count).map { Int64($0) }, nulls: nulls)
        case .dictionaryText:
            let p = column.data.assumingMemoryBound(to: UInt32.self) + start
            return .text(Array(UnsafeBufferPointer(start: p, count: count)), dictionary: column.dictionary, nulls: nulls)
        }
    }

    /// Non-finite results are NULL, as the `adql_*` functions and SQLite's NaN make them.
    func finite(_ v: [Double], _ nulls: [Bool]?) -> Vector {
        var n = nulls
        for i in 0..<v.count where !v[i].isFinite {
            if n == nil { n = Array(repeating: false, count: v.count) }
            n![i] = true
        }
        return .real(v, nulls: n)
    }

    func arithmetic(_ op: ArithmeticOperator, _ a: Vector, _ b: Vector) throws -> Vector {
        let nulls = unionNulls(a.nulls, b.nulls)
        if case .int(let x, _) = a, case .int(let y, _) = b {
            var out = [Int64](repeating: 0, count: count)
            var outNulls = nulls
            for i in 0..<count {
                if nulls?[i] ?? false { continue }
                let r: (Int64, Bool)
                switch op {
                case .add: r = x[i].addingReportingOverflow(y[i])
                case .subtract: r = x[i].subtractingReportingOverflow(y[i])
                case .multiply: r = x[i].multipliedReportingOverflow(by: y[i])
                case .divide:
                    if y[i] == 0 {
                        // SQLite: division by zero is NULL.
                        if outNulls == nil { outNulls = Array(repeating: false, count: count) }
                        outNulls![i] = true
                        continue
                    }
                    r = x[i].dividedReportingOverflow(by: y[i])
                }
                // SQLite would make the result a REAL: leave the chunk to SQLite.
                if r.1 { throw ColumnarFallback("integer overflow") }
                out[i] = r.0
            }
            return .int(out, nulls: outNulls)
        }
        let x = try a.doubles(), y = try b.doubles()
        var out = [Double](repeating: 0, count: count)
        var outNulls = nulls
        for i in 0..<count {
            switch op {
            case .add: out[i] = x[i] + y[i]
            case .subtract: out[i] = x[i] - y[i]
            case .multiply: out[i] = x[i] * y[i]
            case .divide:
                if y[i] == 0 {
                    if outNulls == nil { outNulls = Array(repeating: false, count: count) }
                    outNulls![i] = true
                } else {
                    out[i] = x[i] / y[i]
                }
            }
            // SQLite stores a NaN as NULL (infinities stay).
            if out[i].isNaN {
                if outNulls == nil { outNulls = Array(repeating: false, count: count) }
                outNulls![i] = true
            }
        }
        return .real(out, nulls: outNulls)
    }

    /// `v op k` (or `k op v`) as reals, with the general loop's NULLs: division by zero and
    /// NaN are NULL.
    func arithmetic(_ op: ArithmeticOperator, _ v: Vector, _ k: Double, constantOnLeft: Bool) throws -> Vector {
        let x = try v.doubles()
        var out = [Double](repeating: 0, count: count)
        var outNulls = v.nulls
        out.withUnsafeMutableBufferPointer { o in
            x.withUnsafeBufferPointer { x in
                switch (op, constantOnLeft) {
                case (.add, false): for i in 0..<count { o[i] = x[i] + k }
                case (.add, true): for i in 0..<count { o[i] = k + x[i] }
                case (.subtract, false): for i in 0..<count { o[i] = x[i] - k }
                case (.subtract, true): for i in 0..<count { o[i] = k - x[i] }
                case (.multiply, false): for i in 0..<count { o[i] = x[i] * k }
                case (.multiply, true): for i in 0..<count { o[i] = k * x[i] }
                case (.divide, false): for i in 0..<count { o[i] = k == 0 ? 0 : x[i] / k }
                case (.divide, true): for i in 0..<count { o[i] = x[i] == 0 ? 0 : k / x[i] }
                }
            }
        }
        for i in 0..<count {
            let divisionByZero = op == .divide && (constantOnLeft ? x[i] == 0 : k == 0)
            // SQLite: division by zero is NULL; a NaN is stored as NULL (infinities stay).
            if divisionByZero || out[i].isNaN {
                if outNulls == nil { outNulls = Array(repeating: false, count: count) }
                outNulls![i] = true
            }
        }
        return .real(out, nulls: outNulls)
    }

    func math(_ f: MathFunction, _ args: [Vector]) throws -> Vector {
        guard args.count == f.arity else { throw ColumnarFallback("\(f.rawValue) with \(args.count) arguments") }
        let a = args[0]
        switch f {
        case .abs:
            // SQLite's abs: an integer stays an integer (abs(Int64.min) is an error there).
            if case .int(let v, let n) = a {
                if v.contains(Int64.min) { throw ColumnarFallback("integer overflow") }
                return .int(v.map { Swift.abs($0) }, nulls: n)
            }
            return .real(try a.doubles().map { Swift.abs($0) }, nulls: a.nulls)
        case .floor, .ceiling:
            if case .int = a { return a }
            let v = try a.doubles()
            return finite(v.map { (f == .floor ? $0.rounded(.down) : $0.rounded(.up)) + 0.0 }, a.nulls)
        case .power, .atan2:
            let x = try a.doubles(), y = try args[1].doubles()
            let out = (0..<count).map { f == .power ? pow(x[$0], y[$0]) : atan2(x[$0], y[$0]) }
            return finite(out, unionNulls(a.nulls, args[1].nulls))
        default:
            let x = try a.doubles()
            let g: (Double) -> Double
            switch f {
            case .degrees: g = { $0 * SkyAngle.degreesPerRadian }
            case .radians: g = { $0 * SkyAngle.radiansPerDegree }
            case .exp: g = { Glibc.exp($0) }
            case .log: g = { $0 > 0 ? Glibc.log($0) : .nan }
            case .log10: g = { $0 > 0 ? Glibc.log10($0) : .nan }
            case .sqrt: g = { $0 >= 0 ? $0.squareRoot() : .nan }
            case .acos: g = { Glibc.acos($0) }
            case .asin: g = { Glibc.asin($0) }
            case .atan: g = { Glibc.atan($0) }
            case .cos: g = { Glibc.cos($0) }
            case .sin: g = { Glibc.sin($0) }
            case .tan: g = { Glibc.tan($0) }
            default: throw ColumnarFallback("\(f.rawValue)")
            }
            return finite(x.map(g), a.nulls)
        }
    }

    func compare(_ op: ComparisonOperator, _ a: Vector, _ b: Vector) throws -> Vector {
        // Text column against a text constant: the constant's place in the sorted dictionary.
        if case .text(let codes, let dictionary, let nulls) = a, case .textConstant(let s) = b {
            return compareCodes(op, codes, dictionary, s, nulls)
        }
        if case .textConstant(let s) = a, case .text(let codes, let dictionary, let nulls) = b {
            return compareCodes(op.swapped, codes, dictionary, s, nulls)
        }
        let nulls = unionNulls(a.nulls, b.nulls)
        var out = [Int64](repeating: 0, count: count)
        if case .int(let x, _) = a, case .int(let y, _) = b {
            for i in 0..<count { out[i] = op.holds(x[i], y[i]) ? 1 : 0 }
        } else {
            let x = try a.doubles(), y = try b.doubles()
            for i in 0..<count { out[i] = op.holds(x[i], y[i]) ? 1 : 0 }
        }
        return .int(out, nulls: nulls)
    }

    func compareCodes(_ op: ComparisonOperator, _ codes: [UInt32], _ dictionary: [String], _ s: String, _ nulls: [Bool]?)
        -> Vector
    {
        let key = Array(s.utf8)
        // The first code whose string is ≥ s (byte order, as SQLite's BINARY collation).
        var low = 0, high = dictionary.count
        while low < high {
            let mid = (low + high) / 2
            if Array(dictionary[mid].utf8).lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        let exact = low < dictionary.count && dictionary[low] == s
        let position = Int64(low), after = Int64(low + (exact ? 1 : 0))
        let out = codes.map { c -> Int64 in
            let c = Int64(c)
            let holds: Bool
            switch op {
            case .equal: holds = exact && c == position
            case .notEqual: holds = !(exact && c == position)
            case .less: holds = c < position
            case .lessOrEqual: holds = c < after
            case .greater: holds = c >= after
            case .greaterOrEqual: holds = c >= position
            }
            return holds ? 1 : 0
        }
        return .int(out, nulls: nulls)
    }

    /// AND (`and`) or OR with SQL's three-valued logic.
    func logical(and: Bool, _ a: Vector, _ b: Vector) -> Vector {
        guard case .int(let x, let xn) = a, case .int(let y, let yn) = b else {
            return .int(Array(repeating: 0, count: count), nulls: Array(repeating: true, count: count))
        }
        var out = [Int64](repeating: 0, count: count)
        var nulls: [Bool]? = (xn == nil && yn == nil) ? nil : Array(repeating: false, count: count)
        for i in 0..<count {
            let pn = xn?[i] ?? false, qn = yn?[i] ?? false
            let p = x[i] != 0, q = y[i] != 0
            if and {
                if (!pn && !p) || (!qn && !q) { out[i] = 0 } else if pn || qn { nulls![i] = true } else { out[i] = 1 }
            } else {
                if (!pn && p) || (!qn && q) { out[i] = 1 } else if pn || qn { nulls![i] = true } else { out[i] = 0 }
            }
        }
        return .int(out, nulls: nulls)
    }

    func not(_ a: Vector) -> Vector {
        switch a {
        case .int(let v, let n): return .int(v.map { $0 == 0 ? 1 : 0 }, nulls: n)
        case .real(let v, let n): return .int(v.map { $0 == 0 ? 1 : 0 }, nulls: n)
        default: return .int(Array(repeating: 0, count: count), nulls: Array(repeating: true, count: count))
        }
    }
}

extension ComparisonOperator {
    /// The operator with its operands exchanged (`a < b` ⇔ `b > a`).
    var swapped: ComparisonOperator {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }

    @inline(__always) func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }
}
