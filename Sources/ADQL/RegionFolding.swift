// REGION and CAST to geometry types, resolved from the AST.
//
// A constant STC-S string becomes the geometry constructor it stands for:
// `REGION('Circle ICRS 10 20 1')` is `CIRCLE('ICRS', 10, 20, 1)`, so that the renderer's shape
// functions and the planner's chunk pruning treat it like any other circle. Compound regions
// (Union, Intersection, Not) have no single constructor; CONTAINS and INTERSECTS over them are
// expanded into the predicates over their members where that expansion is exact:
//
//   CONTAINS(g, Union(A, B))          = CONTAINS(g, A) OR CONTAINS(g, B)     g a point only
//   CONTAINS(g, Intersection(A, B))   = CONTAINS(g, A) AND CONTAINS(g, B)
//   CONTAINS(g, Not(A))               = NOT INTERSECTS(g, A)
//   CONTAINS(Union(A, B), g)          = CONTAINS(A, g) AND CONTAINS(B, g)
//   INTERSECTS(g, Union(A, B))        = INTERSECTS(g, A) OR INTERSECTS(g, B)
//   INTERSECTS(g, Intersection(A, B)) = INTERSECTS(g, A) AND INTERSECTS(g, B) g a point only
//   INTERSECTS(g, Not(A))             = NOT CONTAINS(g, A)
//
// (INTERSECTS is symmetric.) Other uses of a compound region are refused with an error that says
// why. The predicates are NULL when g is NULL, like CONTAINS itself.
//
// CAST(x AS POINT | CIRCLE | POLYGON | REGION): ADQL 2.1 lets a service convert a string holding a
// geometry (DALI numbers or STC-S) and a geometry of the same kind. A constant is converted here;
// a geometry constructor casts to its own kind (or to REGION); other values are converted at run
// time by `adql_cast_geometry(kind, value)`, which fails on a value of another kind.

/// The ADQL geometry kind a CAST targets.
extension CastType {
    var geometryKind: ShapeKind? {
        switch self {
        case .point: .point
        case .circle: .circle
        case .polygon: .polygon
        default: nil
        }
    }

    var isGeometry: Bool {
        switch self {
        case .point, .circle, .polygon, .region: true
        default: false
        }
    }
}

public enum RegionFolding {
    /// The query with every constant REGION and geometry CAST resolved and every CONTAINS /
    /// INTERSECTS over a compound region expanded (comparisons with 1 or 0 become boolean
    /// predicates over the members, which chunk pruning understands).
    public static func fold(_ query: Query) throws -> Query {
        // Every rewrite below starts at a REGION call or a geometry CAST: a query without one
        // (nearly all) is returned as it is, without rebuilding its tree.
        var needed = false
        query.walkExpressions { e in
            if startsFolding(e) { needed = true }
            return !needed
        }
        guard needed else { return query }
        return try foldAll(query)
    }

    /// Whether `fold` rewrites at this node: a REGION call or a geometry CAST (a planner that
    /// walks the query anyway tests this on its way instead of a walk of its own).
    @inline(__always)
    public static func startsFolding(_ e: Expression) -> Bool {
        switch e.kind {
        case .function(let f): f.upperName == "REGION"
        case .cast(_, let type): type.isGeometry
        default: false
        }
    }

    /// `fold` of a query known to hold a node where `startsFolding`.
    public static func foldAll(_ query: Query) throws -> Query {
        // Errors are carried out of the traversal rather than thrown through its rethrowing
        // closures (which crashed a debug build when an error crossed them).
        var failure: (any Error)?
        let folded = query.rewriteExpressions { e in recording(e, &failure) }
        if let failure { throw failure }
        return folded
    }

    public static func fold(_ expression: Expression) throws -> Expression {
        var failure: (any Error)?
        let folded = expression.rewrite { e in recording(e, &failure) }
        if let failure { throw failure }
        return folded
    }

    /// `transform`, with its first error stored in `failure` (the node is then kept as is).
    private static func recording(_ e: Expression, _ failure: inout (any Error)?) -> Expression? {
        if failure != nil { return e }
        do {
            return try transform(e)
        } catch {
            failure = error
            return e
        }
    }

    static func transform(_ node: Expression) throws -> Expression? {
        switch node.kind {
        case .binary(.equal, let l, let r):
            for (call, other) in [(l, r), (r, l)] {
                guard case .literal(.integer(let v)) = other.unparenthesized.kind, v == 0 || v == 1,
                    let p = try compoundPredicate(call, range: node.range)
                else { continue }
                let predicate = Expression(.parenthesized(p), range: node.range)
                return v == 1 ? predicate : Expression(.not(predicate), range: node.range)
            }
            return nil
        case .function(let f):
            if let p = try compoundPredicate(node, range: node.range) {
                return integerForm(p, range: node.range)
            }
            if f.upperName == "REGION", f.arguments.count == 1,
                case .literal(.string(let text)) = f.arguments[0].unparenthesized.kind
            {
                return try simpleShape(text, literal: f.arguments[0], range: node.range, use: "REGION")
            }
            return nil
        case .cast(let value, let type) where type.isGeometry:
            return try cast(try fold(value), type, range: node.range)
        default:
            return nil
        }
    }

