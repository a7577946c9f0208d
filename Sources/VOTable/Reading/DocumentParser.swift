import CLibXML2
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SAX side of the VOTable reader: libxml2's push parser calls it back for each start tag,
/// end tag and piece of text, and it keeps only what the first TABLE needs: its FIELDs, the
/// row being read and the rows read since the reader last took them.
///
/// A push parser with SAX callbacks, not libxml2's xmlTextReader: the reader hands out a text
/// node whole, and the base64 STREAM of a BINARY or BINARY2 table is one text node the size of
/// the table (past 10 MB it even refuses it). Here text arrives in pieces of a few hundred bytes.
final class DocumentParser {
    private(set) var ctxt: xmlParserCtxtPtr?
    /// All the parsing state in one value: a callback makes one (dynamically checked) access to
    /// the class's property, not one per field it touches.
    fileprivate var state: SAXState

    /// Whether the first TABLE's FIELDs are all known (its DATA or its end has been reached).
    var headerDone: Bool { state.headerDone }
    var fields: [FieldDescriptor] { state.fields }
    var rowCount: Int { state.rowCount }
    /// The rows read and not yet taken.
    var batch: RowBatch {
        get { state.batch }
        set { state.batch = newValue }
    }

    init(maxRows: Int, maxColumns: Int) {
        state = SAXState(maxRows: maxRows, maxColumns: maxColumns)
    }

    /// Makes the libxml2 push parser, fed first with `head` (up to 4 bytes, to detect the
    /// encoding). Network access is refused, and no DTD is read: no handler is set for entity
    /// declarations, external subsets or entity resolution, so no entity is ever declared,
    /// loaded or expanded (a reference to one is an error).
    func start(head: UnsafeBufferPointer<UInt8>) -> Bool {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, _, _, _, _, attributeCount, _, attributes in
            guard let ctx, let localname else { return }
            DocumentParser.from(ctx).state.startElement(localname, attributes, Int(attributeCount))
        }
        sax.endElementNs = { ctx, _, _, _ in
            guard let ctx else { return }
            DocumentParser.from(ctx).state.endElement()
        }
        sax.characters = { ctx, bytes, count in
            guard let ctx, let bytes else { return }
            DocumentParser.from(ctx).state.characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }
        sax.cdataBlock = sax.characters
        sax.ignorableWhitespace = sax.characters
        sax.reference = { ctx, name in
            guard let ctx else { return }
            let entity = name.map { String(cString: $0) } ?? ""
            DocumentParser.from(ctx).state.fail(
                VOTableError(.unsupported, "entity references are not expanded: &\(entity); is not allowed"))
        }
        // Errors are read from the context (xmlCtxtGetLastError); this keeps them off stderr.
        sax.serror = { _, _ in }
        let me = Unmanaged.passUnretained(self).toOpaque()
        ctxt = head.withMemoryRebound(to: CChar.self) {
            xmlCreatePushParserCtxt(&sax, me, $0.baseAddress, Int32($0.count), nil)
        }
        guard let ctxt else { return false }
        state.ctxt = ctxt
        // No XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD or XML_PARSE_DTDATTR;
        // XML_PARSE_HUGE neither, so libxml2 keeps its limits on names, depth and attributes.
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue))
        return true
    }

    deinit {
        if let ctxt { xmlFreeParserCtxt(ctxt) }
    }

    static func from(_ ctx: UnsafeMutableRawPointer) -> DocumentParser {
        Unmanaged<DocumentParser>.fromOpaque(ctx).takeUnretainedValue()
    }

    /// Feeds bytes to the parser (`last` for the end of the document); the first error, the
    /// reader's or libxml2's, is thrown.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, last: Bool) throws(VOTableError) {
        let rc = bytes.withMemoryRebound(to: CChar.self) {
            xmlParseChunk(ctxt, $0.baseAddress, Int32($0.count), last ? 1 : 0)
        }
        if let failure = state.failure { throw failure }
        // A namespace error (an undeclared prefix) is not fatal and leaves the document
        // well-formed, but newer libxml2 versions return its code from xmlParseChunk: the reader
        // goes by local names and takes such a document.
        if rc != 0 && ctxt?.pointee.wellFormed == 0 { throw xmlError() }
        if last && !state.headerDone {
            throw VOTableError(.invalidDocument, "the document has no TABLE")
        }
    }

    /// libxml2's last error, `line L: message`.
    private func xmlError() -> VOTableError {
        guard let e = xmlCtxtGetLastError(ctxt)?.pointee, let m = e.message else {
            return VOTableError(.malformedXML, "the document is not well-formed XML")
        }
        var message = String(cString: m)
        while message.last?.isWhitespace == true { message.removeLast() }
        return VOTableError(.malformedXML, e.line > 0 ? "line \(e.line): \(message)" : message)
    }
}

