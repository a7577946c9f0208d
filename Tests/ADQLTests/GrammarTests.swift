import Foundation
import Testing

@testable import ADQL

/// The keyword sections of grammar/adql.ebnf must match the parser's tables exactly.
@Suite struct GrammarTests {
    static let grammar = Fixtures.text("grammar/adql.ebnf")

    /// The whitespace-separated words between `BEGIN name` and `END name`.
    static func section(_ name: String) -> [String] {
        guard let begin = grammar.range(of: "BEGIN \(name)\n"),
            let end = grammar.range(of: "END \(name)", range: begin.upperBound..<grammar.endIndex)
        else { return [] }
        return grammar[begin.upperBound..<end.lowerBound]
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
    }

    @Test func grammarFileIsFound() {
        #expect(Self.grammar.contains("select_statement"))
    }

    @Test func sqlReservedWordsMatch() {
        let words = Self.section("sql-reserved-words")
        #expect(words.count == Set(words).count, "duplicates in the grammar section")
        #expect(Set(words) == ADQLKeywords.sqlReserved)
    }

    @Test func adqlReservedWordsMatch() {
        let words = Self.section("adql-reserved-words")
        #expect(words.count == Set(words).count)
        #expect(Set(words) == ADQLKeywords.adqlReserved)
    }

    @Test func functionTableMatches() {
        let tokens = Self.section("functions")
        #expect(tokens.count % 2 == 0)
        var table: [String: ClosedRange<Int>] = [:]
        for i in stride(from: 0, to: tokens.count - 1, by: 2) {
            let bounds = tokens[i + 1].components(separatedBy: "..")
            guard bounds.count == 2, let low = Int(bounds[0]) else {
                Issue.record("bad arity \(tokens[i + 1]) for \(tokens[i])")
                continue
            }
            let high = bounds[1] == "*" ? Int.max : Int(bounds[1]) ?? -1
            #expect(table[tokens[i]] == nil, "duplicate \(tokens[i])")
            table[tokens[i]] = low...high
        }
        #expect(table == ADQLKeywords.functionArity)
    }

    @Test func everyFunctionIsReserved() {
        for name in ADQLKeywords.functionArity.keys {
            #expect(ADQLKeywords.reserved.contains(name), "\(name)")
        }
    }

    @Test func everyGrammarRuleIsDefinedOnce() {
        // Rule definitions are `name = ...` at the start of a line.
        var names: [String] = []
        for line in Self.grammar.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            if parts.count >= 2, parts[1] == "=", line.first?.isLetter == true {
                names.append(String(parts[0]))
            }
        }
        #expect(names.count > 40)
        #expect(names.count == Set(names).count)
    }

    @Test(arguments: Array(ADQLKeywords.reserved).sorted())
    func reservedWordsAreNotIdentifiers(_ word: String) {
        #expect(!ADQLKeywords.isRegularIdentifier(word))
        #expect(!ADQLKeywords.isRegularIdentifier(word.lowercased()))
        if !word.contains("-") && !["TRUE", "FALSE", "NULL"].contains(word) {
            // As a delimited identifier every reserved word is a fine column name.
            #expect(throws: Never.self) { try ADQLParser.parse("SELECT \"\(word)\" FROM t") }
            #expect((try? ADQLParser.parse("SELECT \(word.lowercased()) AS x FROM t")) == nil)
        }
    }
}
