import CSQLite
import Foundation
import Sky

/// ADQL's math functions with ADQL semantics (SQLite's built-ins differ: `%` truncates its
/// operands, `round` rounds half to even on some builds, there is no `log10` before 3.35, ...).
/// See `SQLiteRenderer.udfSignatures` for the documented contract:
///
/// - NULL in any argument → NULL; a domain error or a non-finite result → NULL.
/// - `adql_ceiling`/`adql_floor`: an INTEGER argument is returned as is (INTEGER); a REAL one
///   gives a REAL with an integral value.
/// - `adql_round`/`adql_truncate`: INTEGER in → INTEGER out (for any n, e.g.
///   `adql_round(1234, -2) = 1200`); REAL in → REAL out. Rounding is decimal: the value is
///   rounded as it reads in its shortest decimal form, so `adql_round(2.675, 2) = 2.68` and
///   `adql_truncate(0.29, 2) = 0.29`, although neither 2.675 nor 0.29 is exact in binary.
/// - `adql_mod`: INTEGER when both operands are INTEGER (sign of the dividend), `fmod` otherwise;
///   a zero divisor gives NULL.
/// - `adql_rand()`: uniform in [0, 1) from SQLite's PRNG; `adql_rand(seed)`: a fixed value in
///   [0, 1) for each seed (SplitMix64 of the seed's bits), so it is registered as deterministic.
enum MathFunctions {
    typealias Definition = UserFunctions.Definition
    typealias Argv = UnsafeMutablePointer<OpaquePointer?>?

    static let definitions: [Definition] = [
        Definition(name: "adql_ceiling", arity: 1) { ctx, _, argv in integral(ctx, argv) { ceil($0) } },
        Definition(name: "adql_floor", arity: 1) { ctx, _, argv in integral(ctx, argv) { floor($0) } },
        Definition(name: "adql_degrees", arity: 1) { ctx, _, argv in unary(ctx, argv) { $0 * SkyAngle.degreesPerRadian } },
        Definition(name: "adql_radians", arity: 1) { ctx, _, argv in unary(ctx, argv) { $0 * SkyAngle.radiansPerDegree } },
        Definition(name: "adql_exp", arity: 1) { ctx, _, argv in unary(ctx, argv) { exp($0) } },
        Definition(name: "adql_log", arity: 1) { ctx, _, argv in unary(ctx, argv) { $0 > 0 ? log($0) : .nan } },
        Definition(name: "adql_log10", arity: 1) { ctx, _, argv in unary(ctx, argv) { $0 > 0 ? log10($0) : .nan } },
        Definition(name: "adql_sqrt", arity: 1) { ctx, _, argv in unary(ctx, argv) { $0 >= 0 ? $0.squareRoot() : .nan } },
        Definition(name: "adql_power", arity: 2) { ctx, _, argv in binary(ctx, argv) { pow($0, $1) } },
        Definition(name: "adql_atan2", arity: 2) { ctx, _, argv in binary(ctx, argv) { atan2($0, $1) } },
        Definition(name: "adql_acos", arity: 1) { ctx, _, argv in unary(ctx, argv) { acos($0) } },
        Definition(name: "adql_asin", arity: 1) { ctx, _, argv in unary(ctx, argv) { asin($0) } },
        Definition(name: "adql_atan", arity: 1) { ctx, _, argv in unary(ctx, argv) { atan($0) } },
        Definition(name: "adql_cos", arity: 1) { ctx, _, argv in unary(ctx, argv) { cos($0) } },
        Definition(name: "adql_sin", arity: 1) { ctx, _, argv in unary(ctx, argv) { sin($0) } },
        Definition(name: "adql_tan", arity: 1) { ctx, _, argv in unary(ctx, argv) { tan($0) } },
        Definition(name: "adql_cot", arity: 1) { ctx, _, argv in
            unary(ctx, argv) { x in
                let s = sin(x)
                return s == 0 ? .nan : cos(x) / s
            }
        },
        Definition(name: "adql_mod", arity: 2) { ctx, _, argv in mod(ctx, argv) },
        Definition(name: "adql_round", arity: 1) { ctx, argc, argv in round(ctx, argc, argv, towardZero: false) },
        Definition(name: "adql_round", arity: 2) { ctx, argc, argv in round(ctx, argc, argv, towardZero: false) },
        Definition(name: "adql_truncate", arity: 1) { ctx, argc, argv in round(ctx, argc, argv, towardZero: true) },
        Definition(name: "adql_truncate", arity: 2) { ctx, argc, argv in round(ctx, argc, argv, towardZero: true) },
        Definition(name: "adql_rand", arity: 0, deterministic: false) { ctx, _, _ in
            var bits: UInt64 = 0
            sqlite3_randomness(Int32(MemoryLayout<UInt64>.size), &bits)
            sqlite3_result_double(ctx, unitInterval(bits))
        },
        Definition(name: "adql_rand", arity: 1) { ctx, _, argv in
            guard let v = argv?[0] else { return sqlite3_result_null(ctx) }
            let seed: UInt64
            switch sqlite3_value_numeric_type(v) {
            case SQLITE_INTEGER: seed = UInt64(bitPattern: sqlite3_value_int64(v))
            case SQLITE_FLOAT: seed = sqlite3_value_double(v).bitPattern
            default: return sqlite3_result_null(ctx)
            }
            sqlite3_result_double(ctx, unitInterval(splitMix64(seed)))
        },
    ]

