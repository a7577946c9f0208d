import ADQL
import Tabular

/// Range checks of the constant arguments of the geometry functions, made by the binder on
/// every call it binds: a value out of range is refused with an error that names the value,
/// the function and the value's line and column, before any plan is made from it.
///
/// The rules (docs/adql.md, "Geometry values"):
/// - every constant coordinate, radius and size must be a finite number;
/// - latitudes lie in [-90, 90];
/// - longitudes may be any finite number and mean that number modulo 360;
/// - a CIRCLE's radius lies in [0, 180] (180 is the whole sky);
/// - a BOX's width lies in [0, 360] and its height in [0, 180]; a box that reaches past a pole
///   is cut at the pole;
/// - a polygon has at most `maxPolygonVertices` vertices.
///
/// Arguments computed from columns are not constants and are not checked here: the SQL
/// functions give NULL for them where no region exists.
enum GeometryArguments {
    enum Role {
        case longitude, latitude, radius, width, height

        var name: String {
            switch self {
            case .longitude: "longitude"
            case .latitude: "latitude"
            case .radius: "radius"
            case .width: "width"
            case .height: "height"
            }
        }

        /// The values allowed, or nil for any finite number.
        var allowed: ClosedRange<Double>? {
            switch self {
            case .longitude: nil
            case .latitude: -90...90
            case .radius: 0...180
            case .width: 0...360
            case .height: 0...180
            }
        }
    }

    private static let point: [Role] = [.longitude, .latitude]
    private static let circle: [Role] = [.longitude, .latitude, .radius]
    private static let radius: [Role] = [.radius]
    private static let box: [Role] = [.longitude, .latitude, .width, .height]
    private static let size: [Role] = [.width, .height]
    private static let pointAndCircle: [Role] = [.longitude, .latitude, .longitude, .latitude, .radius]

    /// The most vertices a polygon may have.
    static let maxPolygonVertices = 1_000

    /// Checks the constant arguments of `call` (at `range`) against the rules above.
    static func check(_ call: FunctionCall, range: SourceRange) throws {
        let args = call.arguments
        // Argument roles after a leading coordinate-system string, for the ADQL constructors.
        var skip = 0
        if let first = args.first, case .literal(.string) = first.unparenthesized.kind { skip = 1 }
        let rest = args.count - skip
        func isPoint(_ i: Int) -> Bool {
            guard i < args.count, case .function(let f) = args[i].unparenthesized.kind else { return false }
            return f.upperName == "POINT"
        }
        // The roles of the arguments from `first` on: `fixed` in order, or alternating
        // longitude / latitude to the end (a vertex list).
        var first = skip
        var fixed: [Role]? = nil
        switch call.upperName {
        case "POINT":
            guard rest == 2 else { return }
            fixed = Self.point
        case "CIRCLE", "BOX":
            // The centre as two numbers or as one POINT, then the radius or the width and height.
            let (whole, afterCentre) = call.upperName == "CIRCLE" ? (Self.circle, Self.radius) : (Self.box, Self.size)
            if rest == whole.count {
                fixed = whole
            } else if rest == afterCentre.count + 1, isPoint(skip) {
                (first, fixed) = (skip + 1, afterCentre)
            } else {
                return
            }
        case "POLYGON":
            // Testing a polygon for convexity takes time quadratic in its vertices, inside one
            // SQL function call that the query's time limit cannot interrupt.
            let points = (skip..<args.count).contains(where: isPoint)
            let vertices = points ? rest : rest / 2
            guard vertices <= maxPolygonVertices else {
                throw Binder.error(
                    "POLYGON has \(vertices) vertices; at most \(maxPolygonVertices) are allowed", at: range)
            }
            if points { return }
        case "DISTANCE", "SCISQL_ANGSEP":
            guard args.count == 4 else { return }
            first = 0
        case "SCISQL_S2PTINCIRCLE":
            guard args.count == 5 else { return }
            (first, fixed) = (0, Self.pointAndCircle)
        case "SCISQL_S2PTINBOX":
            guard args.count == 6 else { return }
            first = 0
        case "SCISQL_S2PTINCPOLY":
            guard (args.count - 2) / 2 <= maxPolygonVertices else {
                throw Binder.error(
                    "scisql_s2PtInCPoly has \((args.count - 2) / 2) vertices; at most \(maxPolygonVertices) are allowed",
                    at: range)
            }
            first = 0
        default:
            return
        }
        let last = fixed.map { first + $0.count } ?? args.count
        for i in first..<min(last, args.count) {
            let role = fixed?[i - first] ?? ((i - first) % 2 == 0 ? .longitude : .latitude)
            let argument = args[i]
            guard let value = ConstantFolding.number(argument) else { continue }
            if value.isFinite, role.allowed?.contains(value) ?? true { continue }
            // Out of range: the error names the value as written and where it stands.
            let at = argument.range == .synthesized ? range : argument.range
            let written = ConstantFolding.text(of: argument, value: value)
            guard value.isFinite else {
                throw Binder.error("the \(role.name) \(written) in \(call.name.name) is not a finite number of degrees", at: at)
            }
            let why: String
            switch role {
            case .latitude: why = "latitudes lie between -90 and 90 degrees"
            case .radius: why = value < 0 ? "a radius cannot be negative" : "a radius of 180 degrees already covers the whole sky"
            case .width: why = value < 0 ? "a width cannot be negative" : "a width of 360 degrees already covers all longitudes"
            case .height: why = value < 0 ? "a height cannot be negative" : "a height of 180 degrees already spans pole to pole"
            case .longitude: why = ""
            }
            throw Binder.error(
                "the \(role.name) \(written) in \(call.name.name) is out of range: \(why)", at: at)
        }
    }
}

/// The value of a constant numeric expression (literals, signs, + - * /), as the planner reads
/// it: IEEE arithmetic, so an overflowing literal or product is infinite rather than a trap.
enum ConstantFolding {
    static func number(_ e: Expression) -> Double? {
        switch e.unparenthesized.kind {
        case .literal(.integer(let v)): return Double(v)
        case .literal(.real(let v, _)): return v
        case .unary(.minus, let x): return number(x).map { -$0 }
        case .unary(.plus, let x): return number(x)
        case .binary(let op, let a, let b):
            guard let x = number(a), let y = number(b) else { return nil }
            switch op {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            case .divide: return y == 0 ? nil : x / y
            default: return nil
            }
        default: return nil
        }
    }

    /// The value as the user wrote it when it is one literal (with its sign), else its value.
    static func text(of e: Expression, value: Double) -> String {
        switch e.unparenthesized.kind {
        case .literal(.real(_, let text)): return text
        case .literal(.integer(let v)): return String(v)
        case .unary(.minus, let x):
            if case .literal(.real(_, let text)) = x.unparenthesized.kind { return "-" + text }
            if case .literal(.integer(let v)) = x.unparenthesized.kind { return "-" + String(v) }
        default: break
        }
        return String(value)
    }
}