    // MARK: Constant regions

    /// The STC-S region of a constant `REGION('...')` or `CAST('...' AS REGION)`.
    static func constantRegion(_ e: Expression) throws -> STCSRegion? {
        let u = e.unparenthesized
        let literal: Expression
        switch u.kind {
        case .function(let f) where f.upperName == "REGION" && f.arguments.count == 1:
            literal = f.arguments[0]
        case .cast(let v, .region):
            literal = v
        default:
            return nil
        }
        guard case .literal(.string(let text)) = literal.unparenthesized.kind else { return nil }
        return try parse(text, literal: literal)
    }

    static func parse(_ text: String, literal: Expression) throws -> STCSRegion {
        do {
            return try STCSRegion.parse(text)
        } catch {
            throw ADQLError(
                .invalidGeometry, "\(SQLiteRenderer.quoteString(text)): \(error)", range: literal.range, cause: error)
        }
    }

    /// A simple region as its ADQL constructor, with real literals.
    static func constructor(_ region: STCSRegion, range: SourceRange) -> Expression {
        let name: String
        switch region {
        case .position: name = "POINT"
        case .circle: name = "CIRCLE"
        case .box: name = "BOX"
        default: name = "POLYGON"
        }
        let numbers = region.numbers.map { v in
            Expression(.literal(.real(v, text: CanonicalWriter.realText(v))), range: range)
        }
        let frame = Expression(.literal(.string("ICRS")), range: range)
        return Expression(
            .function(FunctionCall(name: Identifier(name, range: range), arguments: [frame] + numbers)),
            range: range)
    }

    static func simpleShape(_ text: String, literal: Expression, range: SourceRange, use: String) throws -> Expression {
        let region = try parse(text, literal: literal)
        guard region.isSimple else {
            throw ADQLError(
                .unsupported,
                "\(use) of a \(region.word) region can only be used as an argument of CONTAINS or INTERSECTS (it has no single geometry value)",
                range: range)
        }
        return constructor(region, range: range)
    }

    // MARK: CAST

    static func cast(_ value: Expression, _ type: CastType, range: SourceRange) throws -> Expression? {
        let target = type.canonicalADQL
        if case .literal(.string(let text)) = value.unparenthesized.kind {
            if type == .region { return try simpleShape(text, literal: value, range: range, use: "CAST to REGION") }
            let region: STCSRegion
            if let numbers = daliNumbers(text) {
                switch (type.geometryKind, numbers.count) {
                case (.point?, 2): region = .position(lon: numbers[0], lat: numbers[1])
                case (.circle?, 3): region = .circle(lon: numbers[0], lat: numbers[1], radius: numbers[2])
                case (.polygon?, let n) where n >= 6 && n % 2 == 0: region = .polygon(numbers)
                default:
                    throw ADQLError(
                        .invalidGeometry,
                        "CAST to \(target): \(numbers.count) number(s) do not make a \(target) (a POINT has 2, a CIRCLE 3, a POLYGON an even number of at least 6)",
                        range: value.range)
                }
            } else {
                region = try parse(text, literal: value)
            }
            try checkKind(region.word.uppercased() == "POSITION" ? "POINT" : region.word.uppercased(), type, range: range)
            return constructor(region, range: range)
        }
        if let shape = Shape(value) {
            try checkKind(shape.kind.description.uppercased(), type, range: range)
            return value
        }
        return nil
    }

    static func checkKind(_ kind: String, _ type: CastType, range: SourceRange) throws {
        if type == .region || kind == type.canonicalADQL { return }
        var message = "CAST of a \(kind) to \(type.canonicalADQL): ADQL converts a geometry only to its own kind or to REGION"
        if kind == "BOX" && type == .polygon {
            message += " (a BOX's sides along parallels are not the great circles of a POLYGON)"
        }
        throw ADQLError(.invalidGeometry, message, range: range)
    }

