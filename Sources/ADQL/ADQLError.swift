/// The error of the ADQL target: a syntax error in the query text, a construct that has no
/// SQLite rendering, or a geometry (an STC-S region string, a CAST to a geometry) that is
/// malformed or unusable.
///
/// `description` is the message for a person, prefixed with where it applies: for syntax errors
/// `line 1, column 38: expected FROM, found "FORM"` (at the end of the text the found part is
/// `end of query`); for rendering errors the same prefix unless the node was synthesised; for an
/// error inside an STC-S string `STC-S error at character 8: ...`.
public struct ADQLError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The query text is not valid ADQL; `found` and `expected` say what is at `range.start`.
        case syntax
        /// Valid ADQL that has no SQLite rendering (a construct, an argument count, a compound
        /// region where one geometry value is needed).
        case unsupported
        /// A geometry that is malformed or unusable: an STC-S string, a DALI value, a CAST.
        case invalidGeometry
    }

    public var code: Code
    /// The explanation for a person, without the position prefix, e.g.
    /// `expected FROM, found "FORM"` or `nesting deeper than 200`.
    public var message: String
    /// Where in the query text: the offending token (syntax) or node (rendering).
    /// `.synthesized` for a rendering error of a node that was not parsed, and for errors
    /// inside an STC-S string parsed on its own.
    public var range: SourceRange
    public var cause: (any Error)?
    /// Syntax errors: the offending token as written, or nil at the end of the query.
    public var found: String?
    /// Syntax errors: what the parser would have accepted instead (keywords upper case, symbols
    /// in quotes, categories such as `identifier` or `expression` in words). Empty for errors
    /// that are not about a missing token.
    public var expected: [String] = []
    /// Errors inside an STC-S string: the 1-based character position in that string.
    public var regionCharacter: Int?

    public init(_ code: Code, _ message: String, range: SourceRange = .synthesized, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.range = range
        self.cause = cause
    }

    /// A syntax error at `position`; without a message, `expected X, found Y`.
    public static func syntax(
        at position: SourcePosition, found: String?, expected: [String], message: String? = nil
    ) -> ADQLError {
        var error = ADQLError(
            .syntax, message ?? standardMessage(expected: expected, found: found),
            range: SourceRange(start: position, end: position))
        error.found = found
        error.expected = expected
        return error
    }

    /// Malformed or unusable STC-S at the 1-based character `position` of the region string.
    static func region(at position: Int, _ message: String) -> ADQLError {
        var error = ADQLError(.invalidGeometry, message)
        error.regionCharacter = position
        return error
    }

    public var position: SourcePosition { range.start }
    /// 1-based line of the offending token or node.
    public var line: Int { range.start.line }
    /// 1-based column (in Unicode scalars) of the offending token or node.
    public var column: Int { range.start.column }
    /// Offset (in Unicode scalars) of the offending token or node.
    public var offset: Int { range.start.offset }

    public var description: String {
        if let regionCharacter { return "STC-S error at character \(regionCharacter): \(message)" }
        return code != .syntax && range == .synthesized ? message : "\(range.start): \(message)"
    }

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
