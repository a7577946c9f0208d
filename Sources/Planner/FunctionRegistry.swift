import ADQL
import Tabular

/// What the binder knows of a function: how many arguments it takes and what it returns.
public struct FunctionSignature: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        case double
        case long
        case integer
        case string
        /// The type of the first argument (MIN, MAX, SUM, ABS, COALESCE, ...).
        case firstArgument
        /// A geometry value serialised as DALI text, with its xtype.
        case geometry(xtype: String)
    }

    public var name: String
    public var arity: ClosedRange<Int>
    public var result: Result
    public var unit: String?
    public var ucd: String?
    public var description: String
    /// For user-defined functions: the call as TAPRegExt's `features-udf` writes it,
    /// `name(arg TYPE, ...) -> TYPE`.
    public var form: String?

    public init(
        name: String, arity: ClosedRange<Int>, result: Result, unit: String? = nil, ucd: String? = nil,
        description: String, form: String? = nil
    ) {
        self.name = name
        self.form = form
        self.arity = arity
        self.result = result
        self.unit = unit
        self.ucd = ucd
        self.description = description
    }
}

/// The functions a query may call: ADQL's built-ins and the user-defined functions this
/// service declares (TAPRegExt `ivo://ivoa.net/std/TAPRegExt#features-udf`). Unknown functions
/// are errors, never passed through to SQLite.
public struct FunctionRegistry: Sendable {
    public private(set) var signatures: [String: FunctionSignature]

    public init(_ signatures: [FunctionSignature]) {
        self.signatures = Dictionary(signatures.map { ($0.name.uppercased(), $0) }, uniquingKeysWith: { a, _ in a })
    }

    public mutating func declare(_ signature: FunctionSignature) {
        signatures[signature.name.uppercased()] = signature
    }

    public func signature(_ name: String) -> FunctionSignature? { signatures[name.uppercased()] }

    /// The signature of a call, by its already upper-cased name.
    func signature(of call: FunctionCall) -> FunctionSignature? { signatures[call.upperName] }

    /// The user-defined (non-ADQL) functions, for the capabilities document.
    public var userDefined: [FunctionSignature] {
        signatures.values.filter { !Self.adqlBuiltins.contains($0.name.uppercased()) }.sorted { $0.name < $1.name }
    }

    func check(_ call: FunctionCall, range: SourceRange) throws {
        guard let signature = signature(of: call) else {
            let suggestions = Suggestions.closest(to: call.name.name, in: signatures.values.map(\.name))
            var message = "unknown function \(call.name.name)"
            if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
            throw Binder.error(message, at: call.name.range == .synthesized ? range : call.name.range)
        }
        let n = call.star ? 1 : call.arguments.count
        guard signature.arity.contains(n) else {
            let expected =
                signature.arity.lowerBound == signature.arity.upperBound
                ? "\(signature.arity.lowerBound)"
                : (signature.arity.upperBound >= 1000
                    ? "at least \(signature.arity.lowerBound)"
                    : "\(signature.arity.lowerBound) to \(signature.arity.upperBound)")
            throw Binder.error("\(signature.name) takes \(expected) arguments, not \(n)", at: range)
        }
    }

    static let adqlBuiltins: Set<String> = [
        "ABS", "CEILING", "DEGREES", "EXP", "FLOOR", "LOG", "LOG10", "MOD", "PI", "POWER", "RADIANS", "RAND",
        "ROUND", "SQRT", "TRUNCATE", "ACOS", "ASIN", "ATAN", "ATAN2", "COS", "COT", "SIN", "TAN",
        "LOWER", "UPPER", "COALESCE", "IN_UNIT", "COUNT", "SUM", "AVG", "MIN", "MAX",
        "POINT", "CIRCLE", "BOX", "POLYGON", "REGION", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA",
        "COORD1", "COORD2", "COORDSYS", "CENTROID",
    ]