/// What the SAX callbacks keep: the FIELDs of the first TABLE, the element stack, the row being
/// read and the rows read since the reader last took them.
private struct SAXState {
    /// What the element being read is to the reader.
    private enum Context {
        /// Outside the first TABLE: only a TABLE start matters.
        case outside
        case table, field, fieldDescription, data, tabledata, row, cell
        case binary(BinaryRowDecoder.Layout)
        case stream
        /// Inside an element the reader skips (PARAM, GROUP, INFO, LINK, …, a second TABLE).
        case ignored
    }

    /// The parser, to stop it and to ask it for line numbers.
    var ctxt: xmlParserCtxtPtr?
    private let maxRows: Int
    private let maxColumns: Int
    private var stack: [Context] = []
    private var tableSeen = false
    private(set) var headerDone = false
    private(set) var fields: [FieldDescriptor] = []
    /// Per FIELD: the null value its VALUES declares, and whether its datatype is `bit`.
    private var nullTexts: [String?] = []
    private var bitFields: [Bool] = []
    private var columns: [ReadColumn] = []
    /// The text of the TD or DESCRIPTION being read.
    private var text: [UInt8] = []
    private var cellIndex = 0
    /// The cells of the TR being read: a row joins `batch` whole, so that a batch taken between
    /// two pieces of input never ends in part of a row.
    private var row: [Value] = []
    private var binary: BinaryRowDecoder?
    private var scratch = OutputBuffer(capacity: 256)
    var batch = RowBatch(columnCount: 0)
    private(set) var rowCount = 0
    /// The first error of the reader's own (libxml2's are in the context).
    private(set) var failure: VOTableError?

    init(maxRows: Int, maxColumns: Int) {
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }

    /// Keeps the first error and stops the parser.
    mutating func fail(_ error: VOTableError) {
        if failure == nil { failure = error }
        if let ctxt { xmlStopParser(ctxt) }
    }

    private var line: Int { ctxt.map { Int(xmlSAX2GetLineNumber($0)) } ?? 0 }

    // MARK: Elements

    private enum Element {
        case votable, table, field, description, values, data, tabledata, tr, td, binary, binary2, fits, stream, info
        case other
    }

    private static let names: [(StaticString, Element)] = [
        ("VOTABLE", .votable), ("TABLE", .table), ("FIELD", .field), ("DESCRIPTION", .description),
        ("VALUES", .values), ("DATA", .data), ("TABLEDATA", .tabledata), ("BINARY", .binary),
        ("BINARY2", .binary2), ("FITS", .fits), ("STREAM", .stream), ("INFO", .info),
    ]

    /// The element of a local name (namespaces do not matter: VOTable 1.1 to 1.5 and none).
    private static func element(_ name: UnsafePointer<UInt8>) -> Element {
        // TR and TD first: they are nearly all of a TABLEDATA document.
        if name[0] == UInt8(ascii: "T") && name[2] == 0 && name[1] != 0 {
            if name[1] == UInt8(ascii: "D") { return .td }
            if name[1] == UInt8(ascii: "R") { return .tr }
        }
        let length = strlen(name)
        for (text, element) in names where text.utf8CodeUnitCount == length {
            if memcmp(text.utf8Start, name, length) == 0 { return element }
        }
        return .other
    }

