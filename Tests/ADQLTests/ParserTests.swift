import Testing

@testable import ADQL

@Suite struct ParserTests {
    /// Fully parenthesised structure of an expression, for precedence checks.
    func shape(_ e: ADQL.Expression) -> String {
        switch e.kind {
        case .literal(let l): return l.canonicalADQL
        case .column(let n): return n.canonicalADQL
        case .unary(let op, let x): return "(\(op.rawValue)\(shape(x)))"
        case .binary(let op, let l, let r): return "(\(shape(l)) \(op.rawValue) \(shape(r)))"
        case .not(let x): return "(NOT \(shape(x)))"
        case .parenthesized(let x): return "[\(shape(x))]"
        case .between(let v, let lo, let hi, let n):
            return "(\(shape(v)) \(n ? "NOT " : "")BETWEEN \(shape(lo)) AND \(shape(hi)))"
        case .isNull(let v, let n): return "(\(shape(v)) IS \(n ? "NOT " : "")NULL)"
        case .like(let v, let p, let n, let ci): return "(\(shape(v)) \(n ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(shape(p)))"
        case .inList(let v, let l, let n): return "(\(shape(v)) \(n ? "NOT " : "")IN \(l.map(shape)))"
        default: return e.canonicalADQL
        }
    }

    @Test(arguments: [
        ("a OR b AND c", "(a OR (b AND c))"),
        ("a AND b OR c", "((a AND b) OR c)"),
        ("NOT a = 1 AND b = 2", "((NOT (a = 1)) AND (b = 2))"),
        ("NOT NOT a = 1", "(NOT (NOT (a = 1)))"),
        ("a + b * c", "(a + (b * c))"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c", "((a / b) * c)"),
        ("a || b + c", "((a || b) + c)"),
        ("a + b || c", "((a + b) || c)"),
        ("-a * b", "((-a) * b)"),
        ("- -a", "(-(-a))"),
        ("a * -b", "(a * (-b))"),
        ("a + b = c * d", "((a + b) = (c * d))"),
        ("a = 1 OR b BETWEEN 1 + 1 AND 3 AND c IS NULL", "((a = 1) OR ((b BETWEEN (1 + 1) AND 3) AND (c IS NULL)))"),
        ("a NOT BETWEEN 1 AND 2", "(a NOT BETWEEN 1 AND 2)"),
        ("a || 'x' LIKE b", "((a || 'x') LIKE b)"),
        ("a NOT ILIKE 'x%'", "(a NOT ILIKE 'x%')"),
        ("a IS NOT NULL", "(a IS NOT NULL)"),
        ("a NOT IN (1, 2 + 3)", "(a NOT IN [\"1\", \"(2 + 3)\"])"),
        ("(a + b) * c", "([(a + b)] * c)"),
        ("x>0AND y<1", "((x > 0) AND (y < 1))"),
        ("a != b", "(a <> b)"),
    ])
    func precedence(_ text: String, _ expected: String) throws {
        #expect(shape(try expr(text)) == expected)
    }

    @Test func selectStructure() throws {
        let q = try ADQLParser.parse(
            "SELECT DISTINCT TOP 5 o.a AS x, b, o.* FROM s.t AS o WHERE a > 1 GROUP BY b HAVING COUNT(*) > 1 ORDER BY x DESC, 2 OFFSET 7"
        )
        guard case .select(let s) = q.body else {
            Issue.record("not a select")
            return
        }
        #expect(s.quantifier == .distinct)
        #expect(s.top == 5)
        #expect(s.items.count == 3)
        if case .expression(let e, let alias) = s.items[0] {
            #expect(
                e.kind
                    == .column(
                        QualifiedName([
                            Identifier("o", range: e.range),
                            Identifier(
                                "a",
                                range: SourceRange(
                                    start: .init(line: 1, column: 27, offset: 26), end: .init(line: 1, column: 28, offset: 27))),
                        ])) || e.canonicalADQL == "o.a")
            #expect(alias?.name == "x")
        }
        if case .qualifiedWildcard(let name, _) = s.items[2] {
            #expect(name.canonicalADQL == "o")
        } else {
            Issue.record("expected o.*")
        }
        if case .table(let name, let alias, _) = s.from[0] {
            #expect(name.parts.map(\.name) == ["s", "t"])
            #expect(alias?.name == "o")
        } else {
            Issue.record("expected table")
        }
        #expect(s.whereClause?.canonicalADQL == "a > 1")
        #expect(s.groupBy.map(\.canonicalADQL) == ["b"])
        #expect(s.having?.canonicalADQL == "COUNT(*) > 1")
        #expect(q.orderBy.count == 2)
        #expect(q.orderBy[0].descending)
        #expect(q.orderBy[1].expression.kind == .literal(.integer(2)))
        #expect(q.offset == 7)
    }

