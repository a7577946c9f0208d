import Foundation
import Testing

@testable import ADQL

@Suite struct RobustnessTests {
    @Test func nestingLimitIsAnErrorNotACrash() {
        let deep = "SELECT " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " FROM t"
        guard case .failure(let e) = parseResult(deep) else {
            Issue.record("parsed")
            return
        }
        #expect(e.message.hasPrefix("nesting deeper than"))
        #expect(e.line == 1)
    }

    @Test func smallThreadStacksFailCleanly() throws {
        // A 256 KiB thread cannot hold 150 levels of nesting; the stack guard must turn that
        // into a syntax error instead of a crash.
        final class Box: @unchecked Sendable { var result: Result<Query, ADQLError>? }
        let box = Box()
        let n = 150
        let text = "SELECT " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + " FROM t"
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = parseResult(text)
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        if case .failure(let e)? = box.result {
            #expect(e.message.hasPrefix("nesting deeper than"))
        }
    }

    @Test func nestingJustBelowTheLimitParsesRendersAndRoundTrips() throws {
        let n = ADQLParser.maxNesting - 5
        let text = "SELECT " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + " FROM t"
        let q = try ADQLParser.parse(text)
        #expect(q.canonicalADQL == text)
        _ = try SQLiteRenderer().render(q)
    }

    @Test(arguments: [
        "SELECT a FROM t WHERE " + String(repeating: "NOT ", count: 1000) + "a = 1",
        "SELECT " + String(repeating: "- ", count: 1000) + "1 FROM t",
        "SELECT a FROM t WHERE a IN " + String(repeating: "(SELECT a FROM t WHERE a IN ", count: 300) + "(1)"
            + String(repeating: ")", count: 300),
        "SELECT a FROM " + String(repeating: "(", count: 1000) + "t" + String(repeating: ")", count: 1000),
        String(repeating: "(", count: 1000) + "SELECT a FROM t" + String(repeating: ")", count: 1000),
        "SELECT " + String(repeating: "CASE WHEN a THEN ", count: 500) + "1" + String(repeating: " END", count: 500) + " FROM t",
        "SELECT " + String(repeating: "ABS(", count: 1000) + "1" + String(repeating: ")", count: 1000) + " FROM t",
        "SELECT " + String(repeating: "f(", count: 1000) + "1" + String(repeating: ")", count: 1000) + " FROM t",
        "SELECT " + String(repeating: "((SELECT ", count: 300) + "1",
        "SELECT a FROM t WHERE a IN " + String(repeating: "((", count: 400) + "SELECT",
    ])
    func pathologicalNestingFailsCleanly(_ text: String) {
        guard case .failure(let e) = parseResult(text) else {
            Issue.record("parsed")
            return
        }
        #expect(e.description.contains("nesting deeper than"))
    }

    @Test func longOperatorChainsParseAndRender() throws {
        let terms = (0..<900).map { "x = \($0)" }.joined(separator: " OR ")
        let q = try ADQLParser.parse("SELECT a FROM t WHERE " + terms)
        let again = try ADQLParser.parse(q.canonicalADQL)
        #expect(again.canonicalADQL == q.canonicalADQL)
        _ = try SQLiteRenderer().render(q)
        let sum = "SELECT " + (0..<900).map(String.init).joined(separator: " + ") + " FROM t"
        #expect(try canonical(sum) == sum)
    }

    @Test func tooLongChainsAreRejected() {
        let sum = "SELECT " + (0...ADQLParser.maxDepth + 10).map(String.init).joined(separator: "+") + " FROM t"
        guard case .failure(let e) = parseResult(sum) else {
            Issue.record("parsed")
            return
        }
        #expect(e.message == "expression nesting deeper than \(ADQLParser.maxDepth)")
        // Just below the limit the chain is fine.
        let ok = "SELECT " + (0..<ADQLParser.maxDepth - 10).map(String.init).joined(separator: "+") + " FROM t"
        #expect(throws: Never.self) { try ADQLParser.parse(ok) }
    }

    @Test func longListsAreNotNesting() throws {
        let list = (0..<20000).map(String.init).joined(separator: ", ")
        _ = try ADQLParser.parse("SELECT a FROM t WHERE a IN (\(list))")
        let polygon = (0..<600).map { String($0 % 90) }.joined(separator: ", ")
        _ = try ADQLParser.parse("SELECT POLYGON(\(polygon)) FROM t")
    }