    /// The numbers of a DALI value (numbers separated by spaces or commas), or nil when the text
    /// holds anything else.
    public static func daliNumbers(_ text: String) -> [Double]? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0.isWhitespace })
        guard !parts.isEmpty else { return nil }
        var out: [Double] = []
        for p in parts {
            guard let v = Double(p), v.isFinite else { return nil }
            out.append(v)
        }
        return out
    }

    // MARK: Compound regions

    enum Operand {
        case value(Expression)
        case region(STCSRegion)
    }

    /// `CONTAINS/INTERSECTS(a, b)` with a compound constant region argument, as a boolean
    /// predicate over the members (nil when no argument is a compound region).
    static func compoundPredicate(_ e: Expression, range: SourceRange) throws -> Expression? {
        guard case .function(let f) = e.unparenthesized.kind, f.upperName == "CONTAINS" || f.upperName == "INTERSECTS",
            f.arguments.count == 2
        else { return nil }
        let regions = try f.arguments.map(constantRegion)
        guard regions.contains(where: { $0.map { !$0.isSimple } ?? false }) else { return nil }
        let operands: [Operand] = try zip(f.arguments, regions).map { arg, region in
            if let region { return .region(region) }
            return .value(try fold(arg))
        }
        return try predicate(f.upperName == "CONTAINS", operands[0], operands[1], range: range)
    }

    static func predicate(_ contains: Bool, _ a: Operand, _ b: Operand, range: SourceRange) throws -> Expression {
        let op = contains ? "CONTAINS" : "INTERSECTS"
        func refuse(_ why: String) -> ADQLError {
            ADQLError(.unsupported, "\(op) with a compound region: \(why)", range: range)
        }
        if contains {
            switch b {
            case .region(.union(let members)):
                guard isPoint(a) else {
                    throw refuse("whether a shape that is not a POINT lies inside a Union cannot be decided member by member")
                }
                return try anyOf(members.map { try predicate(true, a, .region($0), range: range) }, range)
            case .region(.intersection(let members)):
                return try allOf(members.map { try predicate(true, a, .region($0), range: range) }, range)
            case .region(.not(let inner)):
                return negate(try predicate(false, a, .region(inner), range: range), range)
            default: break
            }
            switch a {
            case .region(.union(let members)):
                return try allOf(members.map { try predicate(true, .region($0), b, range: range) }, range)
            case .region(.intersection), .region(.not):
                throw refuse("whether an Intersection or Not region lies inside a shape cannot be decided member by member")
            default: break
            }
        } else {
            // INTERSECTS is symmetric: put the compound region second.
            if case .region(let r) = a, !r.isSimple, !(isCompound(b)) {
                return try predicate(false, b, a, range: range)
            }
            switch b {
            case .region(.union(let members)):
                return try anyOf(members.map { try predicate(false, a, .region($0), range: range) }, range)
            case .region(.intersection(let members)):
                guard isPoint(a) else {
                    throw refuse("whether a shape that is not a POINT meets an Intersection cannot be decided member by member")
                }
                return try allOf(members.map { try predicate(false, a, .region($0), range: range) }, range)
            case .region(.not(let inner)):
                return negate(try predicate(true, a, .region(inner), range: range), range)
            default: break
            }
            if isCompound(a) {
                throw refuse("two compound regions cannot be compared member by member")
            }
        }
        let call = FunctionCall(name: Identifier(op, range: range), arguments: [expression(a, range), expression(b, range)])
        return Expression(
            .binary(.equal, Expression(.function(call), range: range), Expression(.literal(.integer(1)), range: range)),
            range: range)
    }

    static func isCompound(_ o: Operand) -> Bool {
        if case .region(let r) = o { return !r.isSimple }
        return false
    }

    static func isPoint(_ o: Operand) -> Bool {
        switch o {
        case .region(.position): return true
        case .region: return false
        case .value(let e): return Shape(e)?.kind == .point
        }
    }

    static func expression(_ o: Operand, _ range: SourceRange) -> Expression {
        switch o {
        case .value(let e): return e
        case .region(let r): return constructor(r, range: range)
        }
    }

    static func anyOf(_ terms: [Expression], _ range: SourceRange) -> Expression {
        chain(.or, terms, range)
    }

    static func allOf(_ terms: [Expression], _ range: SourceRange) -> Expression {
        chain(.and, terms, range)
    }

    static func chain(_ op: BinaryOperator, _ terms: [Expression], _ range: SourceRange) -> Expression {
        let wrapped = terms.map { Expression(.parenthesized($0), range: range) }
        return wrapped.dropFirst().reduce(wrapped[0]) { Expression(.binary(op, $0, $1), range: range) }
    }

    static func negate(_ e: Expression, _ range: SourceRange) -> Expression {
        Expression(.not(Expression(.parenthesized(e), range: range)), range: range)
    }

    /// A boolean predicate as ADQL's integer: 1, 0, or NULL when the predicate is unknown.
    static func integerForm(_ p: Expression, range: SourceRange) -> Expression {
        let paren = Expression(.parenthesized(p), range: range)
        return Expression(
            .caseWhen(
                operand: nil,
                whens: [
                    WhenClause(condition: paren, result: Expression(.literal(.integer(1)), range: range)),
                    WhenClause(
                        condition: Expression(.not(paren), range: range), result: Expression(.literal(.integer(0)), range: range)),
                ], elseResult: nil), range: range)
    }
}
