import Foundation
import Tabular
import TestSupport
import Testing

@testable import VOTable

/// A table of every datatype, written by the project's VOTableWriter and read back: the writer
/// tests' columns, a variable-length array and a name that needs escaping.
enum ReaderSample {
    static let fields: [FieldDescriptor] =
        Sample.fields + [
            FieldDescriptor(name: "counts", datatype: .int, arraysize: "*"),
            FieldDescriptor(name: "ra & dec", datatype: .double, unit: "deg", utype: "stc:x"),
        ]

    /// Rows whose values read back exactly (none is a BINARY null value, a NaN or an empty
    /// string: `expected` says what those become). Columns: flag, b, s, i, id, f, ra, name,
    /// uname, pos, code (3 chars), when, counts, ra & dec.
    static let edgeRows: [[Value]] = [
        [
            .integer(1), .integer(254), .integer(Int64(Int16.max)), .integer(Int64(Int32.max)), .integer(Int64.max),
            .real(1.5), .real(0.1), .text("plain"), .text("Ωmega – 北斗 🌌"), .text("10.5 -20.25"), .text("abc"),
            .text("2024-01-02T03:04:05"), .text("1 2 3"), .real(-1.0 / 3.0),
        ],
        Array(repeating: .null, count: fields.count),
        [
            .integer(0), .integer(0), .integer(-32767), .integer(-2_147_483_647), .integer(-Int64.max),
            .real(Double(Float.greatestFiniteMagnitude)), .real(Double.leastNonzeroMagnitude),
            .text("<a href=\"x\">&amp;'\"</a> ]]> \t tab"), .text("line1\nline2"), .text("-0.5 1e-300"), .text("ab"),
            .text("  spaced  "), .text("7"), .real(-0.0),
        ],
        [
            .integer(1), .integer(7), .integer(-1), .integer(0), .integer(-9_007_199_254_740_993),
            .real(.infinity), .real(-.infinity), .text("x"), .text("\u{1F30C}"), .text("+Inf NaN"), .text("xyz"),
            .text("T"), .text("-2147483647 2147483647"), .real(1e300),
        ],
        [
            .integer(0), .integer(1), .integer(2), .integer(3), .integer(4), .real(.nan), .real(.nan), .text(""),
            .text(""), .text(""), .text(""), .text(""), .text(""), .real(.nan),
        ],
    ]

    /// Many rows of ordinary values, to cross batch and input-chunk boundaries.
    static func generatedRows(_ count: Int) -> [[Value]] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        return (0..<count).map { r in
            let n = next()
            if n % 17 == 0 { return Array(repeating: .null, count: fields.count) }
            return [
                .integer(Int64(n % 2)), .integer(Int64(n % 255)), .integer(Int64(n % 60000) - 30000),
                .integer(Int64(truncatingIfNeeded: n) % 2_000_000_000), .integer(Int64(r) * 1_000_003 - 7),
                .real(Double(Float(Double(n % 100_000) / 7))), .real(Double(n) / 3.0e9),
                .text("obj-\(n % 100_000)"), .text("β\(r)"), .text("\(Double(n % 360)) \(Double(n % 180) - 90)"),
                .text(String(n % 1000)), r % 5 == 0 ? .null : .text("2025-06-\(10 + r % 20)T00:00:00"),
                .text((0..<Int(n % 4)).map { "\($0)" }.joined(separator: " ")), .real(Double(n % 1000) - 0.5),
            ]
        }
    }

    static func document(
        _ rows: [[Value]], _ serialization: VOTableWriter.Serialization, fields: [FieldDescriptor] = fields
    ) -> [UInt8] {
        VOTableWriter.document(fields: fields, serialization: serialization, rows: rows)
    }

    /// What a written value reads back as: NaN is NULL; an empty string is NULL where the
    /// serialization cannot tell it from NULL (an empty TD, an empty BINARY string); an empty
    /// array is NULL in TABLEDATA and BINARY, empty text in BINARY2; array text is canonical
    /// (one space between elements, numbers as Swift writes them).
    static func expected(
        _ value: Value, _ field: FieldDescriptor, _ serialization: VOTableWriter.Serialization
    )
        -> Value
    {
        switch value {
        case .real(let d) where d.isNaN: return .null
        case .text(let s) where field.datatype.isCharacter:
            return s.isEmpty && serialization != .binary2 ? .null : value
        case .text(let s):
            let elements = s.split(separator: " ").map { element -> String in
                if field.datatype == .double { return String(describing: Double(element)!) }
                return element.hasPrefix("+") ? String(element.dropFirst()) : String(element)
            }
            if elements.isEmpty {
                // A fixed-size array written empty is all NaN: NULL.
                return serialization == .binary2 && field.arraysize!.hasSuffix("*") ? .text("") : .null
            }
            if field.datatype == .double && elements.allSatisfy({ $0 == "nan" }) { return .null }
            return .text(
                elements.map { $0 == "nan" ? "NaN" : $0 == "inf" ? "+Inf" : $0 == "-inf" ? "-Inf" : $0 }
                    .joined(separator: " "))
        default: return value
        }
    }

    static func expectedRows(_ rows: [[Value]], _ serialization: VOTableWriter.Serialization) -> [[Value]] {
        rows.map { row in row.indices.map { expected(row[$0], fields[$0], serialization) } }
    }
}

