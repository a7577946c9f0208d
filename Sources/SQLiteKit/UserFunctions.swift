import CSQLite
import Foundation
import Sky

/// The SQL functions that chunk and merge statements call: ADQL's geometry and the math whose
/// semantics differ from SQLite's (see `SQLiteRenderer.udfSignatures` for the list and their
/// documented semantics), and Rubin's scisql functions. Registered on every connection as C
/// functions (deterministic, innocuous, except unseeded `adql_rand`), so they run at SQLite's
/// own speed.
///
/// NULL in any argument gives NULL, as in SQL; a malformed shape (a polygon with too few or
/// collinear vertices) or a math domain error gives NULL rather than an error, so one bad row
/// cannot fail a scan. A call with a number of arguments outside the function's range is an
/// error.
///
/// The math lives in `MathFunctions.swift`, the geometry in `GeometryFunctions.swift`.
public enum UserFunctions {
    typealias Function = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void

    struct Definition {
        var name: String
        /// -1 for any number of arguments (the function checks the count itself).
        var arity: Int32
        /// Passed to the function as `sqlite3_user_data` (a pointer-sized integer tag that
        /// selects the variant of a function family); 0 for none.
        var tag: Int = 0
        /// False only for functions whose result may change between calls with the same arguments.
        var deterministic: Bool = true
        var function: Function

        init(name: String, arity: Int32, tag: Int = 0, deterministic: Bool = true, function: Function) {
            self.name = name
            self.arity = arity
            self.tag = tag
            self.deterministic = deterministic
            self.function = function
        }
    }

    /// Every function, by SQL name and arity (-1 = variadic).
    public static var signatures: [(name: String, arity: Int)] {
        definitions.map { ($0.name, Int($0.arity)) }
    }

    public static func register(on connection: SQLiteConnection) {
        for d in definitions {
            var flags = SQLITE_UTF8 | SQLITE_INNOCUOUS
            if d.deterministic { flags |= SQLITE_DETERMINISTIC }
            let rc = sqlite3_create_function_v2(
                connection.handle, d.name, d.arity, flags,
                UnsafeMutableRawPointer(bitPattern: d.tag), d.function, nil, nil, nil)
            assert(rc == SQLITE_OK, "cannot register \(d.name)/\(d.arity): \(rc)")
        }
        PartialAggregates.register(on: connection)
    }

    static let definitions: [Definition] = scisqlDefinitions + MathFunctions.definitions + GeometryFunctions.definitions

    // MARK: Argument helpers

    /// Argument `i` as a double; nil when it is NULL or not numeric.
    @inline(__always)
    static func double(_ argv: UnsafeMutablePointer<OpaquePointer?>?, _ i: Int) -> Double? {
        guard let v = argv?[i] else { return nil }
        switch sqlite3_value_numeric_type(v) {
        case SQLITE_INTEGER, SQLITE_FLOAT: return sqlite3_value_double(v)
        default: return nil
        }
    }

    static func doubles(_ argv: UnsafeMutablePointer<OpaquePointer?>?, _ range: Range<Int>) -> [Double]? {
        var out: [Double] = []
        out.reserveCapacity(range.count)
        for i in range {
            guard let d = double(argv, i) else { return nil }
            out.append(d)
        }
        return out
    }

    /// Whether any argument in `range` is NULL (or not numeric).
    @inline(__always)
    static func anyNull(_ argv: UnsafeMutablePointer<OpaquePointer?>?, _ range: Range<Int>) -> Bool {
        for i in range {
            guard let v = argv?[i] else { return true }
            let t = sqlite3_value_numeric_type(v)
            if t != SQLITE_INTEGER && t != SQLITE_FLOAT { return true }
        }
        return false
    }

    /// A non-finite double (overflow, domain error) becomes NULL.
    @inline(__always)
    static func result(_ ctx: OpaquePointer?, _ value: Double?) {
        if let value, value.isFinite { sqlite3_result_double(ctx, value) } else { sqlite3_result_null(ctx) }
    }

    @inline(__always)
    static func result(_ ctx: OpaquePointer?, _ flag: Bool?) {
        if let flag { sqlite3_result_int(ctx, flag ? 1 : 0) } else { sqlite3_result_null(ctx) }
    }