    /// Every "(" could open a query or an expression; a failed attempt is never retried, so the
    /// tokens read again after failed attempts stay within the square of the query's length
    /// (retrying would read 2^60 times over here). Counted, not timed.
    @Test(arguments: [
        "SELECT " + String(repeating: "((SELECT 1 FROM t) + ", count: 60) + "1" + String(repeating: ")", count: 60) + " FROM t",
        "SELECT a FROM t WHERE a IN " + String(repeating: "(", count: 150) + "SELECT a FROM t) + 1"
            + String(repeating: ")", count: 149),
    ])
    func speculativeParsingDoesNotExplode(_ text: String) {
        let (_, tokens, reread) = ADQLParser.parseCountingRereads(text)
        print("speculative parsing: \(reread) tokens read again for \(tokens)")
        #expect(reread <= tokens * tokens, "\(reread) tokens read again for \(tokens)")
    }

    /// The counter sees backtracking: the outer "(" is first tried as a sub-query, which fails
    /// at "+", before the whole is read as an expression.
    @Test func rereadsAreCounted() {
        let (result, _, reread) = ADQLParser.parseCountingRereads("SELECT ((SELECT 1 FROM t) + 1) FROM t")
        #expect((try? result.get()) != nil)
        #expect(reread > 0)
    }

    /// Randomised mutations of corpus queries: delete, insert, swap and duplicate tokens. The
    /// parser must never crash or hang, errors must point inside the text, and whatever parses
    /// must round-trip.
    @Test func mutationsNeverCrash() throws {
        let corpus = Fixtures.records("valid").map(\.query)
        try #require(!corpus.isEmpty)
        var rng = SplitMix64(seed: 0xAD01_2023_1215)
        let vocabulary = [
            "(", ")", ",", ".", "*", "+", "-", "/", "||", "=", "<>", "<", ">=", ";", "'", "\"", "--", "/*",
            "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "BETWEEN", "LIKE", "CASE", "WHEN",
            "THEN", "END", "JOIN", "ON", "USING", "UNION", "INTERSECT", "WITH", "AS", "TOP", "1", "0x", "1e",
            ".5", "x", "\"q\"", "'s'", "POINT", "CIRCLE", "CONTAINS", "COUNT", "DISTINCT", "ORDER", "BY",
            "GROUP", "HAVING", "OFFSET", "EXISTS", "CAST", "é", "\u{0}", "\n", "ALL", "ANY",
        ]
        var parsed = 0
        var failed = 0
        for i in 0..<4000 {
            let base = corpus[i % corpus.count]
            var tokens = Lexer.tokenize(base).tokens.filter { $0.kind != .end }.map { token -> String in
                String(String.UnicodeScalarView(Array(base.unicodeScalars)[token.start.offset..<token.end.offset]))
            }
            let edits = 1 + Int(rng.next() % 3)
            for _ in 0..<edits {
                let op = rng.next() % 5
                let position = tokens.isEmpty ? 0 : Int(rng.next() % UInt64(tokens.count))
                switch op {
                case 0 where !tokens.isEmpty: tokens.remove(at: position)
                case 1: tokens.insert(vocabulary[Int(rng.next() % UInt64(vocabulary.count))], at: position)
                case 2 where tokens.count > 1:
                    let other = Int(rng.next() % UInt64(tokens.count))
                    tokens.swapAt(position, other)
                case 3 where !tokens.isEmpty: tokens.insert(tokens[position], at: position)
                default:
                    tokens = Array(tokens.prefix(position))
                }
            }
            let separator = rng.next() % 4 == 0 ? "" : " "
            let text = tokens.joined(separator: separator)
            switch parseResult(text) {
            case .success(let q):
                parsed += 1
                let rendered = q.canonicalADQL
                guard let again = try? ADQLParser.parse(rendered) else {
                    Issue.record("rendering of mutant does not parse:\n\(text)\n\(rendered)")
                    continue
                }
                #expect(again.canonicalADQL == rendered, "\(text)")
                _ = try? SQLiteRenderer().render(q)
            case .failure(let e):
                failed += 1
                let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(e.line >= 1 && e.line <= max(lines.count, 1), "\(text) -> \(e)")
                if e.line >= 1 && e.line <= lines.count {
                    #expect(e.column >= 1 && e.column <= lines[e.line - 1].count + 1, "\(text) -> \(e)")
                }
                #expect(e.offset >= 0 && e.offset <= text.unicodeScalars.count)
                #expect(!e.message.isEmpty)
            }
        }
        #expect(parsed + failed == 4000)
        #expect(failed > 1000)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("SELECT FROM WHERE()',\"*-/+.;=<>|!0123456789eExabc \n\t\r_éß✓".unicodeScalars)
        for _ in 0..<3000 {
            let length = Int(rng.next() % 60)
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            _ = parseResult(String(s))
        }
    }
}
