// The geometry constructors with literal coordinates that the SQLite renderer recognises, and
// the arities of the shape UDFs named after their kinds.

/// The kinds of geometry value, as named in the shape UDFs (`adql_contains_point_circle`);
/// SQLiteKit's geometry functions use the same kinds, with these raw values in their tags.
package enum ShapeKind: Int, CaseIterable, CustomStringConvertible {
    case point, circle, box, polygon

    package var description: String {
        switch self {
        case .point: "point"
        case .circle: "circle"
        case .box: "box"
        case .polygon: "polygon"
        }
    }

    /// The number of coordinates of the kind, nil for a polygon (any even number from 6).
    package var fixedArity: Int? {
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