    // MARK: Kernels

    @inline(__always)
    static func unary(_ ctx: OpaquePointer?, _ argv: Argv, _ f: (Double) -> Double) {
        guard let x = UserFunctions.double(argv, 0) else { return sqlite3_result_null(ctx) }
        UserFunctions.result(ctx, f(x))
    }

    @inline(__always)
    static func binary(_ ctx: OpaquePointer?, _ argv: Argv, _ f: (Double, Double) -> Double) {
        guard let x = UserFunctions.double(argv, 0), let y = UserFunctions.double(argv, 1) else {
            return sqlite3_result_null(ctx)
        }
        UserFunctions.result(ctx, f(x, y))
    }

    /// CEILING/FLOOR: INTEGER stays INTEGER; REAL gives an integral REAL (never -0.0).
    @inline(__always)
    static func integral(_ ctx: OpaquePointer?, _ argv: Argv, _ f: (Double) -> Double) {
        guard let v = argv?[0] else { return sqlite3_result_null(ctx) }
        switch sqlite3_value_numeric_type(v) {
        case SQLITE_INTEGER: sqlite3_result_int64(ctx, sqlite3_value_int64(v))
        case SQLITE_FLOAT: UserFunctions.result(ctx, f(sqlite3_value_double(v)) + 0.0)
        default: sqlite3_result_null(ctx)
        }
    }

    static func mod(_ ctx: OpaquePointer?, _ argv: Argv) {
        guard let a = argv?[0], let b = argv?[1] else { return sqlite3_result_null(ctx) }
        let ta = sqlite3_value_numeric_type(a), tb = sqlite3_value_numeric_type(b)
        if ta == SQLITE_INTEGER && tb == SQLITE_INTEGER {
            let x = sqlite3_value_int64(a), y = sqlite3_value_int64(b)
            if y == 0 { return sqlite3_result_null(ctx) }
            // Int64.min % -1 traps in Swift; the remainder is 0.
            sqlite3_result_int64(ctx, y == -1 ? 0 : x % y)
            return
        }
        guard ta == SQLITE_INTEGER || ta == SQLITE_FLOAT, tb == SQLITE_INTEGER || tb == SQLITE_FLOAT else {
            return sqlite3_result_null(ctx)
        }
        let x = sqlite3_value_double(a), y = sqlite3_value_double(b)
        if y == 0 { return sqlite3_result_null(ctx) }
        UserFunctions.result(ctx, fmod(x, y))
    }

