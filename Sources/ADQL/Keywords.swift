// Keyword tables of the ADQL 2.1 lexer and parser.
//
// `grammar/adql.ebnf` lists the same words in its marked keyword sections; a test checks that
// the two agree exactly, so edit both together.

public enum ADQLKeywords {
    /// Reserved words inherited from SQL-92. None of them may be used as a regular identifier;
    /// write them delimited (`"size"`) to name a table or column.
    public static let sqlReserved: Set<String> = [
        "ABSOLUTE", "ACTION", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE", "AS", "ASC",
        "ASSERTION", "AT", "AUTHORIZATION", "AVG",
        "BEGIN", "BETWEEN", "BIT", "BIT_LENGTH", "BOTH", "BY",
        "CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER", "CHAR_LENGTH",
        "CHARACTER_LENGTH", "CHECK", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN", "COMMIT",
        "CONNECT", "CONNECTION", "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT", "CORRESPONDING",
        "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
        "CURRENT_USER", "CURSOR",
        "DATE", "DAY", "DEALLOCATE", "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED",
        "DELETE", "DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT", "DISTINCT", "DOMAIN",
        "DOUBLE", "DROP",
        "ELSE", "END", "END-EXEC", "ESCAPE", "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE", "EXISTS",
        "EXTERNAL", "EXTRACT",
        "FALSE", "FETCH", "FIRST", "FLOAT", "FOR", "FOREIGN", "FOUND", "FROM", "FULL",
        "GET", "GLOBAL", "GO", "GOTO", "GRANT", "GROUP",
        "HAVING", "HOUR",
        "IDENTITY", "IMMEDIATE", "IN", "INDICATOR", "INITIALLY", "INNER", "INPUT", "INSENSITIVE",
        "INSERT", "INT", "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "ISOLATION",
        "JOIN",
        "KEY",
        "LANGUAGE", "LAST", "LEADING", "LEFT", "LEVEL", "LIKE", "LOCAL", "LOWER",
        "MATCH", "MAX", "MIN", "MINUTE", "MODULE", "MONTH",
        "NAMES", "NATIONAL", "NATURAL", "NCHAR", "NEXT", "NO", "NOT", "NULL", "NULLIF", "NUMERIC",
        "OCTET_LENGTH", "OF", "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER", "OUTPUT",
        "OVERLAPS",
        "PAD", "PARTIAL", "POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR",
        "PRIVILEGES", "PROCEDURE", "PUBLIC",
        "READ", "REAL", "REFERENCES", "RELATIVE", "RESTRICT", "REVOKE", "RIGHT", "ROLLBACK", "ROWS",
        "SCHEMA", "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION", "SESSION_USER", "SET", "SIZE",
        "SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR", "SQLSTATE", "SUBSTRING", "SUM",
        "SYSTEM_USER",
        "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP", "TIMEZONE_HOUR", "TIMEZONE_MINUTE", "TO",
        "TRAILING", "TRANSACTION", "TRANSLATE", "TRANSLATION", "TRIM", "TRUE",
        "UNION", "UNIQUE", "UNKNOWN", "UPDATE", "UPPER", "USAGE", "USER", "USING",
        "VALUE", "VALUES", "VARCHAR", "VARYING", "VIEW",
        "WHEN", "WHENEVER", "WHERE", "WITH", "WORK", "WRITE",
        "YEAR",
        "ZONE",
    ]

    /// Reserved words ADQL adds to SQL: its own functions, types and clauses.
    public static let adqlReserved: Set<String> = [
        "ABS", "ACOS", "AREA", "ASIN", "ATAN", "ATAN2", "BIGINT", "BOX", "CEILING", "CENTROID",
        "CIRCLE", "CONTAINS", "COORD1", "COORD2", "COORDSYS", "COS", "COT", "DEGREES", "DISTANCE",
        "EXP", "FLOOR", "ILIKE", "INTERSECTS", "IN_UNIT", "LOG", "LOG10", "MOD", "OFFSET", "PI",
        "POINT", "POLYGON", "POWER", "RADIANS", "REGION", "RAND", "ROUND", "SIN", "SQRT", "TOP",
        "TAN", "TRUNCATE",
    ]

    /// Every reserved word (upper case).
    public static let reserved: Set<String> = sqlReserved.union(adqlReserved)

    /// The length of the longest reserved word (in bytes; they are ASCII).
    static let maxReservedLength = reserved.map(\.utf8.count).max() ?? 0

    /// The reserved words as bytes, bucketed by length and first letter, so that the lexer
    /// tests a word with a few byte comparisons instead of hashing a String per word.
    static let reservedTable = ReservedWordTable(reserved)

