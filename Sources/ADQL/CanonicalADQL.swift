// Canonical ADQL rendering: upper-case keywords, single spaces, identifiers delimited only when
// written delimited or when they could not be read back as regular identifiers, strings
// re-escaped. For any parsed query `q`, `parse(q.canonicalADQL).canonicalADQL == q.canonicalADQL`.
//
// Parentheses the user wrote are kept (`.parenthesized`); for synthesised trees the renderer adds
// the parentheses that precedence requires, so rewritten trees render to text that parses back to
// the same structure.

extension Query {
    public var canonicalADQL: String { CanonicalWriter.text { CanonicalWriter.query(self, into: &$0) } }
}

extension QueryBody {
    public var canonicalADQL: String { CanonicalWriter.text { CanonicalWriter.body(self, into: &$0) } }
}

extension SelectStatement {
    public var canonicalADQL: String { CanonicalWriter.text { CanonicalWriter.select(self, into: &$0) } }
}

extension TableReference {
    public var canonicalADQL: String { CanonicalWriter.text { CanonicalWriter.table(self, into: &$0) } }
}

extension Expression {
    public var canonicalADQL: String { CanonicalWriter.text { CanonicalWriter.expression(self, into: &$0) } }
}

extension Identifier {
    /// The identifier as it must be written in ADQL: delimited (with `""` escapes) when it was
    /// written delimited or is not a valid regular identifier.
    public var canonicalADQL: String {
        if !isDelimited && ADQLKeywords.isRegularIdentifier(name) { return name }
        return CanonicalWriter.doubling(name, quote: "\"")
    }
}

extension QualifiedName {
    public var canonicalADQL: String { parts.map(\.canonicalADQL).joined(separator: ".") }
}

extension Literal {
    public var canonicalADQL: String {
        switch self {
        case .integer(let v): return String(v)
        case .real(let v, let text): return text.isEmpty ? CanonicalWriter.realText(v) : text
        case .string(let s): return CanonicalWriter.quote(s)
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .null: return "NULL"
        }
    }
}

extension CastType {
    public var canonicalADQL: String {
        switch self {
        case .smallint: return "SMALLINT"
        case .integer: return "INTEGER"
        case .bigint: return "BIGINT"
        case .real: return "REAL"
        case .doublePrecision: return "DOUBLE PRECISION"
        case .char(let n): return n.map { "CHAR(\($0))" } ?? "CHAR"
        case .varchar(let n): return n.map { "VARCHAR(\($0))" } ?? "VARCHAR"
        case .timestamp: return "TIMESTAMP"
        case .point: return "POINT"
        case .circle: return "CIRCLE"
        case .polygon: return "POLYGON"
        case .region: return "REGION"
        }
    }
}

/// Operator precedence levels shared by the renderers (higher binds tighter).
enum Precedence: Int, Comparable {
    case or = 1, and, not, predicate, additive, multiplicative, unary, primary

    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }

    static func of(_ op: BinaryOperator) -> Precedence {
        switch op {
        case .or: .or
        case .and: .and
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: .predicate
        case .add, .subtract, .concatenate: .additive
        case .multiply, .divide: .multiplicative
        }
    }

    static func of(_ e: Expression) -> Precedence {
        switch e.kind {
        case .binary(let op, _, _): of(op)
        case .not: .not
        case .between, .inList, .inSubquery, .isNull, .like: .predicate
        case .unary: .unary
        default: .primary
        }
    }
}

enum CanonicalWriter {
    /// The text that `write` appends to an empty string.
    static func text(_ write: (inout String) -> Void) -> String {
        var out = ""
        write(&out)
        return out
    }

    static func quote(_ s: String) -> String {
        doubling(s, quote: "'")
    }