func allRows(_ batch: RowBatch) -> [[Value]] { (0..<batch.rowCount).map { Array(batch.row($0)) } }

func readError(_ bytes: [UInt8], limits: VOTableReadLimits = VOTableReadLimits()) -> VOTableError? {
    do {
        let reader = try VOTableReader(bytes: bytes, limits: limits)
        _ = try reader.readAll()
        return nil
    } catch {
        return error
    }
}

func readError(_ text: String, limits: VOTableReadLimits = VOTableReadLimits()) -> VOTableError? {
    readError(Array(text.utf8), limits: limits)
}

/// A small VOTable with the given FIELDs and DATA markup.
func votable(fields: String, data: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
    <RESOURCE type="results">
    <TABLE>
    \(fields)
    <DATA>
    \(data)
    </DATA>
    </TABLE>
    </RESOURCE>
    </VOTABLE>
    """
}

@Suite struct VOTableReaderRoundTripTests {
    static let serializations: [VOTableWriter.Serialization] = [.tabledata, .binary, .binary2]

    @Test(arguments: serializations)
    func fieldsReadBackAsWritten(_ serialization: VOTableWriter.Serialization) throws {
        let reader = try VOTableReader(bytes: ReaderSample.document([], serialization))
        #expect(reader.fields == ReaderSample.fields)
        #expect(try reader.nextBatch() == nil)
    }

    @Test(arguments: serializations)
    func edgeValuesReadBackExactly(_ serialization: VOTableWriter.Serialization) throws {
        let bytes = ReaderSample.document(ReaderSample.edgeRows, serialization)
        let read = allRows(try VOTableReader(bytes: bytes).readAll())
        let expected = ReaderSample.expectedRows(ReaderSample.edgeRows, serialization)
        #expect(read.count == expected.count)
        for (r, (got, want)) in zip(read, expected).enumerated() {
            for c in want.indices where got[c] != want[c] {
                Issue.record("row \(r + 1), \(ReaderSample.fields[c].name): read \(got[c]), expected \(want[c])")
            }
        }
    }

    @Test(arguments: serializations)
    func manyRowsInBatchesFromMemoryAndFile(_ serialization: VOTableWriter.Serialization) throws {
        let written = ReaderSample.generatedRows(3000)
        let bytes = ReaderSample.document(written, serialization)
        #expect(bytes.count > 3 * 64 * 1024)  // several pieces of input
        let expected = ReaderSample.expectedRows(written, serialization)

        let reader = try VOTableReader(bytes: bytes, batchRows: 100)
        var read: [[Value]] = []
        var sizes: [Int] = []
        while let batch = try reader.nextBatch() {
            #expect(batch.columnCount == ReaderSample.fields.count)
            read += allRows(batch)
            sizes.append(batch.rowCount)
        }
        // Every batch but the last holds at least batchRows rows, and at most the rows of one
        // more piece of input.
        #expect(sizes.count >= 4)
        #expect(sizes.dropLast().allSatisfy { $0 >= 100 && $0 < 1000 }, "\(sizes)")
        #expect(sizes.last! >= 1)
        #expect(reader.rowCount == written.count)
        #expect(reader.bytesRead == bytes.count)
        #expect(read == expected)

        let dir = try DataTestSupport.tempDirectory("votable-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.vot")
        try Data(bytes).write(to: file)
        let fromFile = try VOTableReader(path: file.path, batchRows: 333)
        #expect(fromFile.fields == ReaderSample.fields)
        #expect(allRows(try fromFile.readAll()) == expected)
    }

    @Test func rowsArriveBeforeTheDocumentIsRead() throws {
        let bytes = ReaderSample.document(ReaderSample.generatedRows(3000), .binary2)
        let reader = try VOTableReader(bytes: bytes, batchRows: 50)
        let first = try #require(try reader.nextBatch())
        #expect(first.rowCount >= 50)
        #expect(reader.bytesRead < bytes.count / 2)
    }

    /// A base64 STREAM past libxml2's 10 MB limit on one text node: the reader never holds it whole.
    @Test func largeBinaryStream() throws {
        let fields = [FieldDescriptor(name: "n", datatype: .long), FieldDescriptor(name: "text", datatype: .char)]
        let long = String(repeating: "0123456789", count: 1000)
        let written: [[Value]] = (0..<1100).map { [.integer(Int64($0)), .text("\($0)" + long)] }
        let bytes = ReaderSample.document(written, .binary2, fields: fields)
        #expect(bytes.count > 14_000_000)
        let reader = try VOTableReader(bytes: bytes, batchRows: 256)
        var count = 0
        while let batch = try reader.nextBatch() {
            for r in 0..<batch.rowCount where batch[r, 0] != .integer(Int64(count + r)) || batch[r, 1] != written[count + r][1] {
                Issue.record("row \(count + r + 1) differs")
            }
            count += batch.rowCount
        }
        #expect(count == written.count)
    }
}

@Suite struct VOTableReaderDocumentTests {
    /// What surrounds the first TABLE and what it holds beside FIELDs and rows is skipped; a
    /// second TABLE is not read.
    @Test func onlyTheFirstTableIsRead() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <VOTABLE version="1.3"><DESCRIPTION>uploaded</DESCRIPTION><INFO name="a" value="b"/>
            <RESOURCE><COOSYS ID="icrs" system="ICRS"/><RESOURCE type="meta"><PARAM name="p" datatype="int" value="1"/></RESOURCE>
            <TABLE name="up"><DESCRIPTION>the table</DESCRIPTION>
            <PARAM name="q" datatype="char" arraysize="*" value="x"/>
            <FIELD name="ra" datatype="double" unit="deg" ref="icrs"><DESCRIPTION>
              Right ascension
            </DESCRIPTION><VALUES null="-999"><MIN value="0"/><MAX value="360"/></VALUES><LINK href="x"/></FIELD>
            <GROUP name="g"><FIELDref ref="ra"/></GROUP>
            <FIELD ID="dec_id" datatype="double"/>
            <FIELD datatype="short"><VALUES null="0x7FFF"/></FIELD>
            <DATA><TABLEDATA>
            <TR><TD> 10.5 </TD><TD>-1e2</TD><TD>0x10</TD></TR>
            <TR><TD>-999</TD><TD>NaN</TD><TD>32767</TD></TR>
            </TABLEDATA><INFO name="QUERY_STATUS" value="OK"/></DATA></TABLE>
            <TABLE><FIELD name="other" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE>
            </RESOURCE></VOTABLE>
            """
        let reader = try VOTableReader(bytes: Data(document.utf8))
        #expect(reader.fields.map(\.name) == ["ra", "dec_id", "col3"])
        #expect(reader.fields[0].description == "Right ascension")
        #expect(reader.fields[0].unit == "deg")
        #expect(allRows(try reader.readAll()) == [[.real(10.5), .real(-100), .integer(16)], [.null, .null, .null]])
    }

    @Test func aTableWithoutDataHasNoRows() throws {
        let reader = try VOTableReader(
            bytes: Array(#"<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/></TABLE></RESOURCE></VOTABLE>"#.utf8))
        #expect(reader.fields.count == 1)
        #expect(try reader.nextBatch() == nil)
    }

    /// TABLEDATA's other spellings: booleans as words, digits or `?`, hexadecimal integers.
    @Test func tabledataSpellings() throws {
        let document = votable(
            fields:
                #"<FIELD name="b" datatype="boolean"/><FIELD name="l" datatype="long"/><FIELD name="u" datatype="unsignedByte"/><FIELD name="bits" datatype="bit" arraysize="*"/>"#,
            data: """
                <TABLEDATA><TR><TD>true</TD><TD>0xFFFFFFFFFFFFFFFF</TD><TD>0xff</TD><TD>1 0 1</TD></TR>
                <TR><TD>False</TD><TD>+42</TD><TD>255</TD><TD>0110</TD></TR>
                <TR><TD>?</TD><TD>-9223372036854775808</TD><TD> </TD><TD/></TR></TABLEDATA>
                """)
        let read = allRows(try VOTableReader(bytes: Array(document.utf8)).readAll())
        #expect(
            read == [
                [.integer(1), .integer(-1), .integer(255), .text("T F T")],
                [.integer(0), .integer(42), .integer(255), .text("F T T F")],
                [.null, .integer(Int64.min), .null, .null],
            ])
    }

    /// libxml2 reads the encoding from the document's first bytes.
    @Test func utf16Documents() throws {
        let document = votable(
            fields: #"<FIELD name="s" datatype="unicodeChar" arraysize="*"/>"#,
            data: "<TABLEDATA><TR><TD>Ωmega 北斗</TD></TR></TABLEDATA>"
        )
        .replacingOccurrences(of: "UTF-8", with: "UTF-16")
        let bytes = try #require(document.data(using: .utf16))  // with a byte-order mark
        #expect(allRows(try VOTableReader(bytes: bytes).readAll()) == [[.text("Ωmega 北斗")]])
    }
}

