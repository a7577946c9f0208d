// The ADQL lexer: Unicode scalars in, tokens with positions out.

enum TokenKind: UInt8, Sendable {
    /// A regular identifier or keyword (`upper` says which).
    case word
    /// `"..."`; `text` is the name without quotes, `""` unescaped.
    case delimitedIdentifier
    /// `'...'`; `text` is the value, `''` unescaped.
    case string
    /// Unsigned decimal integer; `text` is the digits.
    case integer
    /// `0x1F`; `text` as written.
    case hexInteger
    /// Exact or approximate numeric literal with a fraction or exponent; `text` as written.
    case real
    /// An operator or punctuation; `text` is its spelling.
    case symbol
    case end
    /// A lexical error; `text` is the message. The parser reports it when it reaches it.
    case invalid
}

/// A token: plain integers only (no String), so that reading or copying one never retains
/// anything. Its text is the source bytes `startByte..<endByte`, or for string literals,
/// delimited identifiers and lexical errors `Lexed.values[valueIndex]` (see `Lexed.text(of:)`).
struct Token: Sendable {
    var kind: TokenKind
    /// For words and symbols of at most 16 bytes: the upper-cased spelling packed into two
    /// words (byte i at bits 8·(i % 8) of `key.0` / `key.1`), so that keyword and symbol
    /// tests compare integers.
    var key: (UInt64, UInt64)
    /// The number of bytes in `key`; 0xFF when the token has no key.
    var keyLength: UInt8
    /// For words: whether the word is reserved (computed once by the lexer).
    var isReservedWord: Bool
    /// The index of the token's value in `Lexed.values` (-1: the text is the source bytes).
    var valueIndex: Int32
    var start: SourcePosition
    var end: SourcePosition
    /// UTF-8 offsets of the token in the text, for its text and for quoting it in error messages.
    var startByte: Int
    var endByte: Int

    static let maxKeyLength = 16

    var range: SourceRange { SourceRange(start: start, end: end) }

    @inline(__always)
    static func byte(_ i: Int, of key: (UInt64, UInt64)) -> UInt8 {
        UInt8(truncatingIfNeeded: (i < 8 ? key.0 : key.1) >> UInt64(8 * (i & 7)))
    }

    /// `bytes` packed as `key` (at most `maxKeyLength` of them).
    @inline(__always)
    static func pack<C: Collection>(_ bytes: C) -> (UInt64, UInt64) where C.Element == UInt8 {
        var a: UInt64 = 0, b: UInt64 = 0
        var i = 0
        for c in bytes {
            if i < 8 { a |= UInt64(c) << UInt64(8 * i) } else { b |= UInt64(c) << UInt64(8 * (i - 8)) }
            i += 1
        }
        return (a, b)
    }

    /// Whether the key spells `s` (ASCII, upper case for words).
    /// (A `StaticString`: the parser's keywords and symbols are literals, whose bytes are read
    /// in place, without a String's small-string copy.)
    @inline(__always)
    func keyEquals(_ s: StaticString) -> Bool {
        s.withUTF8Buffer { bytes in
            let n = bytes.count
            guard n == Int(keyLength) && n <= Token.maxKeyLength else { return false }
            let k = Token.pack(bytes)
            return k.0 == key.0 && k.1 == key.1
        }
    }

    // Inlined, and on integers only: see `key`.
    @inline(__always)
    func isWord(_ keyword: StaticString) -> Bool { kind == .word && keyEquals(keyword) }
    @inline(__always)
    func isSymbol(_ symbol: StaticString) -> Bool { kind == .symbol && keyEquals(symbol) }
    /// Whether this is the one-byte symbol `c` (an integer test: the parser's look-ahead).
    @inline(__always)
    func isSymbolByte(_ c: UInt8) -> Bool { kind == .symbol && keyLength == 1 && UInt8(truncatingIfNeeded: key.0) == c }
    /// A regular identifier that is not reserved, or a delimited identifier.
    @inline(__always)
    var isIdentifier: Bool { (kind == .word && !isReservedWord) || kind == .delimitedIdentifier }
}