    /// ROUND (half away from zero) and TRUNCATE (towards zero) to `n` decimal places.
    static func round(_ ctx: OpaquePointer?, _ argc: Int32, _ argv: Argv, towardZero: Bool) {
        guard let v = argv?[0] else { return sqlite3_result_null(ctx) }
        var places = 0
        if argc >= 2 {
            guard let p = UserFunctions.double(argv, 1), !p.isNaN else { return sqlite3_result_null(ctx) }
            places = Int(max(-400, min(400, p)))
        }
        switch sqlite3_value_numeric_type(v) {
        case SQLITE_INTEGER:
            let x = sqlite3_value_int64(v)
            if places >= 0 { return sqlite3_result_int64(ctx, x) }
            switch roundInteger(x, digits: -places, towardZero: towardZero) {
            case .integer(let r): sqlite3_result_int64(ctx, r)
            case .real(let r): UserFunctions.result(ctx, r)
            }
        case SQLITE_FLOAT:
            UserFunctions.result(ctx, roundDouble(sqlite3_value_double(v), places: places, towardZero: towardZero))
        default:
            sqlite3_result_null(ctx)
        }
    }

    enum IntegerOrReal: Equatable { case integer(Int64), real(Double) }

    /// Rounds an integer to a multiple of 10^digits (digits ≥ 1). Falls back to REAL when the
    /// result does not fit in 64 bits.
    static func roundInteger(_ x: Int64, digits: Int, towardZero: Bool) -> IntegerOrReal {
        guard digits <= 18 else {
            // 10^19 and beyond exceed Int64: the result is 0, or ±1e19 when rounding a value
            // ≥ 5e18 to a multiple of 10^19 (every Int64 is below half of 10^20).
            if !towardZero && digits == 19 && x.magnitude >= 5_000_000_000_000_000_000 {
                return .real(x < 0 ? -1e19 : 1e19)
            }
            return .integer(0)
        }
        var p: Int64 = 1
        for _ in 0..<digits { p *= 10 }
        var q = x / p
        let r = x % p
        if !towardZero && r.magnitude >= (p.magnitude + 1) / 2 { q += x < 0 ? -1 : 1 }
        let (product, overflow) = q.multipliedReportingOverflow(by: p)
        return overflow ? .real(Double(q) * Double(p)) : .integer(product)
    }

    /// Powers of ten exactly representable as doubles.
    static let exactPowersOfTen: [Double] = (0...22).reduce(into: []) { table, n in
        table.append(n == 0 ? 1 : table[n - 1] * 10)
    }

    /// Decimal rounding of a double to `places` digits after the point (negative: before it).
    static func roundDouble(_ x: Double, places: Int, towardZero: Bool) -> Double {
        guard x.isFinite, x != 0 else { return x + 0.0 }
        let mode: FloatingPointRoundingRule = towardZero ? .towardZero : .toNearestOrAwayFromZero
        let y: Double
        let scale: Double
        if places >= 0 {
            guard places <= 22 else { return decimalRound(x, places: places, towardZero: towardZero) }
            scale = exactPowersOfTen[places]
            y = x * scale
        } else {
            scale = -places <= 22 ? exactPowersOfTen[-places] : pow(10, Double(-places))
            y = x / scale
        }
        if y == 0 || abs(y) < 0x1p-60 { return 0 }
        // Already integral at this scale (no digits beyond the requested place).
        if abs(y) >= 0x1p52 { return x }
        // Near a rounding boundary, the binary product may be on the wrong side of it
        // (2.675 * 100 = 267.49999999999997): decide on the decimal digits instead.
        let fraction = abs(y) - abs(y).rounded(.down)
        let slack = 64 * y.ulp
        let nearBoundary = towardZero ? (fraction < slack || 1 - fraction < slack) : abs(fraction - 0.5) < slack
        if nearBoundary { return decimalRound(x, places: places, towardZero: towardZero) }
        let r = y.rounded(mode)
        return (places >= 0 ? r / scale : r * scale) + 0.0
    }

    /// Rounds the shortest decimal representation of `x` (what the user wrote) with decimal arithmetic.
    static func decimalRound(_ x: Double, places: Int, towardZero: Bool) -> Double {
        guard var d = Decimal(string: abs(x).description) else { return x }
        var r = Decimal()
        NSDecimalRound(&r, &d, places, towardZero ? .down : .plain)
        guard let magnitude = Double(r.description) else { return x }
        return (x < 0 ? -magnitude : magnitude) + 0.0
    }

    // MARK: Random numbers

    @inline(__always)
    static func unitInterval(_ bits: UInt64) -> Double {
        Double(bits >> 11) * 0x1p-53
    }

    @inline(__always)
    static func splitMix64(_ seed: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
