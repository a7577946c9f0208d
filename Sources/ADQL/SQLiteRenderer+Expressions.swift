// SQLiteRenderer: expressions — operators, literals, column references, CASE, CAST, IN,
// EXISTS, scalar sub-queries and LIKE / ILIKE, the common nodes written in place into an
// SQLBuffer.

extension SQLiteRenderer {
    public func render(_ e: Expression) throws -> String {
        var out = SQLBuffer(capacity: 64)
        try append(e, to: &out)
        return out.string
    }

    /// Renders `list` separated by commas into `out`.
    func appendList(_ list: [Expression], to out: inout SQLBuffer) throws {
        for (i, e) in list.enumerated() {
            if i > 0 { out += ", " }
            try append(e, to: &out)
        }
    }

    /// Appends the SQL of `e` to `out`. The common nodes (names, literals, operators, argument
    /// lists) are written in place; the rest are rendered by `renderNode`.
    public func append(_ e: Expression, to out: inout SQLBuffer) throws {
        switch e.kind {
        case .literal(let l):
            SQLiteRenderer.appendLiteral(l, to: &out)
        case .column(let name):
            try dialect.appendColumnReference(name, to: &out, renderer: self)
        case .unary(let op, let operand):
            if op == .plus { return try append(operand, to: &out) }
            out += "(- "
            try append(operand, to: &out)
            out += ")"
        case .binary(let op, let l, let r):
            // Left-deep chains are rendered iteratively (no recursion per operator).
            var spine: [(BinaryOperator, Expression)] = [(op, r)]
            var leftmost = l
            while case .binary(let lop, let ll, let lr) = leftmost.kind {
                spine.append((lop, lr))
                leftmost = ll
            }
            for _ in 0..<spine.count { out += "(" }
            try append(leftmost, to: &out)
            for (o, right) in spine.reversed() {
                out += " "
                out += o.rawValue
                out += " "
                try append(right, to: &out)
                out += ")"
            }
        case .not(let operand):
            out += "(NOT "
            try append(operand, to: &out)
            out += ")"
        case .between(let value, let low, let high, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " NOT BETWEEN " : " BETWEEN "
            try append(low, to: &out)
            out += " AND "
            try append(high, to: &out)
            out += ")"
        case .inList(let value, let list, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " NOT IN (" : " IN ("
            try appendList(list, to: &out)
            out += "))"
        case .isNull(let value, let negated):
            out += "("
            try append(value, to: &out)
            out += negated ? " IS NOT NULL)" : " IS NULL)"
        case .parenthesized(let inner):
            try append(inner, to: &out)
        case .function(let call):
            try appendFunction(call, of: e, to: &out)
        case .cast(let value, let type) where SQLiteRenderer.numericCastType(type) != nil:
            // Numeric casts (the zone of every zone-indexed band) in place.
            out += "CAST("
            try append(value, to: &out)
            out += SQLiteRenderer.numericCastType(type)!
        default:
            out += try renderNode(e)
        }
    }

    /// The ` AS <type>)` that ends a numeric CAST; nil for the other types.
    private static func numericCastType(_ type: CastType) -> String? {
        switch type {
        case .smallint, .integer, .bigint: " AS INTEGER)"
        case .real, .doublePrecision: " AS REAL)"
        default: nil
        }
    }

    /// Appends the SQL of the function call `e` (whose kind is `.function(f)`) to `out`.
    private func appendFunction(_ f: FunctionCall, of e: Expression, to out: inout SQLBuffer) throws {
        if let predicate = try RegionFolding.compoundPredicate(e, range: e.range) {
            return try append(RegionFolding.integerForm(predicate, range: e.range), to: &out)
        }
        if let sql = try dialect.functionCall(f, range: e.range, renderer: self) {
            out += sql
            return
        }
        try appendDefaultFunction(f, range: e.range, to: &out)
    }

    /// The SQL of the nodes `append` does not write in place.
    private func renderNode(_ e: Expression) throws -> String {
        switch e.kind {
        case .literal, .column, .unary, .binary, .not, .between, .inList, .isNull, .parenthesized:
            return try render(e)
        case .function(let call):
            var out = SQLBuffer(capacity: 64)
            try appendFunction(call, of: e, to: &out)
            return out.string
        case .cast(let value, let type) where type.isGeometry:
            if let folded = try RegionFolding.cast(value, type, range: e.range) { return try render(folded) }
            return try call(
                "adql_cast_geometry", [SQLiteRenderer.quoteString(type.canonicalADQL.lowercased()), render(value)],
                range: e.range)
        case .cast(let value, let type):
            return try cast(render(value), type, range: e.range)
        case .caseWhen(let operand, let whens, let elseResult):
            var out = "CASE"
            if let operand { out += " " + (try render(operand)) }
            for w in whens {
                out += " WHEN " + (try render(w.condition)) + " THEN " + (try render(w.result))
            }
            if let elseResult { out += " ELSE " + (try render(elseResult)) }
            return out + " END"
        case .inSubquery(let value, let q, let negated):
            return "(" + (try render(value)) + (negated ? " NOT IN (" : " IN (") + (try render(q)) + "))"
        case .exists(let q):
            return "EXISTS (" + (try render(q)) + ")"
        case .scalarSubquery(let q):
            return "(" + (try render(q)) + ")"
        case .like(let value, let pattern, let negated, let insensitive):
            let not = negated ? " NOT" : ""
            if insensitive {
                return "(lower(" + (try render(value)) + ")" + not + " LIKE lower(" + (try render(pattern)) + "))"
            }
            return "(" + (try render(value)) + not + " LIKE " + (try render(pattern)) + ")"
        }
    }

    static func literal(_ l: Literal) -> String {
        var out = SQLBuffer(capacity: 16)
        appendLiteral(l, to: &out)
        return out.string
    }

    static func appendLiteral(_ l: Literal, to out: inout SQLBuffer) {
        switch l {
        case .integer(let v): out.append(v)
        case .real(let v, let text):
            if v.isInfinite {
                out += v < 0 ? "-1e999" : "1e999"
            } else {
                out += text.isEmpty ? CanonicalWriter.realText(v) : text
            }
        case .string(let s): out += quoteString(s)
        case .boolean(let b): out += b ? "1" : "0"
        case .null: out += "NULL"
        }
    }

    private func cast(_ value: String, _ type: CastType, range: SourceRange) throws -> String {
        switch type {
        case .smallint, .integer, .bigint, .real, .doublePrecision: return "CAST(" + value + SQLiteRenderer.numericCastType(type)!
        case .char(let n), .varchar(let n):
            let text = "CAST(" + value + " AS TEXT)"
            if let n { return "substr(" + text + ", 1, \(n))" }
            return text
        case .timestamp: return "strftime('%Y-%m-%dT%H:%M:%f', " + value + ")"
        case .point, .circle, .polygon, .region:
            return try call(
                "adql_cast_geometry", [SQLiteRenderer.quoteString(type.canonicalADQL.lowercased()), value],
                range: range)
        }
    }
}