/// Documents written by astropy (fixtures/votable/make_fixtures.py).
@Suite struct AstropyDocumentTests {
    static func read(_ name: String) throws -> (VOTableReader, [[Value]]) {
        let path = DataTestSupport.repoRoot.appendingPathComponent("fixtures/votable/\(name)").path
        let reader = try VOTableReader(path: path)
        return (reader, allRows(try reader.readAll()))
    }

    /// The fixture's values, as the script sets them; `nil` marks the cells whose reading depends
    /// on the serialization (see the test).
    static let rows: [[Value?]] = [
        [
            .integer(1), .integer(0), .integer(-32768), .integer(2_147_483_647), .integer(-9_007_199_254_740_993),
            .real(1.5), .real(0.1), .text("alpha"), .text("Ωmega"), .text("10.5 -20.25"), .text("AB"),
            .text("1.0 2.5"),
        ],
        [
            .integer(0), .integer(200), .integer(12), .null, .integer(42), .null, .null, .text("b"), .text("北斗"),
            .text("0.0 90.0"), nil, nil,
        ],
        [
            nil, .null, .null, .integer(0), .null, .real(0), .real(1e300), .null, .text("z"), .null, .text("XYZ"),
            .text("-3.0"),
        ],
    ]

    @Test(arguments: ["astropy_tabledata.xml", "astropy_binary.xml", "astropy_binary2.xml"])
    func readsAstropyDocuments(_ name: String) throws {
        let (reader, read) = try Self.read(name)
        #expect(reader.fields.map(\.name) == ["flag", "ub", "s", "i", "l", "f", "d", "name", "uname", "pos", "code", "spec"])
        #expect(reader.fields[0].datatype == .boolean)  // astropy's `bit`
        #expect(reader.fields[6].unit == "deg")
        #expect(reader.fields[6].ucd == "pos.eq.ra")
        #expect(reader.fields[6].description == "A double & its <description>")
        #expect(reader.fields[8].datatype == .unicodeChar && reader.fields[8].arraysize == "5")
        #expect(reader.fields[11].arraysize == "*")
        try #require(read.count == 3)
        for (r, want) in Self.rows.enumerated() {
            for (c, value) in want.enumerated() {
                guard let value else { continue }
                #expect(read[r][c] == value, "row \(r + 1), \(reader.fields[c].name)")
            }
        }
        // An empty string and an empty array that are not masked: BINARY2 keeps them, the others
        // cannot tell them from NULL.
        let binary2 = name.contains("binary2")
        #expect(read[1][10] == (binary2 ? .text("") : .null))
        #expect(read[1][11] == (binary2 ? .text("") : .null))
        // A masked bit: TABLEDATA leaves the cell empty, BINARY2 flags it; BINARY cannot mask a
        // bit, and astropy writes its value (true).
        #expect(read[2][0] == (name == "astropy_binary.xml" ? .integer(1) : .null))
    }
}