    /// Reserved words that name a built-in function when followed by `(`, with the number of
    /// arguments each accepts. Geometry constructors count an optional leading coordinate-system
    /// string; the parser refines those counts (see `Parser.checkArity`).
    public static let functionArity: [String: ClosedRange<Int>] = [
        // math
        "ABS": 1...1, "CEILING": 1...1, "DEGREES": 1...1, "EXP": 1...1, "FLOOR": 1...1,
        "LOG": 1...1, "LOG10": 1...1, "MOD": 2...2, "PI": 0...0, "POWER": 2...2, "RADIANS": 1...1,
        "RAND": 0...1, "ROUND": 1...2, "SQRT": 1...1, "TRUNCATE": 1...2,
        // trigonometry
        "ACOS": 1...1, "ASIN": 1...1, "ATAN": 1...1, "ATAN2": 2...2, "COS": 1...1, "COT": 1...1,
        "SIN": 1...1, "TAN": 1...1,
        // strings and conversions
        "LOWER": 1...1, "UPPER": 1...1, "COALESCE": 1...Int.max, "IN_UNIT": 2...2,
        // aggregates (COUNT also accepts `*`)
        "COUNT": 1...1, "SUM": 1...1, "AVG": 1...1, "MIN": 1...1, "MAX": 1...1,
        // geometry
        "POINT": 2...3, "CIRCLE": 2...4, "BOX": 3...5, "POLYGON": 3...Int.max, "REGION": 1...1,
        "CONTAINS": 2...2, "INTERSECTS": 2...2, "DISTANCE": 2...4, "AREA": 1...1, "COORD1": 1...1,
        "COORD2": 1...1, "COORDSYS": 1...1, "CENTROID": 1...1,
    ]

    /// The length of the longest built-in function name: longer names (user-defined
    /// functions) skip the table.
    static let maxFunctionNameLength = functionArity.keys.map(\.utf8.count).max() ?? 0

    /// The built-in function names (upper case).
    public static var functionNames: Set<String> { Set(functionArity.keys) }

    /// Aggregate (set) functions; they accept `DISTINCT`/`ALL` before their argument.
    public static let aggregateFunctions: Set<String> = ["COUNT", "SUM", "AVG", "MIN", "MAX"]

    /// Geometry functions.
    public static let geometryFunctions: Set<String> = [
        "POINT", "CIRCLE", "BOX", "POLYGON", "REGION", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA",
        "COORD1", "COORD2", "COORDSYS", "CENTROID",
    ]

    /// Whether `name` (any case) is reserved.
    public static func isReserved(_ name: String) -> Bool {
        reserved.contains(name.uppercased())
    }

    /// Whether `name` can be written as a regular (undelimited) identifier: a Latin letter
    /// followed by Latin letters, digits and underscores, and not a reserved word.
    public static func isRegularIdentifier(_ name: String) -> Bool {
        var first = true
        for s in name.unicodeScalars {
            let v = s.value
            let letter = (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
            if first {
                guard letter else { return false }
                first = false
            } else if !(letter || (v >= 48 && v <= 57) || v == 95) {
                return false
            }
        }
        return !first && !isReserved(name)
    }
}

/// Reserved words by (length, first letter): `contains` compares the upper-cased bytes of a
/// word with the few reserved words of its length and initial.
struct ReservedWordTable: Sendable {
    /// `words[bucket]`: the words of the bucket, concatenated (all have the bucket's length).
    private let words: [[UInt8]]
    private let maxLength: Int

    init(_ reserved: Set<String>) {
        maxLength = reserved.map(\.utf8.count).max() ?? 0
        var words = [[UInt8]](repeating: [], count: (maxLength + 1) * 27)
        for word in reserved.sorted() {
            let bytes = Array(word.utf8)
            words[Self.bucket(length: bytes.count, first: bytes[0])] += bytes
        }
        self.words = words
    }

    @inline(__always)
    private static func bucket(length: Int, first: UInt8) -> Int {
        // Upper-case letters 1...26; anything else (not a word's first byte) 0.
        let letter = first >= 65 && first <= 90 ? Int(first - 64) : 0
        return length * 27 + letter
    }

    /// Whether the upper-cased `word` (ASCII letters, digits, `_`) is one of the words.
    func contains(upperCased word: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = word.count
        guard n > 0 && n <= maxLength else { return false }
        return words[Self.bucket(length: n, first: word[0])].withUnsafeBufferPointer { candidates in
            var start = 0
            while start < candidates.count {
                var i = 1
                while i < n && candidates[start + i] == word[i] { i += 1 }
                if i == n { return true }
                start += n
            }
            return false
        }
    }
}