/// The lexer's output: the tokens, the text's bytes and the values of the tokens whose text
/// is not their source bytes.
struct Lexed {
    /// The tokens, written by the lexer straight into the buffer the parser reads.
    let buffer: TokenBuffer
    var bytes: [UInt8]
    var values: [String]

    /// The tokens as an array (tests).
    var tokens: [Token] { (0..<buffer.count).map { buffer[$0] } }

    /// The token's text: a word, number or symbol as written; a string literal's value or a
    /// delimited identifier's name (quotes removed, doubled quotes unescaped); a lexical
    /// error's message.
    func text(of token: Token) -> String {
        if token.valueIndex >= 0 { return values[Int(token.valueIndex)] }
        return String(decoding: bytes[token.startByte..<token.endByte], as: UTF8.self)
    }

    /// Upper-cased text for words; the text otherwise.
    func upper(of token: Token) -> String {
        guard token.kind == .word else { return text(of: token) }
        guard token.keyLength != 0xFF else { return CaseFolding.upper(text(of: token)) }
        let n = Int(token.keyLength)
        return String(unsafeUninitializedCapacity: n) { buffer in
            for i in 0..<n { buffer[i] = Token.byte(i, of: token.key) }
            return n
        }
    }
}

/// Works on the UTF-8 bytes of the text; positions count Unicode scalars (every byte that is
/// not a UTF-8 continuation byte starts a scalar).
struct Lexer {
    /// The text's bytes (those of `tokenize`'s array, valid while it lexes).
    let bytes: UnsafeBufferPointer<UInt8>
    /// Values of string literals, delimited identifiers and errors (`Token.valueIndex`).
    private(set) var values: [String] = []
    private var index = 0
    private var line = 1
    private var column = 1
    private var scalarOffset = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Lexes the whole text. Stops at the first lexical error, which becomes an `.invalid` token
    /// followed by `.end`, so that the parser reports any earlier syntax error first.
    static func tokenize(_ text: String) -> Lexed {
        let bytes = Array(text.utf8)
        let tokens = TokenBuffer(capacity: bytes.count / 3 + 2)
        // Read through a pointer: no bounds checks and no retain of the array per word.
        let values = bytes.withUnsafeBufferPointer { pointer in
            var lexer = Lexer(pointer)
            while true {
                let token = lexer.next()
                tokens.append(token)
                if token.kind == .end { break }
                if token.kind == .invalid {
                    tokens.append(lexer.makeToken(.end, start: lexer.position, startByte: lexer.index))
                    break
                }
            }
            return lexer.values
        }
        return Lexed(buffer: tokens, bytes: bytes, values: values)
    }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: scalarOffset) }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        let i = index + ahead
        return i < bytes.count ? bytes[i] : 0
    }

    private var atEnd: Bool { index >= bytes.count }

    /// Advances over one byte (ASCII callers) or the rest of a scalar's bytes.
    private mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == 10 {
            line += 1
            column = 1
            scalarOffset += 1
        } else if b == 13 {
            scalarOffset += 1
            // CR LF counts as one line break; so does a lone CR.
            if index < bytes.count && bytes[index] == 10 {
                column += 1
            } else {
                line += 1
                column = 1
            }
        } else if b < 0x80 {
            column += 1
            scalarOffset += 1
        } else {
            // A multi-byte scalar: consume its continuation bytes too.
            while index < bytes.count && bytes[index] & 0xC0 == 0x80 { index += 1 }
            column += 1
            scalarOffset += 1
        }
    }

    /// Moves over `n` ASCII bytes that are not line breaks.
    private mutating func skipASCII(_ n: Int) {
        index += n
        column += n
        scalarOffset += n
    }

    /// The scalar starting at the current byte (which is >= 0x80), or U+FFFD.
    private func scalarHere() -> Unicode.Scalar {
        var end = index + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 && end - index < 4 { end += 1 }
        let decoded = String(decoding: bytes[index..<end], as: UTF8.self).unicodeScalars
        return decoded.first ?? "\u{FFFD}"
    }

    fileprivate func makeToken(
        _ kind: TokenKind, key: (UInt64, UInt64) = (0, 0), keyLength: UInt8 = 0xFF,
        reserved: Bool = false, valueIndex: Int32 = -1, start: SourcePosition,
        startByte: Int
    ) -> Token {
        Token(
            kind: kind, key: key, keyLength: keyLength, isReservedWord: reserved, valueIndex: valueIndex,
            start: start, end: position, startByte: startByte, endByte: index)
    }

    /// A token whose text is `value` rather than its source bytes.
    private mutating func makeToken(_ kind: TokenKind, value: String, start: SourcePosition, startByte: Int) -> Token {
        values.append(value)
        return makeToken(kind, valueIndex: Int32(values.count - 1), start: start, startByte: startByte)
    }

    static func isLetter(_ v: UInt8) -> Bool { (v >= 65 && v <= 90) || (v >= 97 && v <= 122) }
    static func isDigit(_ v: UInt8) -> Bool { v >= 48 && v <= 57 }
    static func isHexDigit(_ v: UInt8) -> Bool {
        isDigit(v) || (v >= 65 && v <= 70) || (v >= 97 && v <= 102)
    }

    private func isWhitespaceHere() -> Bool {
        let v = bytes[index]
        switch v {
        case 9, 10, 11, 12, 13, 32: return true
        case 0..<0x80: return false
        default: return scalarHere().properties.isWhitespace
        }
    }

    private mutating func invalid(_ message: String, at start: SourcePosition, startByte: Int) -> Token {
        makeToken(.invalid, value: message, start: start, startByte: startByte)
    }

    /// Skips whitespace and comments; returns an error token for an unterminated block comment.
    private mutating func skipTrivia() -> Token? {
        while !atEnd {
            let v = peek()
            if v == 32 {
                skipASCII(1)
            } else if isWhitespaceHere() {
                advance()
            } else if v == 45 && peek(1) == 45 {  // --
                while !atEnd && peek() != 10 && peek() != 13 { advance() }
            } else if v == 47 && peek(1) == 42 {  // /*
                let start = position
                let startByte = index
                advance()
                advance()
                var closed = false
                while !atEnd {
                    if peek() == 42 && peek(1) == 47 {
                        advance()
                        advance()
                        closed = true
                        break
                    }
                    advance()
                }
                if !closed { return invalid("unterminated comment", at: start, startByte: startByte) }
            } else {
                break
            }
        }
        return nil
    }

    mutating func next() -> Token {
        if let error = skipTrivia() { return error }
        let start = position
        let startIndex = index
        if atEnd { return makeToken(.end, start: start, startByte: startIndex) }
        let v = peek()

        if Lexer.isLetter(v) {
            // A word is ASCII on one line: move over it without the per-byte line tracking.
            var end = index + 1
            while end < bytes.count {
                let c = bytes[end]
                guard Lexer.isLetter(c) || Lexer.isDigit(c) || c == 95 else { break }
                end += 1
            }
            skipASCII(end - index)
            // Words are ASCII: the upper-cased bytes are packed into the token's key and
            // tested against the reserved words without building a String.
            let word = bytes[startIndex..<index]
            var reserved = false
            var key: (UInt64, UInt64) = (0, 0)
            var keyLength: UInt8 = 0xFF
            if word.count <= Token.maxKeyLength {
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Token.maxKeyLength) { upper in
                    var i = 0
                    for c in word {
                        upper[i] = c >= 97 && c <= 122 ? c - 32 : c
                        i += 1
                    }
                    let used = UnsafeBufferPointer(rebasing: upper[..<i])
                    reserved = ADQLKeywords.reservedTable.contains(upperCased: used)
                    key = Token.pack(used)
                }
                keyLength = UInt8(word.count)
            } else {
                // Longer than any keyword; only a reserved word this long is looked up.
                reserved =
                    word.count <= ADQLKeywords.maxReservedLength
                    && ADQLKeywords.reserved.contains(CaseFolding.upper(String(decoding: word, as: UTF8.self)))
            }
            return makeToken(.word, key: key, keyLength: keyLength, reserved: reserved, start: start, startByte: startIndex)
        }

        if Lexer.isDigit(v) || (v == 46 && Lexer.isDigit(peek(1))) {
            return number(start: start)
        }

        switch v {
        case 39:  // '
            return quoted(quote: 39, kind: .string, start: start)
        case 34:  // "
            return quoted(quote: 34, kind: .delimitedIdentifier, start: start)
        default:
            break
        }

        // Operators and punctuation.
        let two: String?
        switch (v, peek(1)) {
        case (60, 62): two = "<>"
        case (33, 61): two = "!="
        case (60, 61): two = "<="
        case (62, 61): two = ">="
        case (124, 124): two = "||"
        default: two = nil
        }
        if let two {
            advance()
            advance()
            return makeToken(.symbol, key: Token.pack(two.utf8), keyLength: 2, start: start, startByte: startIndex)
        }
        switch v {
        case 61, 60, 62, 43, 45, 42, 47, 44, 46, 40, 41, 59:  // = < > + - * / , . ( ) ;
            advance()
            return makeToken(.symbol, key: (UInt64(v), 0), keyLength: 1, start: start, startByte: startIndex)
        default:
            let scalar = v < 0x80 ? Unicode.Scalar(v) : scalarHere()
            advance()
            let shown = String(Character(scalar))
            let message: String
            switch v {
            case 38, 124, 94, 126:
                message = "unexpected character \"\(shown)\" (bitwise operators are not supported)"
            case 33:
                message = "unexpected character \"!\" (did you mean \"!=\"?)"
            case 96, 91, 93:
                message = "unexpected character \"\(shown)\" (delimit identifiers with double quotes)"
            default:
                if scalar.properties.isAlphabetic {
                    message =
                        "unexpected character \"\(shown)\" (regular identifiers use Latin letters, digits and \"_\"; "
                        + "delimit other names with double quotes)"
                } else {
                    message = "unexpected character \"\(shown)\""
                }
            }
            return invalid(message, at: start, startByte: startIndex)
        }
    }

    private mutating func number(start: SourcePosition) -> Token {
        let startIndex = index
        // Hexadecimal 0x1F.
        if peek() == 48 && (peek(1) == 120 || peek(1) == 88) && Lexer.isHexDigit(peek(2)) {
            advance()
            advance()
            while !atEnd && Lexer.isHexDigit(peek()) { advance() }
            return makeToken(.hexInteger, start: start, startByte: startIndex)
        }
        var isReal = false
        while !atEnd && Lexer.isDigit(peek()) { advance() }
        if !atEnd && peek() == 46 {  // .
            isReal = true
            advance()
            while !atEnd && Lexer.isDigit(peek()) { advance() }
        }
        // An exponent only if digits follow, so that `1END` or `0AND` lex as number + word.
        if peek() == 101 || peek() == 69 {
            let sign = peek(1) == 43 || peek(1) == 45
            if Lexer.isDigit(peek(sign ? 2 : 1)) {
                isReal = true
                advance()
                if sign { advance() }
                while !atEnd && Lexer.isDigit(peek()) { advance() }
            }
        }
        return makeToken(isReal ? .real : .integer, start: start, startByte: startIndex)
    }

    private mutating func quoted(quote: UInt8, kind: TokenKind, start: SourcePosition) -> Token {
        let startIndex = index
        advance()
        var value: [UInt8] = []
        var segmentStart = index
        while true {
            if atEnd {
                return invalid(
                    kind == .string ? "unterminated string literal" : "unterminated delimited identifier",
                    at: start, startByte: startIndex)
            }
            if bytes[index] == quote {
                value.append(contentsOf: bytes[segmentStart..<index])
                if peek(1) == quote {
                    value.append(quote)
                    advance()
                    advance()
                    segmentStart = index
                    continue
                }
                advance()
                break
            }
            advance()
        }
        if kind == .delimitedIdentifier && value.isEmpty {
            return invalid("empty delimited identifier", at: start, startByte: startIndex)
        }
        return makeToken(kind, value: String(decoding: value, as: UTF8.self), start: start, startByte: startIndex)
    }
}