@Suite struct VOTableReaderErrorTests {
    static let intField = #"<FIELD name="i" datatype="int"/><FIELD name="s" datatype="char" arraysize="*"/>"#

    @Test func malformedXMLGivesTheLine() throws {
        let error = try #require(readError(votable(fields: Self.intField, data: "<TABLEDATA><TR><TD>1</TD><TD>a</TR>")))
        #expect(error.code == .malformedXML)
        #expect(error.message.hasPrefix("line 7:"), "\(error.message)")

        let cut = Array(ReaderSample.document(ReaderSample.edgeRows, .tabledata).prefix(1500))
        #expect(readError(cut)?.code == .malformedXML)
        #expect(readError("")?.code == .malformedXML)
        #expect(readError("not xml at all")?.code == .malformedXML)
    }

    /// Namespaces do not matter: VOTable 1.1 to 1.5, none, a prefix, even an undeclared one.
    @Test func namespacesDoNotMatter() throws {
        let documents = [
            #"<VOTABLE version="1.1" xmlns="http://www.ivoa.net/xml/VOTable/v1.1">"#,
            #"<v:VOTABLE xmlns:v="http://www.ivoa.net/xml/VOTable/v1.3">"#,
            #"<VOTABLE xsi:schemaLocation="http://www.ivoa.net/xml/VOTable/v1.3">"#,
        ].map { start -> String in
            let end = start.hasPrefix("<v:") ? "</v:VOTABLE>" : "</VOTABLE>"
            let p = start.hasPrefix("<v:") ? "v:" : ""
            return """
                \(start)<\(p)RESOURCE><\(p)TABLE><\(p)FIELD name="i" datatype="int"/><\(p)DATA><\(p)TABLEDATA>
                <\(p)TR><\(p)TD>5</\(p)TD></\(p)TR></\(p)TABLEDATA></\(p)DATA></\(p)TABLE></\(p)RESOURCE>\(end)
                """
        }
        for document in documents {
            let reader = try VOTableReader(bytes: Array(document.utf8))
            #expect(allRows(try reader.readAll()) == [[.integer(5)]], "\(document)")
        }
    }