    /// `s` between `quote` characters, with embedded quotes doubled.
    static func doubling(_ s: String, quote: Unicode.Scalar) -> String {
        // Most names hold no quote character: one concatenation instead of a scalar-by-scalar copy.
        if !s.unicodeScalars.contains(quote) {
            let q = String(Character(quote))
            return q + s + q
        }
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            out.append(c)
            if c == quote { out.append(quote) }
        }
        out.append(quote)
        return String(out)
    }

    /// A spelling of `v` that lexes back as a real literal.
    static func realText(_ v: Double) -> String {
        if v.isNaN || v.isInfinite { return "1E999" }
        let d = "\(v)"
        if d.contains(".") || d.contains("e") || d.contains("E") { return d }
        return d + ".0"
    }

    static func query(_ q: Query, into out: inout String) {
        if !q.with.isEmpty {
            out += "WITH "
            for (i, cte) in q.with.enumerated() {
                if i > 0 { out += ", " }
                out += cte.name.canonicalADQL
                if !cte.columnNames.isEmpty {
                    out += " (" + cte.columnNames.map(\.canonicalADQL).joined(separator: ", ") + ")"
                }
                out += " AS ("
                query(cte.query, into: &out)
                out += ")"
            }
            out += " "
        }
        body(q.body, into: &out)
        if !q.orderBy.isEmpty {
            out += " ORDER BY "
            for (i, item) in q.orderBy.enumerated() {
                if i > 0 { out += ", " }
                expression(item.expression, into: &out, minimum: .additive)
                if item.descending { out += " DESC" }
            }
        }
        if let offset = q.offset { out += " OFFSET \(offset)" }
    }

    private static func setLevel(_ op: SetOperator) -> Int { op == .intersect ? 2 : 1 }

    static func body(_ b: QueryBody, into out: inout String) {
        switch b {
        case .select(let s):
            select(s, into: &out)
        case .nested(let q):
            out += "("
            query(q, into: &out)
            out += ")"
        case .setOperation(let op, let all, let left, let right):
            let level = setLevel(op)
            if case .setOperation(let lop, _, _, _) = left, setLevel(lop) < level {
                out += "("
                body(left, into: &out)
                out += ")"
            } else {
                body(left, into: &out)
            }
            out += " " + op.rawValue + (all ? " ALL " : " ")
            if case .setOperation(let rop, _, _, _) = right, setLevel(rop) <= level {
                out += "("
                body(right, into: &out)
                out += ")"
            } else {
                body(right, into: &out)
            }
        }
    }

    static func select(_ s: SelectStatement, into out: inout String) {
        out += "SELECT "
        if let q = s.quantifier { out += q.rawValue + " " }
        if let top = s.top { out += "TOP \(top) " }
        for (i, item) in s.items.enumerated() {
            if i > 0 { out += ", " }
            switch item {
            case .wildcard: out += "*"
            case .qualifiedWildcard(let name, _): out += name.canonicalADQL + ".*"
            case .expression(let e, let alias):
                expression(e, into: &out)
                if let alias { out += " AS " + alias.canonicalADQL }
            }
        }
        if !s.from.isEmpty {
            out += " FROM "
            for (i, t) in s.from.enumerated() {
                if i > 0 { out += ", " }
                table(t, into: &out)
            }
        }
        if let w = s.whereClause {
            out += " WHERE "
            expression(w, into: &out)
        }
        if !s.groupBy.isEmpty {
            out += " GROUP BY "
            for (i, e) in s.groupBy.enumerated() {
                if i > 0 { out += ", " }
                expression(e, into: &out, minimum: .additive)
            }
        }
        if let h = s.having {
            out += " HAVING "
            expression(h, into: &out)
        }
    }

    static func table(_ t: TableReference, into out: inout String) {
        switch t {
        case .table(let name, let alias, _):
            out += name.canonicalADQL
            if let alias { out += " AS " + alias.canonicalADQL }
        case .derived(let q, let alias, _):
            out += "("
            query(q, into: &out)
            out += ") AS " + alias.canonicalADQL
        case .join(let j):
            table(j.left, into: &out)
            out += " "
            if j.natural { out += "NATURAL " }
            out += j.kind.rawValue + " JOIN "
            if case .join = j.right {
                out += "("
                table(j.right, into: &out)
                out += ")"
            } else {
                table(j.right, into: &out)
            }
            switch j.condition {
            case .on(let e)?:
                out += " ON "
                expression(e, into: &out)
            case .using(let columns)?:
                out += " USING (" + columns.map(\.canonicalADQL).joined(separator: ", ") + ")"
            case nil:
                break
            }
        }
    }

    /// Renders `e`, parenthesising it if its precedence is below `minimum`.
    static func expression(_ e: Expression, into out: inout String, minimum: Precedence = .or) {
        if Precedence.of(e) < minimum {
            out += "("
            expression(e, into: &out)
            out += ")"
            return
        }
        switch e.kind {
        case .literal(let l):
            out += l.canonicalADQL
        case .column(let name):
            out += name.canonicalADQL
        case .unary(let op, let operand):
            out += op.rawValue
            var inner = ""
            expression(operand, into: &inner, minimum: .unary)
            if inner.hasPrefix("-") || inner.hasPrefix("+") { out += " " }
            out += inner
        case .binary(let op, let l, let r):
            let p = Precedence.of(op)
            if p == .predicate {
                expression(l, into: &out, minimum: .additive)
                out += " " + op.rawValue + " "
                expression(r, into: &out, minimum: .additive)
            } else {
                // Walk the left spine of a chain of same-level operators iteratively, so that
                // long chains (`x = 1 OR x = 2 OR ...`) do not recurse once per operator.
                var spine: [(BinaryOperator, Expression)] = [(op, r)]
                var leftmost = l
                while case .binary(let lop, let ll, let lr) = leftmost.kind, Precedence.of(lop) == p {
                    spine.append((lop, lr))
                    leftmost = ll
                }
                expression(leftmost, into: &out, minimum: p)
                let rightMinimum = Precedence(rawValue: p.rawValue + 1) ?? .primary
                for (o, right) in spine.reversed() {
                    out += " " + o.rawValue + " "
                    expression(right, into: &out, minimum: rightMinimum)
                }
            }
        case .not(let operand):
            out += "NOT "
            expression(operand, into: &out, minimum: .not)
        case .function(let call):
            function(call, into: &out)
        case .cast(let value, let type):
            out += "CAST("
            expression(value, into: &out)
            out += " AS " + type.canonicalADQL + ")"
        case .caseWhen(let operand, let whens, let elseResult):
            out += "CASE"
            if let operand {
                out += " "
                expression(operand, into: &out, minimum: .additive)
            }
            for w in whens {
                out += " WHEN "
                expression(w.condition, into: &out)
                out += " THEN "
                expression(w.result, into: &out)
            }
            if let elseResult {
                out += " ELSE "
                expression(elseResult, into: &out)
            }
            out += " END"
        case .between(let value, let low, let high, let negated):
            expression(value, into: &out, minimum: .additive)
            out += negated ? " NOT BETWEEN " : " BETWEEN "
            expression(low, into: &out, minimum: .additive)
            out += " AND "
            expression(high, into: &out, minimum: .additive)
        case .inList(let value, let list, let negated):
            expression(value, into: &out, minimum: .additive)
            out += negated ? " NOT IN (" : " IN ("
            for (i, item) in list.enumerated() {
                if i > 0 { out += ", " }
                expression(item, into: &out, minimum: .additive)
            }
            out += ")"
        case .inSubquery(let value, let q, let negated):
            expression(value, into: &out, minimum: .additive)
            out += negated ? " NOT IN (" : " IN ("
            query(q, into: &out)
            out += ")"
        case .exists(let q):
            out += "EXISTS ("
            query(q, into: &out)
            out += ")"
        case .scalarSubquery(let q):
            out += "("
            query(q, into: &out)
            out += ")"
        case .isNull(let value, let negated):
            expression(value, into: &out, minimum: .additive)
            out += negated ? " IS NOT NULL" : " IS NULL"
        case .like(let value, let pattern, let negated, let insensitive):
            expression(value, into: &out, minimum: .additive)
            out += negated ? " NOT" : ""
            out += insensitive ? " ILIKE " : " LIKE "
            expression(pattern, into: &out, minimum: .additive)
        case .parenthesized(let inner):
            out += "("
            expression(inner, into: &out)
            out += ")"
        }
    }

    static func function(_ call: FunctionCall, into out: inout String) {
        let upper = call.upperName
        let builtin = ADQLKeywords.functionArity[upper] != nil
        out += builtin ? upper : call.name.name
        out += "("
        if call.star {
            out += "*"
        } else {
            if call.distinct { out += "DISTINCT " }
            let isAggregate = ADQLKeywords.aggregateFunctions.contains(upper)
            for (i, a) in call.arguments.enumerated() {
                if i > 0 { out += ", " }
                expression(a, into: &out, minimum: isAggregate ? .additive : .or)
            }
        }
        out += ")"
    }
}
