import Testing

@testable import ADQL

@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(text).tokens.map(\.kind)
    }

    func texts(_ text: String) -> [String] {
        let lexed = Lexer.tokenize(text)
        return lexed.tokens.filter { $0.kind != .end }.map { lexed.text(of: $0) }
    }

    @Test func numberFollowedByKeyword() {
        #expect(texts("x>0AND y<1") == ["x", ">", "0", "AND", "y", "<", "1"])
        #expect(texts("1END") == ["1", "END"])
        #expect(texts("1e5") == ["1e5"])
        #expect(texts("1e") == ["1", "e"])
        #expect(texts("1e+") == ["1", "e", "+"])
        #expect(texts("1E-3x") == ["1E-3", "x"])
        #expect(texts("12abc") == ["12", "abc"])
    }

    @Test(arguments: [
        ("42", TokenKind.integer), ("0", .integer), ("3.14", .real), (".5", .real), ("5.", .real),
        ("1e-3", .real), ("2.5E+10", .real), (".5e2", .real), ("0x1F", .hexInteger), ("0XaB", .hexInteger),
    ])
    func numbers(_ text: String, _ kind: TokenKind) {
        let lexed = Lexer.tokenize(text)
        let tokens = lexed.tokens
        #expect(tokens.count == 2)
        #expect(tokens[0].kind == kind)
        #expect(lexed.text(of: tokens[0]) == text)
    }

    @Test func hexWithoutDigitsIsZeroThenWord() {
        #expect(texts("0x") == ["0", "x"])
        #expect(texts("0xg") == ["0", "xg"])
    }

    @Test func stringsAndDelimitedIdentifiers() {
        let lexed = Lexer.tokenize("'it''s' \"a \"\"b\"\"\" ''")
        let tokens = lexed.tokens
        #expect(tokens[0].kind == .string && lexed.text(of: tokens[0]) == "it's")
        #expect(tokens[1].kind == .delimitedIdentifier && lexed.text(of: tokens[1]) == "a \"b\"")
        #expect(tokens[2].kind == .string && lexed.text(of: tokens[2]) == "")
    }

    @Test(arguments: ["=", "<>", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "||", ",", ".", "(", ")", ";"])
    func operators(_ op: String) {
        let lexed = Lexer.tokenize("a\(op)b")
        let tokens = lexed.tokens
        #expect(tokens.count == 4)
        #expect(tokens[1].kind == .symbol && lexed.text(of: tokens[1]) == op)
    }

    @Test func comments() {
        #expect(texts("a -- comment\nb") == ["a", "b"])
        #expect(texts("a /* x\n y */ b") == ["a", "b"])
        #expect(texts("a/**/b") == ["a", "b"])
        #expect(texts("a--") == ["a"])
        #expect(texts("a - -b") == ["a", "-", "-", "b"])
        #expect(texts("'--x' \"/*y*/\"") == ["--x", "/*y*/"])
    }

    @Test func keywordsAreCaseInsensitive() {
        let lexed = Lexer.tokenize("select SeLeCt SELECT")
        let tokens = lexed.tokens
        #expect(tokens.prefix(3).allSatisfy { $0.isWord("SELECT") })
        #expect(lexed.text(of: tokens[0]) == "select")
        #expect(tokens.prefix(3).allSatisfy { lexed.upper(of: $0) == "SELECT" })
        // Words longer than a keyword key keep their text and upper-cased form.
        let long = Lexer.tokenize("current_timestamp a_rather_long_column_name")
        #expect(long.tokens[0].isReservedWord && !long.tokens[1].isReservedWord)
        #expect(long.upper(of: long.tokens[1]) == "A_RATHER_LONG_COLUMN_NAME")
        #expect(!long.tokens[1].isWord("A_RATHER_LONG_COL"))
    }

    @Test func positionsCountLinesAndScalars() {
        let lexed = Lexer.tokenize("SELECT\n  'é✓' , \"星\"\r\n x\r y")
        let tokens = lexed.tokens
        #expect(tokens[0].start == SourcePosition(line: 1, column: 1, offset: 0))
        #expect(tokens[1].start == SourcePosition(line: 2, column: 3, offset: 9))
        #expect(tokens[1].end.column == 7)
        #expect(tokens[2].start == SourcePosition(line: 2, column: 8, offset: 14))
        #expect(tokens[3].start.line == 2 && tokens[3].start.column == 10)
        #expect(tokens[4].start.line == 3 && tokens[4].start.column == 2)
        #expect(tokens[5].start.line == 4 && tokens[5].start.column == 2)
        #expect(tokens[6].kind == .end)
    }

    @Test func unicodeWhitespaceSeparatesTokens() {
        #expect(texts("a\u{00A0}b\u{2003}c") == ["a", "b", "c"])
    }

    @Test(arguments: [
        ("'abc", "unterminated string literal"),
        ("\"abc", "unterminated delimited identifier"),
        ("/* abc", "unterminated comment"),
        ("\"\"", "empty delimited identifier"),
        ("@", "unexpected character \"@\""),
    ])
    func lexicalErrors(_ text: String, _ message: String) {
        let lexed = Lexer.tokenize(text)
        let tokens = lexed.tokens
        #expect(tokens.first?.kind == .invalid)
        #expect(tokens.first.map { lexed.text(of: $0) } == message)
        #expect(tokens.last?.kind == .end)
    }

    @Test func earlierSyntaxErrorWinsOverLaterLexicalError() {
        #expect(throws: ADQLError.self) { try ADQLParser.parse("SELECT FROM t WHERE a = 'x") }
        do {
            _ = try ADQLParser.parse("SELECT , a FROM t WHERE a = 'x")
        } catch {
            #expect(error.column == 8)
        }
    }
}
