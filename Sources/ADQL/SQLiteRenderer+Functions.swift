// SQLiteRenderer: function calls — aggregates, math and string functions (mapped to SQLite's
// own or to the adql_* UDFs), user-defined functions, and the geometry functions, whose shape
// predicates become the UDF of the two shapes' kinds.

extension SQLiteRenderer {
    /// Throws when SQLite would refuse a call of `name` with `count` arguments.
    private static func checkArgumentCount(_ count: Int, of name: String, range: SourceRange) throws {
        if count > SQLiteRenderer.maxFunctionArguments {
            throw ADQLError(
                .unsupported,
                "too many arguments (\(count)) for \(name); SQLite allows \(SQLiteRenderer.maxFunctionArguments)",
                range: range)
        }
    }

    func call(_ name: String, _ arguments: [String], range: SourceRange) throws -> String {
        try SQLiteRenderer.checkArgumentCount(arguments.count, of: name, range: range)
        return name + "(" + arguments.joined(separator: ", ") + ")"
    }

    /// Appends `name(arguments)` to `out`, the arguments written in place.
    private func appendCall(
        _ name: String, _ arguments: [Expression], range: SourceRange,
        to out: inout SQLBuffer
    ) throws {
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
    func appendDefaultFunction(_ f: FunctionCall, range: SourceRange, to out: inout SQLBuffer) throws {
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
            throw ADQLError(
                .unsupported,
                "IN_UNIT needs the unit of its argument and must be resolved by the planner",
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
        throw ADQLError(.unsupported, "\(upper) with \(args.count) arguments has no SQLite rendering", range: range)
    }

    /// A geometry-valued expression as a DALI string value.
    private func geometryValue(_ e: Expression) throws -> String {
        if let s = Shape(e) {
            return try call("adql_\(s.kind)", s.arguments.map(render), range: e.range)
        }
        if case .function(let f) = e.kind, Shape.isConstructor(f.upperName),
            try dialect.functionCall(f, range: e.range, renderer: self) == nil
        {
            throw ADQLError(
                .unsupported,
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
            if a.kind != .point {
                return a.kind.rawValue <= b.kind.rawValue ? ("adql_intersects", a, b) : ("adql_intersects", b, a)
            }
        }
        return nil
    }

    /// Appends `<prefix>_<a>_<b>(coordinates)` to `out`.
    private func appendShapeCall(
        _ prefix: String, _ a: Shape, _ b: Shape, range: SourceRange,
        to out: inout SQLBuffer
    ) throws {
        let polygons = a.kind == .polygon && b.kind == .polygon
        let count = (polygons ? 1 : 0) + a.arguments.count + b.arguments.count
        if count > SQLiteRenderer.maxFunctionArguments {
            try SQLiteRenderer.checkArgumentCount(
                count, of: prefix + "_" + a.kind.description + "_" + b.kind.description,
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