    @Test func rangesPointAtTheSource() throws {
        let text = "SELECT a\nFROM t\nWHERE b + 1 > 2"
        let q = try ADQLParser.parse(text)
        guard case .select(let s) = q.body, let w = s.whereClause else {
            Issue.record("no where")
            return
        }
        #expect(w.range.start == SourcePosition(line: 3, column: 7, offset: 22))
        #expect(w.range.end == SourcePosition(line: 3, column: 16, offset: 31))
        if case .binary(_, let l, _) = w.kind {
            #expect(l.range.start.column == 7)
            #expect(l.range.end.column == 12)
        }
        #expect(q.range.start.offset == 0)
        #expect(q.range.end.offset == text.unicodeScalars.count)
    }

    @Test func delimitedIdentifiersKeepTheirSpelling() throws {
        let q = try ADQLParser.parse("SELECT \"Ra\", ra FROM \"My Table\"")
        guard case .select(let s) = q.body, case .expression(let e, _) = s.items[0],
            case .column(let n) = e.kind
        else {
            Issue.record("shape")
            return
        }
        #expect(n.last.name == "Ra" && n.last.isDelimited)
        #expect(n.last.matches("Ra") && !n.last.matches("ra"))
        #expect(q.canonicalADQL == "SELECT \"Ra\", ra FROM \"My Table\"")
    }

    @Test func setOperationsAssociateAndIntersectBindsTighter() throws {
        let q = try ADQLParser.parse("SELECT a FROM t UNION SELECT a FROM u INTERSECT SELECT a FROM v EXCEPT SELECT a FROM w")
        guard case .setOperation(.except, false, let left, _) = q.body,
            case .setOperation(.union, false, _, let right) = left,
            case .setOperation(.intersect, false, _, _) = right
        else {
            Issue.record("wrong tree: \(q.body)")
            return
        }
    }

    @Test func joinsBuildLeftDeepTrees() throws {
        let q = try ADQLParser.parse("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) NATURAL JOIN d CROSS JOIN e")
        guard case .select(let s) = q.body, case .join(let j4) = s.from[0] else {
            Issue.record("no join")
            return
        }
        #expect(j4.kind == .cross && j4.condition == nil)
        guard case .join(let j3) = j4.left, case .join(let j2) = j3.left, case .join(let j1) = j2.left else {
            Issue.record("not left deep")
            return
        }
        #expect(j3.natural && j3.kind == .inner)
        #expect(
            j2.kind == .left
                && j2.condition
                    == .using([
                        Identifier(
                            "y",
                            range: j2.condition.flatMap { if case .using(let c) = $0 { c[0].range } else { nil } } ?? .synthesized
                        )
                    ])
        )
        #expect(j1.kind == .inner)
        if case .on(let e)? = j1.condition { #expect(e.canonicalADQL == "a.x = b.x") }
    }

    @Test func subqueryKinds() throws {
        let e = try expr("a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v) AND c > (SELECT MAX(d) FROM w)")
        var kinds: [String] = []
        e.walk(intoSubqueries: false) { node in
            switch node.kind {
            case .inSubquery: kinds.append("in")
            case .exists: kinds.append("exists")
            case .scalarSubquery: kinds.append("scalar")
            default: break
            }
            return true
        }
        #expect(kinds == ["in", "exists", "scalar"])
    }

    @Test func parenthesisedSetOperationInExpressions() throws {
        let e = try expr("a IN ((SELECT b FROM u) UNION (SELECT c FROM v))")
        guard case .inSubquery(_, let q, false) = e.kind, case .setOperation(.union, _, _, _) = q.body else {
            Issue.record("expected IN sub-query with UNION, got \(e.kind)")
            return
        }
        let s = try expr("((SELECT MAX(a) FROM t) + 1) * 2")
        #expect(s.canonicalADQL == "((SELECT MAX(a) FROM t) + 1) * 2")
    }

    @Test func functionsAreFunctionCalls() throws {
        let e = try expr("scisql_nanojanskyToAbMag(COUNT(DISTINCT a)) + COUNT(*) + pi()")
        var calls: [FunctionCall] = []
        e.walk { node in
            if case .function(let f) = node.kind { calls.append(f) }
            return true
        }
        #expect(calls.map(\.name.name) == ["scisql_nanojanskyToAbMag", "COUNT", "COUNT", "pi"])
        #expect(calls[1].distinct && !calls[1].star)
        #expect(calls[2].star && calls[2].arguments.isEmpty)
        #expect(calls[3].upperName == "PI")
    }

