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