    mutating func startElement(
        _ name: UnsafePointer<UInt8>, _ attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ count: Int
    ) {
        guard failure == nil else { return }
        let element = Self.element(name)
        let context: Context
        switch stack.last {
        case nil:
            guard element == .votable else {
                fail(VOTableError(.invalidDocument, "not a VOTable: the root element is <\(String(cString: name))>"))
                return
            }
            context = .outside
        case .outside:
            if element == .table && !tableSeen {
                tableSeen = true
                context = .table
            } else {
                context = .outside
            }
        case .table:
            switch element {
            case .field:
                beginField(Self.attributes(attributes, count))
                context = .field
            case .data:
                endHeader()
                context = .data
            default: context = .ignored
            }
        case .field:
            switch element {
            case .description:
                text.removeAll(keepingCapacity: true)
                context = .fieldDescription
            case .values:
                if let null = Self.attributes(attributes, count)["null"] { nullTexts[nullTexts.count - 1] = null }
                context = .ignored
            default: context = .ignored
            }
        case .data:
            switch element {
            case .tabledata: context = .tabledata
            case .binary: context = .binary(.binary)
            case .binary2: context = .binary(.binary2)
            case .fits:
                fail(VOTableError(.unsupported, "FITS serialization not supported"))
                return
            case .info: context = .ignored  // INFO may follow the data
            default:
                fail(VOTableError(.unsupported, "the <\(String(cString: name))> serialization is not supported"))
                return
            }
        case .tabledata:
            if element == .tr {
                guard rowCount < maxRows else {
                    fail(VOTableReader.rowLimitError(maxRows))
                    return
                }
                cellIndex = 0
                row.removeAll(keepingCapacity: true)
                context = .row
            } else {
                context = .ignored
            }
        case .row:
            if element == .td {
                guard cellIndex < columns.count else {
                    fail(
                        VOTableError(
                            .invalidDocument,
                            "line \(line), row \(rowCount + 1): more TD cells than the \(columns.count) FIELDs"))
                    return
                }
                text.removeAll(keepingCapacity: true)
                context = .cell
            } else {
                context = .ignored
            }
        case .binary(let layout):
            if element == .stream {
                guard beginStream(Self.attributes(attributes, count)) else { return }
                binary = BinaryRowDecoder(columns: columns, layout: layout)
                context = .stream
            } else {
                context = .ignored
            }
        case .cell, .stream, .fieldDescription, .ignored:
            context = .ignored
        }
        stack.append(context)
    }

    mutating func endElement() {
        guard failure == nil, let context = stack.popLast() else { return }
        switch context {
        case .table:
            if !headerDone { endHeader() }
        case .fieldDescription:
            let description = text.withUnsafeBufferPointer { CellParsing.trimmed($0).map { String(decoding: $0, as: UTF8.self) } }
            fields[fields.count - 1].description = description
        case .cell:
            endCell()
        case .row:
            guard cellIndex == columns.count else {
                fail(
                    VOTableError(
                        .invalidDocument,
                        "line \(line), row \(rowCount + 1): \(cellIndex) TD cells, the table has \(columns.count) FIELDs"))
                return
            }
            batch.append(row: row)
            rowCount += 1
        case .stream:
            do throws(VOTableError) {
                try binary?.finish(into: &batch, rowCount: &rowCount, maxRows: maxRows)
            } catch {
                fail(error)
            }
            binary = nil
        case .outside, .field, .data, .tabledata, .binary, .ignored:
            break
        }
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil else { return }
        switch stack.last {
        case .cell, .fieldDescription:
            text.append(contentsOf: bytes)
        case .stream:
            do throws(VOTableError) {
                try binary?.take(bytes, into: &batch, rowCount: &rowCount, maxRows: maxRows)
            } catch {
                fail(error)
            }
        default:
            break
        }
    }

