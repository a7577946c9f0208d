import Testing

@testable import ADQL

@Suite struct RewriteTests {
    func col(_ name: String) -> ADQL.Expression { Expression(.column(QualifiedName([Identifier(name)]))) }
    func int(_ v: Int64) -> ADQL.Expression { Expression(.literal(.integer(v))) }

    @Test func synthesizedTreesGetTheParenthesesTheyNeed() throws {
        let sum = Expression(.binary(.add, col("a"), col("b")))
        let product = Expression(.binary(.multiply, sum, col("c")))
        #expect(product.canonicalADQL == "(a + b) * c")
        let rightNested = Expression(.binary(.subtract, col("a"), Expression(.binary(.subtract, col("b"), col("c")))))
        #expect(rightNested.canonicalADQL == "a - (b - c)")
        let or = Expression(.binary(.or, col("x"), col("y")))
        let and = Expression(.binary(.and, or, Expression(.not(or))))
        #expect(and.canonicalADQL == "(x OR y) AND NOT (x OR y)")
        let cmp = Expression(
            .binary(.equal, Expression(.binary(.less, col("a"), col("b"))), Expression(.literal(.boolean(true)))))
        #expect(cmp.canonicalADQL == "(a < b) = TRUE")
        let negNeg = Expression(.unary(.minus, Expression(.unary(.minus, col("a")))))
        #expect(negNeg.canonicalADQL == "- -a")
        let negSum = Expression(.unary(.minus, sum))
        #expect(negSum.canonicalADQL == "-(a + b)")
        for e in [product, rightNested, and, cmp, negNeg, negSum] {
            #expect(try expr(e.canonicalADQL).canonicalADQL == e.canonicalADQL)
        }
    }

    @Test func identifiersAreDelimitedWhenNeeded() {
        #expect(Identifier("ra").canonicalADQL == "ra")
        #expect(Identifier("size").canonicalADQL == "\"size\"")
        #expect(Identifier("My Col").canonicalADQL == "\"My Col\"")
        #expect(Identifier("_x").canonicalADQL == "\"_x\"")
        #expect(Identifier("1x").canonicalADQL == "\"1x\"")
        #expect(Identifier("a\"b").canonicalADQL == "\"a\"\"b\"")
        #expect(Identifier("Ra", isDelimited: true).canonicalADQL == "\"Ra\"")
    }

    @Test func rewriteReplacesColumns() throws {
        let q = try ADQLParser.parse("SELECT ra FROM t WHERE ra > 1 AND dec IN (SELECT ra FROM u) ORDER BY ra")
        let renamed = q.rewriteExpressions { e in
            if case .column(let n) = e.kind, n.last.matches("ra") {
                return Expression(.column(QualifiedName([Identifier("coord_ra")])), range: e.range)
            }
            return nil
        }
        #expect(
            renamed.canonicalADQL
                == "SELECT coord_ra FROM t WHERE coord_ra > 1 AND dec IN (SELECT coord_ra FROM u) ORDER BY coord_ra")
    }

    @Test func rewriteCanStayOutOfSubqueries() throws {
        let e = try expr("ra = 1 OR EXISTS (SELECT ra FROM u)")
        let r = e.rewrite(intoSubqueries: false) { node in
            if case .column = node.kind { return Expression(.literal(.integer(0))) }
            return nil
        }
        #expect(r.canonicalADQL == "0 = 1 OR EXISTS (SELECT ra FROM u)")
    }

    @Test func walkVisitsEverythingAndCanPrune() throws {
        let q = try ADQLParser.parse(
            "WITH c AS (SELECT a FROM t WHERE b = 1) SELECT x, f(y) FROM c JOIN d ON c.k = d.k WHERE z IN (SELECT w FROM v) GROUP BY x HAVING COUNT(*) > 0 ORDER BY x"
        )
        var columns: [String] = []
        q.walkExpressions { e in
            if case .column(let n) = e.kind { columns.append(n.canonicalADQL) }
            return true
        }
        #expect(columns == ["a", "b", "x", "y", "c.k", "d.k", "z", "w", "x", "x"])
        var functionsOnly = 0
        q.walkExpressions { e in
            if case .function = e.kind {
                functionsOnly += 1
                return false
            }
            return true
        }
        #expect(functionsOnly == 2)
    }

    @Test func conjunctsAndAnd() throws {
        let e = try expr("a = 1 AND (b = 2 AND c = 3) AND (d = 4 OR e = 5)")
        #expect(e.conjuncts.map(\.canonicalADQL) == ["a = 1", "b = 2", "c = 3", "(d = 4 OR e = 5)"])
        let rebuilt = Expression.and([try expr("x = 1 OR y = 2"), try expr("z = 3")])
        #expect(rebuilt?.canonicalADQL == "(x = 1 OR y = 2) AND z = 3")
        #expect(Expression.and([]) == nil)
        #expect(e.contains { if case .binary(.or, _, _) = $0.kind { true } else { false } })
    }

    @Test func tableLeavesAndSelects() throws {
        let q = try ADQLParser.parse("SELECT * FROM a JOIN b ON a.x = b.x, (SELECT 1 FROM c) AS d UNION SELECT * FROM e")
        #expect(q.body.selects.count == 2)
        let leaves = q.body.selects[0].from.flatMap(\.leaves)
        #expect(leaves.count == 3)
        let renamed = q.body.rewriteSelects { s in
            var s = s
            s.from = s.from.map { t in
                t.rewriteLeaves { leaf in
                    if case .table(let n, let alias, let range) = leaf {
                        return .table(
                            QualifiedName([Identifier("chunk"), Identifier(n.last.name + "_7")]), alias: alias ?? n.last,
                            range: range)
                    }
                    return nil
                }
            }
            return s
        }
        #expect(
            Query(body: renamed).canonicalADQL
                == "SELECT * FROM chunk.a_7 AS a INNER JOIN chunk.b_7 AS b ON a.x = b.x, (SELECT 1 FROM c) AS d UNION SELECT * FROM chunk.e_7 AS e"
        )
    }

    @Test func synthesizedSetOperationsRoundTrip() throws {
        let s1 = QueryBody.select(
            SelectStatement(
                items: [.wildcard(.synthesized)],
                from: [.table(QualifiedName([Identifier("t")]), alias: nil, range: .synthesized)]))
        let union = QueryBody.setOperation(.union, all: false, left: s1, right: s1)
        let q = Query(body: .setOperation(.intersect, all: false, left: union, right: union))
        #expect(q.canonicalADQL == "(SELECT * FROM t UNION SELECT * FROM t) INTERSECT (SELECT * FROM t UNION SELECT * FROM t)")
        #expect(try canonical(q.canonicalADQL) == q.canonicalADQL)
    }
}
