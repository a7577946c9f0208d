import Tabular

/// An INFO element in the results RESOURCE, before the table (e.g. the query text).
public struct VOTableInfo: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Optional element content.
    public var content: String?

    public init(name: String, value: String, content: String? = nil) {
        self.name = name
        self.value = value
        self.content = content
    }
}

/// Writes a VOTable 1.4 document with one results RESOURCE and one TABLE, serialized as
/// TABLEDATA, as BINARY (a base64 STREAM; NULL integers are the null value each integer FIELD
/// declares in VALUES) or as BINARY2 (a base64 STREAM with a NULL-flag bitmap per row).
///
/// The status goes into INFO elements named QUERY_STATUS: `OK` before the table, and after the
/// table `OVERFLOW` when MAXREC truncated the rows, or `ERROR` with a message when the query
/// failed while rows were being written (DALI 1.1), so that an incomplete result is never
/// mistaken for a complete one.
public struct VOTableWriter: TableWriter {
    public enum Serialization: Sendable { case tabledata, binary, binary2 }

    public let fields: [FieldDescriptor]
    public let serialization: Serialization
    public var infos: [VOTableInfo]
    private let textKinds: [TextKind]
    private var binary: BinaryRowEncoder?
    private var base64 = Base64StreamEncoder()

    public init(fields: [FieldDescriptor], serialization: Serialization = .tabledata, infos: [VOTableInfo] = []) {
        self.fields = fields
        self.serialization = serialization
        self.infos = infos
        self.textKinds = fields.map(TextKind.init)
        switch serialization {
        case .tabledata: binary = nil
        case .binary: binary = BinaryRowEncoder(fields: fields, layout: .binary)
        case .binary2: binary = BinaryRowEncoder(fields: fields, layout: .binary2)
        }
    }

    public var reportsStatus: Bool { true }

    /// A line break: whitespace between TR elements, or inside the base64 STREAM.
    public mutating func writeKeepAlive(into out: inout OutputBuffer) -> Bool {
        out.append(UInt8(ascii: "\n"))
        return true
    }

    public mutating func writeHeader(into out: inout OutputBuffer) {
        VOTableMarkup.documentStart(into: &out)
        out.append("<RESOURCE type=\"results\">\n")
        VOTableMarkup.info(name: "QUERY_STATUS", value: "OK", into: &out)
        for info in infos {
            VOTableMarkup.info(name: info.name, value: info.value, content: info.content, into: &out)
        }
        out.append("<TABLE>\n")
        var ids = Set<String>()
        for field in fields {
            // BINARY has no NULL flags: an integer column needs a value that stands for NULL.
            let null = serialization == .binary ? BinaryRowEncoder.nullInteger(for: field.datatype) : nil
            VOTableMarkup.field(
                field, id: VOTableMarkup.uniqueID(for: field.name, taken: &ids), nullValue: null, into: &out)
        }
        switch serialization {
        case .tabledata: out.append("<DATA>\n<TABLEDATA>\n")
        case .binary: out.append("<DATA>\n<BINARY>\n<STREAM encoding=\"base64\">\n")
        case .binary2: out.append("<DATA>\n<BINARY2>\n<STREAM encoding=\"base64\">\n")
        }
    }

    public mutating func writeRow(_ batch: RowBatch, row: Int, into out: inout OutputBuffer) {
        let base = row * batch.columnCount
        switch serialization {
        case .tabledata:
            out.append("<TR>")
            batch.values.withUnsafeBufferPointer { values in
                for c in 0..<textKinds.count {
                    out.append("<TD>")
                    if !CellText.append(
                        values[base + c], kind: textKinds[c], trueText: "T", falseText: "F",
                        escaper: XMLTextEscaper.self, into: &out)
                    {
                        // NULL: an empty cell. Undo the opening tag's '>' to write <TD/>.
                        out.removeLast()
                        out.append("/>")
                        continue
                    }
                    out.append("</TD>")
                }
            }
            out.append("</TR>\n")
        case .binary, .binary2:
            binary!.encode(batch.values, base: base)
            base64.encode(binary!.rowBytes, into: &out)
        }
    }

    public mutating func writeTrailer(_ status: EndStatus, into out: inout OutputBuffer) {
        switch serialization {
        case .tabledata: out.append("</TABLEDATA>\n</DATA>\n")
        case .binary:
            base64.finish(into: &out)
            out.append("</STREAM>\n</BINARY>\n</DATA>\n")
        case .binary2:
            base64.finish(into: &out)
            out.append("</STREAM>\n</BINARY2>\n</DATA>\n")
        }
        out.append("</TABLE>\n")
        VOTableMarkup.status(status, into: &out)
        out.append("</RESOURCE>\n</VOTABLE>\n")
    }
}

