import Tabular

/// Writes a result as one JSON object (RFC 8259, UTF-8), streamed row by row:
///
/// ```json
/// {"metadata":[
/// {"name":"objectId","datatype":"long","arraysize":null,"xtype":null,"unit":null,"ucd":"meta.id","description":"…"},
/// …],
/// "data":[
/// [1234,62.1,"text",true,null],
/// …
/// ],
/// "status":"OK","overflow":false}
/// ```
///
/// `metadata` has one object per column, always with the same members (null when the column
/// has none); `data` one array per row, in column order. Integers are JSON numbers (64-bit ones
/// too), floating-point values shortest round-trip numbers, booleans `true`/`false`, text and
/// array-valued cells strings (an array cell holds its TABLEDATA text), NULL, NaN and the
/// infinities `null`. After the rows, `status` is `OK`, `OVERFLOW` (MAXREC cut the rows;
/// `overflow` is then true) or `ERROR`, with an `error` member holding the message: a query that
/// fails after rows were sent ends the document that way, so the rows are never taken for the
/// whole result. docs/operations.md documents the layout.
public struct JSONWriter: TableWriter {
    public let fields: [FieldDescriptor]
    private let textKinds: [TextKind]
    private var rows = 0

    public init(fields: [FieldDescriptor]) {
        self.fields = fields
        self.textKinds = fields.map(TextKind.init)
    }

    public var reportsStatus: Bool { true }

    /// A line break: whitespace between JSON tokens.
    public mutating func writeKeepAlive(into out: inout OutputBuffer) -> Bool {
        out.append(UInt8(ascii: "\n"))
        return true
    }

    public mutating func writeHeader(into out: inout OutputBuffer) {
        out.append("{\"metadata\":[")
        for (i, f) in fields.enumerated() {
            out.append(i == 0 ? "\n{\"name\":" : ",\n{\"name\":")
            Self.string(f.name, into: &out)
            out.append(",\"datatype\":")
            Self.string(f.datatype.rawValue, into: &out)
            out.append(",\"arraysize\":")
            Self.string(f.arraysize, into: &out)
            out.append(",\"xtype\":")
            Self.string(f.xtype, into: &out)
            out.append(",\"unit\":")
            Self.string(f.unit, into: &out)
            out.append(",\"ucd\":")
            Self.string(f.ucd, into: &out)
            out.append(",\"description\":")
            Self.string(f.description, into: &out)
            out.append("}")
        }
        out.append("],\n\"data\":[\n")
    }

    public mutating func writeRow(_ batch: RowBatch, row: Int, into out: inout OutputBuffer) {
        let base = row * batch.columnCount
        out.append(rows == 0 ? "[" : ",\n[")
        rows += 1
        batch.values.withUnsafeBufferPointer { values in
            for c in 0..<textKinds.count {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                Self.cell(values[base + c], kind: textKinds[c], into: &out)
            }
        }
        out.append("]")
    }

    public mutating func writeTrailer(_ status: EndStatus, into out: inout OutputBuffer) {
        out.append(rows == 0 ? "],\n" : "\n],\n")
        switch status {
        case .ok: out.append("\"status\":\"OK\",\"overflow\":false}\n")
        case .overflow: out.append("\"status\":\"OVERFLOW\",\"overflow\":true}\n")
        case .error(let message):
            out.append("\"status\":\"ERROR\",\"overflow\":false,\"error\":")
            Self.string(message, into: &out)
            out.append("}\n")
        }
    }

    @inline(__always)
    private static func cell(_ value: Value, kind: TextKind, into out: inout OutputBuffer) {
        switch kind {
        case .float32, .float64:
            // JSON has no NaN or infinity.
            guard let d = value.asDouble, d.isFinite else { return out.append("null") }
            if kind == .float32 {
                let f = Float(d)
                guard f.isFinite else { return out.append("null") }
                out.appendShortest(f)
            } else {
                out.appendShortest(d)
            }
        case .boolean, .integer:
            if !CellText.append(
                value, kind: kind, trueText: "true", falseText: "false", escaper: JSONTextEscaper.self, into: &out)
            {
                out.append("null")
            }
        case .text, .array:
            if value.isNull { return out.append("null") }
            out.append(UInt8(ascii: "\""))
            _ = CellText.append(
                value, kind: kind, trueText: "true", falseText: "false", escaper: JSONTextEscaper.self, into: &out)
            out.append(UInt8(ascii: "\""))
        }
    }

    /// A JSON string, or `null`.
    private static func string(_ text: String?, into out: inout OutputBuffer) {
        guard var text else { return out.append("null") }
        out.append(UInt8(ascii: "\""))
        text.withUTF8 { JSONTextEscaper.append($0, into: &out) }
        out.append(UInt8(ascii: "\""))
    }
}

/// Escaping inside a JSON string: `"` and `\` get a backslash, control characters become `\n`,
/// `\r`, `\t` or `\u00XX`; everything else (UTF-8) is written as it is.
enum JSONTextEscaper: TextEscaper {
    private static let hex: StaticString = "0123456789abcdef"

    static func append(_ text: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) {
        var start = 0  // start of the pending run of bytes that need no escaping
        for i in 0..<text.count {
            let b = text[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<i])) }
            switch b {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            default:
                out.append("\\u00")
                hex.withUTF8Buffer { digits in
                    out.append(digits[Int(b >> 4)])
                    out.append(digits[Int(b & 0x0F)])
                }
            }
            start = i + 1
        }
        if start < text.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...])) }
    }
}
