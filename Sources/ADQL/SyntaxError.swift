/// A syntax error in an ADQL query, positioned at the offending token.
///
/// `description` reads like `line 1, column 38: expected FROM, found "FORM"`; at the end of the
/// text the found part is `end of query`.
public struct ADQLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the offending token.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the offending token.
    public var column: Int
    /// Offset (in Unicode scalars) of the offending token.
    public var offset: Int
    /// The offending token as written, or nil at the end of the query.
    public var found: String?
    /// What the parser would have accepted instead (keywords upper case, symbols in quotes,
    /// categories such as `identifier` or `expression` in words). Empty for errors that are not
    /// about a missing token (see `message`).
    public var expected: [String]
    /// The human-readable explanation without the position prefix, e.g.
    /// `expected FROM, found "FORM"` or `nesting deeper than 200`.
    public var message: String

    public init(position: SourcePosition, found: String?, expected: [String], message: String? = nil) {
        self.line = position.line
        self.column = position.column
        self.offset = position.offset
        self.found = found
        self.expected = expected
        self.message = message ?? ADQLSyntaxError.standardMessage(expected: expected, found: found)
    }

    public var position: SourcePosition { SourcePosition(line: line, column: column, offset: offset) }

    public var description: String { "line \(line), column \(column): \(message)" }

    /// `"FORM"` or `end of query`.
    public static func describeFound(_ found: String?) -> String {
        guard let found else { return "end of query" }
        var text = found
        if text.unicodeScalars.count > 40 {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(37))) + "..."
        }
        return "\"\(text)\""
    }

    /// `A`, `A or B`, `A, B or C`.
    public static func describeExpected(_ expected: [String]) -> String {
        switch expected.count {
        case 0: return "something else"
        case 1: return expected[0]
        default: return expected.dropLast().joined(separator: ", ") + " or " + expected[expected.count - 1]
        }
    }

    static func standardMessage(expected: [String], found: String?) -> String {
        "expected \(describeExpected(expected)), found \(describeFound(found))"
    }
}