extension VOTableWriter {
    /// A whole document holding `rows` (each `fields.count` values), ended with an OK status:
    /// for small tables made at once, such as a test's upload or a reader's input.
    public static func document(
        fields: [FieldDescriptor], serialization: Serialization = .tabledata, rows: [[Value]]
    ) -> [UInt8] {
        var writer = VOTableWriter(fields: fields, serialization: serialization)
        var out = OutputBuffer()
        var batch = RowBatch(columnCount: fields.count)
        for row in rows { batch.append(row: row) }
        writer.writeHeader(into: &out)
        writer.writeRows(batch, into: &out)
        writer.writeTrailer(.ok, into: &out)
        return out.bytes
    }
}

/// The pieces of VOTable markup shared by the writers and the error document.
public enum VOTableMarkup {
    public static func documentStart(into out: inout OutputBuffer) {
        out.append(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.ivoa.net/xml/VOTable/v1.3 http://www.ivoa.net/xml/VOTable/votable-1.4.xsd">

            """)
    }

    public static func info(name: String, value: String, content: String? = nil, into out: inout OutputBuffer) {
        out.append("<INFO name=\"")
        out.appendXMLEscaped(name, attribute: true)
        out.append("\" value=\"")
        out.appendXMLEscaped(value, attribute: true)
        if let content {
            out.append("\">")
            out.appendXMLEscaped(content)
            out.append("</INFO>\n")
        } else {
            out.append("\"/>\n")
        }
    }

    /// The QUERY_STATUS INFO that follows a table: nothing for `.ok`.
    public static func status(_ status: EndStatus, into out: inout OutputBuffer) {
        switch status {
        case .ok: break
        case .overflow: info(name: "QUERY_STATUS", value: "OVERFLOW", into: &out)
        case .error(let message): info(name: "QUERY_STATUS", value: "ERROR", content: message, into: &out)
        }
    }

    /// A FIELD; `nullValue`, when given, is declared as `<VALUES null="…"/>`.
    static func field(_ f: FieldDescriptor, id: String, nullValue: Int64? = nil, into out: inout OutputBuffer) {
        out.append("<FIELD name=\"")
        out.appendXMLEscaped(f.name, attribute: true)
        out.append("\" ID=\"")
        out.appendXMLEscaped(id, attribute: true)
        out.append("\" datatype=\"")
        out.append(utf8: f.datatype.rawValue)
        out.append("\"")
        attribute("arraysize", f.arraysize, into: &out)
        attribute("unit", f.unit, into: &out)
        attribute("ucd", f.ucd, into: &out)
        attribute("utype", f.utype, into: &out)
        attribute("xtype", f.xtype, into: &out)
        let description = f.description.flatMap { $0.isEmpty ? nil : $0 }
        guard description != nil || nullValue != nil else {
            out.append("/>\n")
            return
        }
        out.append(">\n")
        if let description {
            out.append("<DESCRIPTION>")
            out.appendXMLEscaped(description)
            out.append("</DESCRIPTION>\n")
        }
        if let nullValue {
            out.append("<VALUES null=\"")
            out.appendDecimal(nullValue)
            out.append("\"/>\n")
        }
        out.append("</FIELD>\n")
    }

    private static func attribute(_ name: StaticString, _ value: String?, into out: inout OutputBuffer) {
        guard let value, !value.isEmpty else { return }
        out.append(" ")
        out.append(name)
        out.append("=\"")
        out.appendXMLEscaped(value, attribute: true)
        out.append("\"")
    }

    /// An XML ID (NCName) derived from a column name, unique within the document: characters an
    /// NCName cannot hold become `_`, a leading digit, `.` or `-` gets a `_` prefix, duplicates a
    /// numeric suffix.
    public static func uniqueID(for name: String, taken: inout Set<String>) -> String {
        var id = ""
        id.reserveCapacity(name.utf8.count + 1)
        for scalar in name.unicodeScalars {
            let v = scalar.value
            let isLetter = (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
            let isOther = (v >= 0x30 && v <= 0x39) || v == 0x2D || v == 0x2E
            if isLetter || isOther {
                if id.isEmpty && !isLetter { id.append("_") }
                id.unicodeScalars.append(scalar)
            } else {
                id.append("_")
            }
        }
        if id.isEmpty { id = "_" }
        var candidate = id
        var n = 2
        while taken.contains(candidate) {
            candidate = "\(id)_\(n)"
            n += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