    // MARK: FIELDs and cells

    private mutating func beginField(_ attributes: [String: String]) {
        guard fields.count < maxColumns else {
            fail(VOTableError(.limitExceeded, "the table has more FIELDs than the limit of \(maxColumns) (maxColumns)"))
            return
        }
        let name = attributes["name"] ?? attributes["ID"] ?? "col\(fields.count + 1)"
        guard let datatypeName = attributes["datatype"] else {
            fail(VOTableError(.invalidDocument, "line \(line): FIELD '\(name)' has no datatype"))
            return
        }
        let isBit = datatypeName == "bit"
        guard let datatype = isBit ? .boolean : VODatatype(rawValue: datatypeName) else {
            let known = ["floatComplex", "doubleComplex"].contains(datatypeName)
            fail(
                VOTableError(
                    known ? .unsupported : .invalidDocument,
                    "line \(line): FIELD '\(name)': the datatype '\(datatypeName)' is "
                        + (known ? "not supported" : "not a VOTable datatype")))
            return
        }
        var field = FieldDescriptor(
            name: name, datatype: datatype, arraysize: attributes["arraysize"], unit: attributes["unit"],
            ucd: attributes["ucd"], utype: attributes["utype"], xtype: attributes["xtype"])
        // A char FIELD without arraysize holds one character (FieldDescriptor's default is `*`).
        if attributes["arraysize"] == nil { field.arraysize = nil }
        fields.append(field)
        nullTexts.append(nil)
        bitFields.append(isBit)
    }

    private mutating func endHeader() {
        headerDone = true
        guard !fields.isEmpty else {
            fail(VOTableError(.invalidDocument, "the TABLE has no FIELD"))
            return
        }
        columns = fields.indices.map { ReadColumn(index: $0, field: fields[$0], nullText: nullTexts[$0], isBit: bitFields[$0]) }
        batch = RowBatch(columnCount: columns.count)
    }

    private mutating func endCell() {
        let column = columns[cellIndex]
        let value = text.withUnsafeBufferPointer { column.tabledataValue($0, scratch: &scratch) }
        guard let value else {
            var shown = String(decoding: text.prefix(40), as: UTF8.self)
            if text.count > 40 { shown += "…" }
            fail(
                VOTableError(
                    .invalidValue,
                    "line \(line), row \(rowCount + 1), column \(cellIndex + 1) '\(column.name)': "
                        + "'\(shown)' is not a \(column.datatype.rawValue)\(column.isArray ? " array" : "")"))
            return
        }
        row.append(value)
        cellIndex += 1
    }

    /// Checks a STREAM's attributes: inline base64 is all the reader takes.
    private mutating func beginStream(_ attributes: [String: String]) -> Bool {
        if let href = attributes["href"] {
            fail(VOTableError(.unsupported, "a STREAM that refers to other data (href=\"\(href)\") is not supported"))
            return false
        }
        let encoding = attributes["encoding"] ?? "none"
        guard encoding == "base64" else {
            fail(VOTableError(.unsupported, "STREAM encoding '\(encoding)' is not supported (only base64)"))
            return false
        }
        return true
    }

    /// The attributes of a start tag: libxml2 gives five pointers per attribute (local name,
    /// prefix, URI, value start, value end). With entity substitution off, libxml2 writes an
    /// `&` of a value as `&#38;` (it leaves the decoding to the tree builder): it is decoded here.
    private static func attributes(
        _ list: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ count: Int
    )
        -> [String: String]
    {
        guard let list else { return [:] }
        var result: [String: String] = [:]
        for k in 0..<count {
            guard let name = list[5 * k], let start = list[5 * k + 3], let end = list[5 * k + 4] else { continue }
            var value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            if value.contains("&#38;") { value = value.replacing("&#38;", with: "&") }
            result[String(cString: name)] = value
        }
        return result
    }
}
