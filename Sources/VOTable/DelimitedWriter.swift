import Tabular

/// Writes CSV (RFC 4180: a header line of column names, CRLF line ends, fields quoted when they
/// hold a comma, quote, CR or LF, or begin or end with a space) or TSV (IANA
/// text/tab-separated-values: a header line, LF line ends; tab, LF, CR and backslash inside a
/// field are written as `\t`, `\n`, `\r`, `\\` since the format has no quoting).
///
/// NULL is an empty field, booleans `true`/`false`, floating point shortest round-trip with
/// `NaN`, `+Inf`, `-Inf`. Neither format can carry a status after the rows: a caller must signal
/// a failed stream by other means (`reportsStatus` is false).
public struct DelimitedWriter: TableWriter {
    public enum Style: Sendable { case csv, tsv }

    public let fields: [FieldDescriptor]
    public let style: Style
    private let textKinds: [TextKind]

    public init(fields: [FieldDescriptor], style: Style) {
        self.fields = fields
        self.style = style
        self.textKinds = fields.map(TextKind.init)
    }

    public var reportsStatus: Bool { false }

    public mutating func writeHeader(into out: inout OutputBuffer) {
        for (i, f) in fields.enumerated() {
            if i > 0 { separator(into: &out) }
            var name = f.name
            name.withUTF8 { text in
                switch style {
                case .csv: CSVTextEscaper.append(text, into: &out)
                case .tsv: TSVTextEscaper.append(text, into: &out)
                }
            }
        }
        lineEnd(into: &out)
    }

    public mutating func writeRow(_ batch: RowBatch, row: Int, into out: inout OutputBuffer) {
        let base = row * batch.columnCount
        batch.values.withUnsafeBufferPointer { values in
            for c in 0..<textKinds.count {
                if c > 0 { separator(into: &out) }
                switch style {
                case .csv:
                    _ = CellText.append(
                        values[base + c], kind: textKinds[c], trueText: "true", falseText: "false",
                        escaper: CSVTextEscaper.self, into: &out)
                case .tsv:
                    _ = CellText.append(
                        values[base + c], kind: textKinds[c], trueText: "true", falseText: "false",
                        escaper: TSVTextEscaper.self, into: &out)
                }
            }
        }
        lineEnd(into: &out)
    }

    public mutating func writeTrailer(_ status: EndStatus, into out: inout OutputBuffer) {}

    @inline(__always) private func separator(into out: inout OutputBuffer) {
        out.append(style == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t"))
    }

    @inline(__always) private func lineEnd(into out: inout OutputBuffer) {
        if style == .csv { out.append(UInt8(ascii: "\r")) }
        out.append(UInt8(ascii: "\n"))
    }
}

enum CSVTextEscaper: TextEscaper {
    static func append(_ text: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) {
        var needsQuotes = text.first == UInt8(ascii: " ") || text.last == UInt8(ascii: " ")
        if !needsQuotes {
            for b in text where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
                needsQuotes = true
                break
            }
        }
        guard needsQuotes else {
            out.append(contentsOf: text)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in text {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}

enum TSVTextEscaper: TextEscaper {
    static func append(_ text: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) {
        for b in text {
            switch b {
            case 0x09: out.append("\\t")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case UInt8(ascii: "\\"): out.append("\\\\")
            default: out.append(b)
            }
        }
    }
}
