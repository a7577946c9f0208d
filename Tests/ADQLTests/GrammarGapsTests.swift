import Testing

@testable import ADQL

/// Where the checker follows the IVOA grammar more closely than it used to (issue 17, point 6).
@Suite struct GrammarGapsTests {
    func failure(_ adql: String) -> ADQLError? {
        do {
            _ = try ADQLParser.parse(adql)
            return nil
        } catch {
            return error
        }
    }

    @Test func aJoinOtherThanCrossOrNaturalNeedsOnOrUsing() throws {
        let error = try #require(failure("SELECT a FROM t JOIN u WHERE x = 1"))
        #expect(error.line == 1 && error.column == 24)
        #expect(error.description.contains("expected ON or USING"))
        let outer = try #require(failure("SELECT a FROM t LEFT OUTER JOIN u"))
        #expect(outer.description.contains("expected ON or USING"))
        #expect(failure("SELECT a FROM t CROSS JOIN u") == nil)
        #expect(failure("SELECT a FROM t NATURAL JOIN u") == nil)
        #expect(failure("SELECT a FROM t JOIN u USING (a)") == nil)
        #expect(failure("SELECT a FROM t JOIN u ON t.a = u.a") == nil)
    }

    @Test func aNullCoordinateSystemIsNoCoordinateSystem() throws {
        let query = try ADQLParser.parse("SELECT POINT(NULL, 1, 2), CIRCLE(NULL, 1, 2, 3) FROM t")
        #expect(query.canonicalADQL == "SELECT POINT(1, 2), CIRCLE(1, 2, 3) FROM t")
        #expect(try ADQLParser.parse("SELECT POINT(1, 2) FROM t").canonicalADQL == "SELECT POINT(1, 2) FROM t")
    }
}

/// The typing rules of GrammarCheck: what must fail is in fixtures/adql/invalid/grammar-rules.adql
/// (with exact messages); these are the neighbours that must keep parsing.
@Suite struct GrammarRulesTests {
    func parses(_ adql: String) -> Bool { (try? ADQLParser.parse(adql)) != nil }

    @Test func comparedGeometryPredicatesAndConditionsParse() {
        #expect(parses("SELECT a FROM t WHERE CONTAINS(POINT(ra, dec), CIRCLE(1, 2, 0.1)) = 1"))
        #expect(parses("SELECT a FROM t WHERE 0 = INTERSECTS(CIRCLE(ra, dec, 0.1), BOX(1, 2, 3, 4))"))
        #expect(parses("SELECT CONTAINS(POINT(ra, dec), CIRCLE(1, 2, 0.1)) + 1 AS c FROM t"))
        #expect(parses("SELECT a FROM t WHERE (a > 1 AND (b < 2 OR NOT c IS NULL))"))
        #expect(parses("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u) AND TRUE"))
        #expect(parses("SELECT CASE a WHEN 1 THEN 'one' ELSE 'many' END FROM t"))
        #expect(parses("SELECT COORD1(POINT(ra, dec)) * 2, DISTANCE(POINT(ra, dec), POINT(1, 2)) / 3 FROM t"))
        #expect(parses("WITH y AS (SELECT b FROM u) SELECT a FROM t WHERE a IN (SELECT b FROM y)"))
    }

    @Test func aColumnIsLeftToTheBinder() {
        // A flag column may be boolean; only the catalog knows, so the parser lets it pass.
        #expect(parses("SELECT a FROM t WHERE detect_isPrimary"))
        #expect(parses("SELECT a FROM t WHERE NOT detect_isPrimary AND udf_flag(a)"))
    }

    @Test func errorsNameTheOffendingExpression() throws {
        do {
            _ = try ADQLParser.parse("SELECT a\nFROM t\nWHERE a > 1 AND CONTAINS(POINT(ra, dec), CIRCLE(1, 2, 3))")
            Issue.record("accepted a bare CONTAINS")
        } catch {
            #expect(error.line == 3 && error.column == 17)
            #expect(error.code == .syntax)
        }
    }
}
