import Tabular

// How cell values are turned into text (TABLEDATA, CSV, TSV) and numbers (BINARY2), whatever
// storage class the engine handed over: an integer column may receive a real from an
// expression, a double column an integer, a boolean column 0/1. A value that cannot be read as
// the column's type is written as NULL rather than as text the reader would choke on.

extension Value {
    /// The value as an integer: integers as they are, reals rounded (if finite and in range),
    /// text parsed.
    var asInt64: Int64? {
        switch self {
        case .integer(let i): return i
        case .real(let d): return Self.int64(d)
        case .text(let s):
            let t = s.trimmedForNumber
            if let i = Int64(t) { return i }
            return Double(t).flatMap(Self.int64)
        case .null, .blob: return nil
        }
    }

    private static func int64(_ d: Double) -> Int64? {
        guard d.isFinite, d >= -9.223372036854775e18, d <= 9.223372036854775e18 else { return nil }
        return Int64(d.rounded())
    }

    /// The value as a double: reals as they are (NaN included), integers converted, text parsed
    /// (`NaN`, `+Inf`, `-Inf`, `inf` are understood).
    var asDouble: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        case .text(let s): return Double(s.trimmedForNumber)
        case .null, .blob: return nil
        }
    }

    /// The value as a boolean: numbers are true when non-zero; text `T`/`true`/`1`/`yes` and
    /// `F`/`false`/`0`/`no` (any case).
    var asBool: Bool? {
        switch self {
        case .integer(let i): return i != 0
        case .real(let d): return d.isNaN ? nil : d != 0
        case .text(let s):
            switch s.trimmedForNumber.lowercased() {
            case "t", "true", "1", "y", "yes": return true
            case "f", "false", "0", "n", "no": return false
            default: return nil
            }
        case .null, .blob: return nil
        }
    }
}

extension String {
    fileprivate var trimmedForNumber: Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return s
    }
}

/// The shape of a column, from its `arraysize`.
enum ColumnShape: Equatable {
    case scalar
    /// A fixed number of elements (the product of all dimensions).
    case fixed(Int)
    /// A variable number of elements, at most `max` when the last dimension is `N*`.
    case variable(max: Int?)

    /// The number of elements of a scalar (1) or fixed-size column.
    var fixedCount: Int {
        switch self {
        case .scalar: 1
        case .fixed(let n): n
        case .variable: 0
        }
    }

    init(arraysize: String?) {
        guard let a = arraysize?.trimmingCharacters(in: " "), !a.isEmpty, a != "1" else {
            self = .scalar
            return
        }
        var product = 1
        let dims = a.split(separator: "x", omittingEmptySubsequences: false)
        for (i, d) in dims.enumerated() {
            if d.hasSuffix("*") {
                guard i == dims.count - 1 else { self = .variable(max: nil); return }
                let bound = Int(d.dropLast())
                self = .variable(max: bound.map { $0 * product })
                return
            }
            guard let n = Int(d), n > 0 else { self = .variable(max: nil); return }
            product *= n
        }
        self = .fixed(product)
    }
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var s = self[...]
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}

/// What a column's cells look like as text.
enum TextKind {
    case boolean, integer, float32, float64, text
    /// A numeric array: its text is passed through, a blob (bytes) written as numbers.
    case array

    init(_ field: FieldDescriptor) {
        let shape = ColumnShape(arraysize: field.arraysize)
        switch field.datatype {
        case .char, .unicodeChar: self = .text
        case _ where shape != .scalar: self = .array
        case .boolean: self = .boolean
        case .unsignedByte, .short, .int, .long: self = .integer
        case .float: self = .float32
        case .double: self = .float64
        }
    }
}

/// Escaping of text values in one textual format.
protocol TextEscaper {
    static func append(_ text: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer)
}

enum XMLTextEscaper: TextEscaper {
    static func append(_ text: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) {
        out.appendXMLEscaped(utf8: text, attribute: false)
    }
}

enum CellText {
    /// Appends the text of one cell; returns false (having written nothing) for NULL.
    static func append<E: TextEscaper>(
        _ value: Value, kind: TextKind, trueText: StaticString, falseText: StaticString,
        escaper: E.Type, into out: inout OutputBuffer
    ) -> Bool {
        if case .null = value { return false }
        switch kind {
        case .boolean:
            guard let b = value.asBool else { return false }
            out.append(b ? trueText : falseText)
        case .integer:
            guard let i = value.asInt64 else { return false }
            out.appendDecimal(i)
        case .float32:
            guard let d = value.asDouble else { return false }
            out.appendShortest(Float(d))
        case .float64:
            guard let d = value.asDouble else { return false }
            out.appendShortest(d)
        case .text, .array:
            switch value {
            case .null: return false
            case .integer(let i): out.appendDecimal(i)
            case .real(let d): out.appendShortest(d)
            case .text(var s): s.withUTF8 { E.append($0, into: &out) }
            case .blob(let bytes):
                if kind == .array {
                    for (i, b) in bytes.enumerated() {
                        if i > 0 { out.append(UInt8(ascii: " ")) }
                        out.appendDecimal(UInt64(b))
                    }
                } else {
                    var s = String(decoding: bytes, as: UTF8.self)
                    s.withUTF8 { E.append($0, into: &out) }
                }
            }
        }
        return true
    }
}