    @Test func literals() throws {
        #expect(try expr("0x1F").kind == .literal(.integer(31)))
        #expect(try expr("9223372036854775807").kind == .literal(.integer(Int64.max)))
        #expect(try expr("99999999999999999999").kind == .literal(.real(1e20, text: "99999999999999999999")))
        #expect(try expr("1.5e3").kind == .literal(.real(1500, text: "1.5e3")))
        #expect(try expr("'a''b'").kind == .literal(.string("a'b")))
        #expect(try expr("TRUE").kind == .literal(.boolean(true)))
        #expect(try expr("null").kind == .literal(.null))
    }

    /// Plain decimals take the parser's exact path (digits over a power of ten); the value must
    /// be the one `Double(text)` parses, at the path's limits and beyond them.
    @Test func decimalLiteralsHaveTheValueDoubleParses() throws {
        var texts = [
            "0.1", "62.0", "-37.0", ".5", "0.000001", "123456789012345.6", "1234567890123456.7",
            "0.1234567890123456789012", "0.12345678901234567890123", "9007199254740993.0",
            "00000000000000000000.1", "3.14159265358979", "1.5e3",
        ]
        // A fixed sequence (SplitMix64), so that a failure repeats.
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<500 {
            let digits = Int.random(in: 1...18, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 0...digits, using: &generator)))
            texts.append(text)
        }
        for text in texts {
            let unsigned = text.hasPrefix("-") ? String(text.dropFirst()) : text
            guard case .literal(.real(let value, _)) = try expr(unsigned).kind else {
                Issue.record("\(unsigned) is not a real literal")
                continue
            }
            #expect(value == Double(unsigned), "\(unsigned)")
        }
        // The typical literals do take the exact path.
        #expect(Parser.exactDecimal(ArraySlice(Array("62.0".utf8))) == 62.0)
        #expect(Parser.exactDecimal(ArraySlice(Array("0.1".utf8))) == 0.1)
        #expect(Parser.exactDecimal(ArraySlice(Array("1234567890123456.7".utf8))) == nil)
    }

    @Test func castTypes() throws {
        let cases: [(String, CastType)] = [
            ("SMALLINT", .smallint), ("INTEGER", .integer), ("INT", .integer), ("BIGINT", .bigint), ("REAL", .real),
            ("DOUBLE PRECISION", .doublePrecision), ("CHAR", .char(length: nil)), ("CHAR(3)", .char(length: 3)),
            ("VARCHAR(40)", .varchar(length: 40)), ("TIMESTAMP", .timestamp), ("POINT", .point),
            ("CIRCLE", .circle), ("POLYGON", .polygon), ("REGION", .region),
        ]
        for (text, type) in cases {
            guard case .cast(_, let parsed) = try expr("CAST(x AS \(text))").kind else {
                Issue.record("not a cast: \(text)")
                continue
            }
            #expect(parsed == type)
        }
    }

    @Test(arguments: [
        ("SELECT a FROM t WHERE x > ANY (SELECT b FROM u)", 1, 27),
        ("SELECT ra, dec FORM t", 1, 16),
        ("SELECT a\nFROM t\nWHERE (a = 1", 3, 13),
        ("", 1, 1),
        ("   ", 1, 4),
        ("-- only a comment", 1, 18),
    ])
    func errorPositions(_ text: String, _ line: Int, _ column: Int) {
        switch parseResult(text) {
        case .success: Issue.record("parsed: \(text)")
        case .failure(let e):
            #expect(e.line == line)
            #expect(e.column == column)
        }
    }

    @Test func errorDescriptionFormat() {
        guard case .failure(let e) = parseResult("SELECT TOP 10 coord_ra, coord_dec FORM dp02_dc2_catalogs.Object") else {
            Issue.record("parsed")
            return
        }
        #expect(e.description == "line 1, column 35: expected FROM, found \"FORM\"")
        #expect(e.found == "FORM")
        #expect(e.expected == ["FROM"])
        #expect(e.message == "expected FROM, found \"FORM\"")
        guard case .failure(let end) = parseResult("SELECT a FROM t WHERE") else {
            Issue.record("parsed")
            return
        }
        #expect(end.description == "line 1, column 22: expected expression, found end of query")
        #expect(end.found == nil)
    }

    @Test func typedThrowsOnlyThrowADQLError() {
        let error: ADQLError? = {
            do throws(ADQLError) {
                _ = try ADQLParser.parse("SELECT")
                return nil
            } catch {
                return error  // statically an ADQLError
            }
        }()
        #expect(error != nil)
    }

    @Test func trailingSemicolonIsAllowedOnce() throws {
        _ = try ADQLParser.parse("SELECT a FROM t;")
        _ = try ADQLParser.parse("SELECT a FROM t ; -- done")
        #expect(throws: ADQLError.self) { try ADQLParser.parse("SELECT a FROM t;;") }
    }
}
