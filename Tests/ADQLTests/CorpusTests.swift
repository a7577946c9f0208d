import Testing

@testable import ADQL

@Suite struct CorpusTests {
    static let valid = Fixtures.records("valid")
    static let invalid = Fixtures.records("invalid")
    static let adql21 = Fixtures.records("valid").filter { $0.file == "adql21.adql" }
    static let unrenderable = Fixtures.records("unrenderable")

    @Test func corpusSizes() {
        #expect(Self.valid.count >= 300)
        #expect(Self.invalid.count >= 150)
    }

    @Test(arguments: valid)
    func validQueryParsesAndRoundTrips(_ record: Fixtures.Record) throws {
        let query: Query
        do {
            query = try ADQLParser.parse(record.query)
        } catch {
            Issue.record("\(record.testDescription): \(error)\n\(record.query)")
            return
        }
        let rendered = query.canonicalADQL
        let reparsed: Query
        do {
            reparsed = try ADQLParser.parse(rendered)
        } catch {
            Issue.record("\(record.testDescription): rendering does not parse: \(error)\n\(rendered)")
            return
        }
        #expect(reparsed.canonicalADQL == rendered, "\(record.testDescription)")
        // The rendering is stable and canonical: rendering it again changes nothing.
        #expect(try ADQLParser.parse(reparsed.canonicalADQL).canonicalADQL == rendered)
        // Every valid query renders for SQLite or fails with a clear renderer error.
        do {
            _ = try SQLiteRenderer().render(query)
        } catch let error as ADQLError {
            #expect(!error.message.isEmpty)
        }
    }

    @Test(arguments: invalid)
    func invalidQueryFailsAtTheAnnotatedPosition(_ record: Fixtures.Record) {
        switch parseResult(record.query) {
        case .success(let q):
            Issue.record("\(record.testDescription): parsed as \(q.canonicalADQL)")
        case .failure(let error):
            #expect(record.expectation != nil, "\(record.testDescription) lacks a #! header; got: \(error)")
            #expect(error.description == record.expectation, "\(record.testDescription)")
        }
    }

    @Test func adql21CorpusIsPresent() {
        #expect(Self.adql21.count >= 15)
        #expect(Self.unrenderable.count >= 15)
    }

    /// The ADQL 2.1 additions are not only parsed: they render for SQLite.
    @Test(arguments: adql21)
    func adql21QueryRenders(_ record: Fixtures.Record) throws {
        #expect(throws: Never.self, "\(record.testDescription)") {
            try SQLiteRenderer().render(try ADQLParser.parse(record.query))
        }
    }

    @Test(arguments: unrenderable)
    func unrenderableQueryFailsWithTheAnnotatedError(_ record: Fixtures.Record) throws {
        let query = try ADQLParser.parse(record.query)
        do {
            let sql = try SQLiteRenderer().render(query)
            Issue.record("\(record.testDescription): rendered as \(sql)")
        } catch let error as ADQLError {
            #expect(error.description == record.expectation, "\(record.testDescription)")
        }
    }
}