    /// The 64-bit length form: text longer than SQLite's limit becomes SQLite's "string or blob
    /// too big" error (an `Int32` length would trap beyond 2 GiB).
    static func result(_ ctx: OpaquePointer?, text: String?) {
        guard var text else { return sqlite3_result_null(ctx) }
        text.withUTF8 { buf in
            sqlite3_result_text64(
                ctx, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                UInt64(buf.count), SQLITE_TRANSIENT_PTR, UInt8(SQLITE_UTF8))
        }
    }

    static func wrongArgumentCount(_ ctx: OpaquePointer?, _ name: String) {
        sqlite3_result_error(ctx, "wrong number of arguments to function \(name)()", -1)
    }

    static func polygon(_ values: [Double]) -> SkyPolygon? {
        guard values.count >= 6, values.count % 2 == 0 else { return nil }
        let vertices = stride(from: 0, to: values.count, by: 2).map { (lon: values[$0], lat: values[$0 + 1]) }
        return try? SkyPolygon(vertices: vertices)
    }

    /// A DALI value of a double array: numbers separated by single spaces (integral values
    /// without a fraction, others in Swift's shortest round-trip form).
    static func daliText(_ values: [Double]) -> String {
        var out = ""
        for (i, v) in values.enumerated() {
            if i > 0 { out += " " }
            out += daliNumber(v)
        }
        return out
    }

    static func daliNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    // MARK: scisql

    static let scisqlDefinitions: [Definition] = [
        Definition(name: "scisql_nanojanskyToAbMag", arity: 1) { ctx, _, argv in
            guard let f = double(argv, 0), f > 0 else { return sqlite3_result_null(ctx) }
            result(ctx, -2.5 * log10(f) + 31.4)
        },
        Definition(name: "scisql_fluxToAbMag", arity: 1) { ctx, _, argv in
            guard let f = double(argv, 0), f > 0 else { return sqlite3_result_null(ctx) }
            result(ctx, -2.5 * log10(f) + 31.4)
        },
        Definition(name: "scisql_nanojanskyToAbMagSigma", arity: 2) { ctx, _, argv in
            guard let f = double(argv, 0), let e = double(argv, 1), f != 0 else { return sqlite3_result_null(ctx) }
            result(ctx, 2.5 / log(10.0) * abs(e / f))
        },
        Definition(name: "scisql_fluxToAbMagSigma", arity: 2) { ctx, _, argv in
            guard let f = double(argv, 0), let e = double(argv, 1), f != 0 else { return sqlite3_result_null(ctx) }
            result(ctx, 2.5 / log(10.0) * abs(e / f))
        },
        Definition(name: "scisql_abMagToNanojansky", arity: 1) { ctx, _, argv in
            guard let m = double(argv, 0) else { return sqlite3_result_null(ctx) }
            result(ctx, pow(10.0, (31.4 - m) / 2.5))
        },
        Definition(name: "scisql_angSep", arity: 4) { ctx, _, argv in
            guard let a = double(argv, 0), let b = double(argv, 1), let c = double(argv, 2), let d = double(argv, 3)
            else { return sqlite3_result_null(ctx) }
            result(ctx, SkyAngle.separation(lon1: a, lat1: b, lon2: c, lat2: d))
        },
        Definition(name: "scisql_s2PtInCircle", arity: 5) { ctx, _, argv in
            GeometryFunctions.containsPointCircle(ctx, argv)
        },
        Definition(name: "scisql_s2PtInBox", arity: 6) { ctx, _, argv in
            guard let lon = double(argv, 0), let lat = double(argv, 1), let lonMin = double(argv, 2),
                let latMin = double(argv, 3), let lonMax = double(argv, 4), let latMax = double(argv, 5)
            else { return sqlite3_result_null(ctx) }
            let box = SkyBox(
                lonMin: SkyAngle.normalizedLongitude(lonMin), lonMax: SkyAngle.normalizedLongitude(lonMax),
                latMin: latMin, latMax: latMax)
            result(ctx, box.contains(lon: lon, lat: lat))
        },
        Definition(name: "scisql_s2PtInCPoly", arity: -1) { ctx, argc, argv in
            guard argc >= 8 else { return sqlite3_result_null(ctx) }
            GeometryFunctions.containsPointPolygon(ctx, Int(argc), argv)
        },
    ]
}