    public static let standard: FunctionRegistry = {
        var list: [FunctionSignature] = []
        func f(
            _ name: String, _ arity: ClosedRange<Int>, _ result: FunctionSignature.Result, _ d: String,
            unit: String? = nil, ucd: String? = nil, form: String? = nil
        ) {
            list.append(
                FunctionSignature(
                    name: name, arity: arity, result: result, unit: unit, ucd: ucd, description: d, form: form))
        }
        let many = 1000
        for name in [
            "ACOS", "ASIN", "ATAN", "COS", "COT", "SIN", "TAN", "EXP", "LOG", "LOG10", "SQRT",
            "DEGREES", "RADIANS",
        ] {
            f(name, 1...1, .double, "ADQL math function \(name)")
        }
        /// ADQL functions of one signature, each described by its name.
        func adql(
            _ names: [String], _ arity: ClosedRange<Int>, _ result: FunctionSignature.Result, unit: String? = nil,
            ucd: String? = nil
        ) {
            for name in names { f(name, arity, result, "ADQL \(name)", unit: unit, ucd: ucd) }
        }
        // Integral input stays integral (CEILING, FLOOR); a floating-point input gives an
        // integral double.
        adql(["ABS", "CEILING", "FLOOR"], 1...1, .firstArgument)
        adql(["MOD"], 2...2, .firstArgument)
        adql(["LOWER", "UPPER", "COORDSYS"], 1...1, .string)
        adql(["COALESCE"], 1...many, .firstArgument)
        adql(["COUNT"], 1...1, .long)
        adql(["SUM", "MIN", "MAX"], 1...1, .firstArgument)
        adql(["AVG"], 1...1, .double)
        adql(["POINT"], 2...3, .geometry(xtype: "point"))
        adql(["CIRCLE"], 2...4, .geometry(xtype: "circle"))
        adql(["BOX"], 3...5, .geometry(xtype: "polygon"))
        adql(["POLYGON"], 3...many, .geometry(xtype: "polygon"))
        adql(["REGION"], 1...1, .geometry(xtype: "region"))
        adql(["CENTROID"], 1...1, .geometry(xtype: "point"))
        adql(["CONTAINS", "INTERSECTS"], 2...2, .integer)
        adql(["DISTANCE"], 2...4, .double, unit: "deg", ucd: "pos.angDistance")
        adql(["AREA"], 1...1, .double, unit: "deg**2")
        adql(["COORD1", "COORD2"], 1...1, .double, unit: "deg")
        // Described by how they are called.
        f("ATAN2", 2...2, .double, "ADQL ATAN2(y, x)")
        f("POWER", 2...2, .double, "ADQL POWER(x, y)")
        f("PI", 0...0, .double, "ADQL PI()")
        f("RAND", 0...1, .double, "ADQL RAND([seed])")
        f("ROUND", 1...2, .firstArgument, "ADQL ROUND(x [, n])")
        f("TRUNCATE", 1...2, .firstArgument, "ADQL TRUNCATE(x [, n])")
        f("IN_UNIT", 2...2, .double, "ADQL IN_UNIT(value, unit)")
        // Rubin's scisql functions, as DP0 tutorials use them.
        f(
            "scisql_nanojanskyToAbMag", 1...1, .double, "AB magnitude of a flux in nJy", unit: "mag", ucd: "phot.mag",
            form: "scisql_nanojanskyToAbMag(flux DOUBLE) -> DOUBLE")
        f(
            "scisql_nanojanskyToAbMagSigma", 2...2, .double, "AB magnitude error from a flux and its error in nJy",
            unit: "mag", ucd: "stat.error;phot.mag", form: "scisql_nanojanskyToAbMagSigma(flux DOUBLE, fluxErr DOUBLE) -> DOUBLE")
        f(
            "scisql_fluxToAbMag", 1...1, .double, "AB magnitude of a flux in nJy (older name)", unit: "mag",
            ucd: "phot.mag", form: "scisql_fluxToAbMag(flux DOUBLE) -> DOUBLE")
        f(
            "scisql_fluxToAbMagSigma", 2...2, .double, "AB magnitude error from a flux and its error in nJy",
            unit: "mag", ucd: "stat.error;phot.mag", form: "scisql_fluxToAbMagSigma(flux DOUBLE, fluxErr DOUBLE) -> DOUBLE")
        f(
            "scisql_abMagToNanojansky", 1...1, .double, "flux in nJy of an AB magnitude", unit: "nJy",
            form: "scisql_abMagToNanojansky(mag DOUBLE) -> DOUBLE")
        f(
            "scisql_angSep", 4...4, .double, "angular separation in degrees of (ra1, dec1) and (ra2, dec2)",
            unit: "deg", ucd: "pos.angDistance", form: "scisql_angSep(ra1 DOUBLE, dec1 DOUBLE, ra2 DOUBLE, dec2 DOUBLE) -> DOUBLE"
        )
        f(
            "scisql_s2PtInCircle", 5...5, .integer, "1 if (ra, dec) is in the circle (ra, dec, radius), else 0",
            form: "scisql_s2PtInCircle(ra DOUBLE, dec DOUBLE, raCenter DOUBLE, decCenter DOUBLE, radius DOUBLE) -> INTEGER")
        f(
            "scisql_s2PtInBox", 6...6, .integer, "1 if (ra, dec) is in the box (raMin, decMin, raMax, decMax), else 0",
            form: "scisql_s2PtInBox(ra DOUBLE, dec DOUBLE, raMin DOUBLE, decMin DOUBLE, raMax DOUBLE, decMax DOUBLE) -> INTEGER")
        f(
            "scisql_s2PtInCPoly", 8...many, .integer, "1 if (ra, dec) is in the convex polygon (ra1, dec1, ...), else 0",
            form:
                "scisql_s2PtInCPoly(ra DOUBLE, dec DOUBLE, ra1 DOUBLE, dec1 DOUBLE, ra2 DOUBLE, dec2 DOUBLE, ra3 DOUBLE, dec3 DOUBLE, ...) -> INTEGER"
        )
        return FunctionRegistry(list)
    }()
}