    @Test func notAVOTableOrNoTable() throws {
        let html = try #require(readError("<html><body/></html>"))
        #expect(html.code == .invalidDocument)
        #expect(html.message.contains("<html>"))
        let empty = try #require(readError(#"<VOTABLE><RESOURCE><INFO name="QUERY_STATUS" value="OK"/></RESOURCE></VOTABLE>"#))
        #expect(empty.code == .invalidDocument)
        #expect(empty.message == "the document has no TABLE")
        #expect(readError("<VOTABLE><RESOURCE><TABLE><DATA/></TABLE></RESOURCE></VOTABLE>")?.message == "the TABLE has no FIELD")
    }

    @Test func unsupportedSerializationsAndDatatypes() throws {
        let fits = try #require(
            readError(votable(fields: Self.intField, data: #"<FITS extnum="1"><STREAM href="x.fits"/></FITS>"#)))
        #expect(fits.code == .unsupported)
        #expect(fits.message == "FITS serialization not supported")
        let href = readError(votable(fields: Self.intField, data: #"<BINARY2><STREAM href="http://example.org/t"/></BINARY2>"#))
        #expect(href?.code == .unsupported)
        let gzip = readError(votable(fields: Self.intField, data: #"<BINARY><STREAM encoding="gzip">AAAA</STREAM></BINARY>"#))
        #expect(gzip?.code == .unsupported)
        let complex = readError(votable(fields: #"<FIELD name="z" datatype="floatComplex"/>"#, data: "<TABLEDATA/>"))
        #expect(complex?.code == .unsupported)
        #expect(complex?.message.contains("floatComplex") == true)
        let noType = readError(votable(fields: #"<FIELD name="z"/>"#, data: "<TABLEDATA/>"))
        #expect(noType?.code == .invalidDocument)
    }

    @Test func badValuesNameTheRowAndColumn() throws {
        let data = "<TABLEDATA><TR><TD>1</TD><TD>a</TD></TR><TR><TD>12x</TD><TD>b</TD></TR></TABLEDATA>"
        let error = try #require(readError(votable(fields: Self.intField, data: data)))
        #expect(error.code == .invalidValue)
        #expect(error.message.contains("row 2, column 1 'i'"), "\(error.message)")
        #expect(error.message.contains("'12x' is not a int"), "\(error.message)")

        // Out of the datatype's range.
        let short = readError(
            votable(fields: #"<FIELD name="s" datatype="short"/>"#, data: "<TABLEDATA><TR><TD>40000</TD></TR></TABLEDATA>"))
        #expect(short?.code == .invalidValue)
        let bool = readError(
            votable(fields: #"<FIELD name="b" datatype="boolean"/>"#, data: "<TABLEDATA><TR><TD>maybe</TD></TR></TABLEDATA>"))
        #expect(bool?.code == .invalidValue)
        let array = readError(
            votable(
                fields: #"<FIELD name="p" datatype="double" arraysize="2"/>"#,
                data: "<TABLEDATA><TR><TD>1 x</TD></TR></TABLEDATA>"))
        #expect(array?.code == .invalidValue)

        // A boolean byte that is none of T, F, 1, 0, ?, space, NUL in a binary stream.
        let b64 = Data([UInt8(ascii: "X")]).base64EncodedString()
        let binary = try #require(
            readError(
                votable(
                    fields: #"<FIELD name="b" datatype="boolean"/>"#,
                    data: "<BINARY><STREAM encoding=\"base64\">\(b64)</STREAM></BINARY>")))
        #expect(binary.code == .invalidValue)
        #expect(binary.message.contains("row 1, column 1 'b'"))
    }

    @Test func rowShapeAndStreamErrors() throws {
        let short = readError(votable(fields: Self.intField, data: "<TABLEDATA><TR><TD>1</TD></TR></TABLEDATA>"))
        #expect(short?.code == .invalidDocument)
        let long = readError(votable(fields: Self.intField, data: "<TABLEDATA><TR><TD>1</TD><TD/><TD/></TR></TABLEDATA>"))
        #expect(long?.code == .invalidDocument)
        // An int column: 6 bytes are a row and a half.
        let cut = Data([0, 0, 0, 1, 0, 0]).base64EncodedString()
        let halfRow = try #require(
            readError(
                votable(
                    fields: #"<FIELD name="i" datatype="int"/>"#,
                    data: "<BINARY><STREAM encoding=\"base64\">\(cut)</STREAM></BINARY>")))
        #expect(halfRow.code == .invalidDocument)
        #expect(halfRow.message.contains("row 2"))
        let notBase64 = readError(
            votable(fields: Self.intField, data: #"<BINARY><STREAM encoding="base64">AA*A</STREAM></BINARY>"#))
        #expect(notBase64?.code == .invalidDocument)
    }

    @Test func errorsFromAFileNameIt() throws {
        let dir = try DataTestSupport.tempDirectory("votable-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.vot")
        try Data("<VOTABLE><RESOURCE>".utf8).write(to: file)
        do {
            _ = try VOTableReader(path: file.path)
            Issue.record("a truncated file was read")
        } catch {
            #expect(error.file == file.path)
            #expect(error.description.hasPrefix(file.path + ": "))
        }
        #expect(throws: VOTableError.self) { try VOTableReader(path: dir.appendingPathComponent("missing").path) }
    }

    /// Batches before the one with a bad row are handed out; then the error, and again on any
    /// later call.
    @Test func anErrorEndsTheReading() throws {
        let good = (1...5000).map { "<TR><TD>\($0)</TD><TD>a</TD></TR>" }.joined()
        let data = "<TABLEDATA>\(good)<TR><TD>x</TD><TD>b</TD></TR></TABLEDATA>"
        let reader = try VOTableReader(bytes: Array(votable(fields: Self.intField, data: data).utf8), batchRows: 1000)
        var read = 0
        var failure: VOTableError? = nil
        while failure == nil {
            do {
                guard let batch = try reader.nextBatch() else { break }
                read += batch.rowCount
            } catch {
                failure = error
            }
        }
        #expect(failure?.message.contains("row 5001") == true)
        #expect(read >= 1000 && read <= 5000)
        #expect(throws: VOTableError.self) { try reader.nextBatch() }
    }
}

@Suite struct VOTableReaderSecurityTests {
    /// An external entity naming a local file: libxml2 must neither read nor expand it.
    @Test func externalEntitiesAreNotExpanded() throws {
        let documents = [
            """
            <?xml version="1.0"?>
            <!DOCTYPE VOTABLE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/>
            <DATA><TABLEDATA><TR><TD>&xxe;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE VOTABLE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*" ucd="&xxe;"/>
            <DATA><TABLEDATA><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE VOTABLE [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
            <VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/>
            <DATA><TABLEDATA><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE VOTABLE SYSTEM "file:///etc/passwd">
            <VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/>
            <DATA><TABLEDATA><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """,
        ]
        for document in documents {
            var seen = ""
            do {
                let reader = try VOTableReader(bytes: Array(document.utf8))
                seen = reader.fields.map { "\($0.name) \($0.ucd ?? "")" }.joined()
                for row in allRows(try reader.readAll()) { seen += row.map { "\($0)" }.joined() }
            } catch {
                seen = error.description
            }
            #expect(!seen.contains("root:"), "the entity was expanded: \(seen)")
        }
    }

    @Test func internalEntitiesAreNotExpanded() throws {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE VOTABLE [<!ENTITY e "expanded">]>
            <VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/>
            <DATA><TABLEDATA><TR><TD>&e;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """
        // Not declared (the reader sets no handler for declarations), the entity is an error.
        let error = try #require(readError(document))
        #expect(error.code == .malformedXML || error.code == .unsupported)
        #expect(!error.message.contains("expanded"))
    }

    @Test func predefinedAndCharacterReferencesAreText() throws {
        let document = votable(
            fields: #"<FIELD name="a &amp; b &lt;c&gt; &#38;#38; &quot;q&quot;" datatype="char" arraysize="*"/>"#,
            data: "<TABLEDATA><TR><TD>&lt;&amp;&#65;&#x42;<![CDATA[<raw & text>]]></TD></TR></TABLEDATA>")
        let reader = try VOTableReader(bytes: Array(document.utf8))
        #expect(reader.fields[0].name == "a & b <c> &#38; \"q\"")
        #expect(allRows(try reader.readAll()) == [[.text("<&AB<raw & text>")]])
    }
}

@Suite struct VOTableReaderLimitTests {
    static let written = ReaderSample.generatedRows(40)

    @Test(arguments: [VOTableWriter.Serialization.tabledata, .binary, .binary2])
    func rowLimit(_ serialization: VOTableWriter.Serialization) throws {
        let bytes = ReaderSample.document(Self.written, serialization)
        #expect(try VOTableReader(bytes: bytes, limits: VOTableReadLimits(maxRows: 40)).readAll().rowCount == 40)
        let error = try #require(readError(bytes, limits: VOTableReadLimits(maxRows: 39)))
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("39") && error.message.contains("maxRows"))
    }

    @Test func byteLimit() throws {
        let bytes = ReaderSample.document(Self.written, .binary2)
        #expect(try VOTableReader(bytes: bytes, limits: VOTableReadLimits(maxBytes: bytes.count)).readAll().rowCount == 40)
        let error = try #require(readError(bytes, limits: VOTableReadLimits(maxBytes: bytes.count - 1)))
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("\(bytes.count - 1)") && error.message.contains("maxBytes"))
        // A limit smaller than the header stops the reader before any FIELD is known.
        #expect(readError(bytes, limits: VOTableReadLimits(maxBytes: 100))?.code == .limitExceeded)
    }

    @Test func columnLimit() throws {
        let bytes = ReaderSample.document(Self.written, .tabledata)
        let n = ReaderSample.fields.count
        #expect(try VOTableReader(bytes: bytes, limits: VOTableReadLimits(maxColumns: n)).fields.count == n)
        let error = try #require(readError(bytes, limits: VOTableReadLimits(maxColumns: n - 1)))
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("\(n - 1)") && error.message.contains("maxColumns"))
    }
}
