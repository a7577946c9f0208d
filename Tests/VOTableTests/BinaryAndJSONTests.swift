import Foundation
import Tabular
import TestSupport
import Testing

@testable import VOTable

extension Binary2Reader {
    /// The rows of a BINARY stream: no flags; a cell is NULL when it holds its column's null
    /// value (integers), `?` (booleans), or nothing (strings, variable-length arrays).
    mutating func binaryRows(nullValues: [Int64?]) -> [[Cell]] {
        var rows: [[Cell]] = []
        while pos < bytes.count {
            var row: [Cell] = []
            for (c, f) in fields.enumerated() {
                let nullBoolean = f.datatype == .boolean && bytes[pos] == UInt8(ascii: "?")
                var cell = read(f)
                if nullBoolean { cell = .null }
                if case .int(let i) = cell, i == nullValues[c] { cell = .null }
                row.append(cell)
            }
            rows.append(row)
        }
        return rows
    }
}

@Suite struct BinaryTests {
    /// The sample rows with the integers that BINARY reserves for NULL (the extremes of row 0)
    /// moved one step inwards: a real value equal to the null value would read back as NULL.
    static var rows: [[Value]] {
        var rows = Sample.rows
        rows[0][1] = .integer(254)
        rows[0][2] = .integer(-32767)
        rows[0][4] = .integer(Int64.min + 1)
        return rows
    }

    static func write(_ serialization: VOTableWriter.Serialization) -> [UInt8] {
        var w = VOTableWriter(fields: Sample.fields, serialization: serialization)
        var out = OutputBuffer(capacity: 16)
        var collected: [UInt8] = []
        w.writeHeader(into: &out)
        var batch = RowBatch(columnCount: Sample.fields.count)
        for r in rows { batch.append(row: r) }
        for r in 0..<batch.rowCount {
            w.writeRow(batch, row: r, into: &out)
            collected += out.bytes  // drained after every row, as a service would
            out.removeAll()
        }
        w.writeTrailer(.ok, into: &out)
        return collected + out.bytes
    }

    /// The TABLEDATA text a BINARY cell stands for (NULL: empty). A NaN float is either NULL or
    /// NaN, which BINARY cannot tell apart: it is returned as nil, and matches both.
    static func tabledataText(_ cell: Binary2Reader.Cell, _ field: FieldDescriptor) -> String? {
        func number(_ d: Double) -> String? {
            if d.isNaN { return nil }
            if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
            if field.datatype == .float { return Float(d).description }
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : d.description
        }
        switch cell {
        case .null: return ""
        case .bool(let b): return b ? "T" : "F"
        case .int(let i): return String(i)
        case .real(let d): return number(d)
        case .reals(let ds):
            if ds.allSatisfy(\.isNaN) { return "" }
            return ds.map { number($0) ?? "NaN" }.joined(separator: " ")
        case .text(let s):
            // What XML can carry of it: TABLEDATA replaces the characters XML 1.0 forbids.
            let scalars = s.unicodeScalars.map { u -> Unicode.Scalar in
                let v = u.value
                return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0xFFFE || v == 0xFFFF ? "\u{FFFD}" : u
            }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    @Test func binaryDecodesToTheTabledataValues() throws {
        let doc = try XMLTreeBuilder.parse(Self.write(.binary))
        #expect(doc.first("BINARY") != nil)
        #expect(doc.first("BINARY2") == nil && doc.first("TABLEDATA") == nil)
        let stream = try #require(doc.first("STREAM"))
        #expect(stream.attributes["encoding"] == "base64")
        let data = try #require(Data(base64Encoded: stream.text, options: .ignoreUnknownCharacters))

        // Integer FIELDs declare their null value; the others declare none.
        let fields = doc.all("FIELD")
        let nullValues = fields.map { $0.first("VALUES")?.attributes["null"].flatMap { Int64($0) } }
        #expect(nullValues == [nil, 255, -32768, -2_147_483_648, .min, nil, nil, nil, nil, nil, nil, nil])
        // DESCRIPTION comes before VALUES, as the schema orders them.
        #expect(fields[4].children.map(\.name) == ["DESCRIPTION", "VALUES"])

        var reader = Binary2Reader(fields: Sample.fields, bytes: Array(data))
        let binaryRows = reader.binaryRows(nullValues: nullValues)
        let tabledata = try XMLTreeBuilder.parse(Self.write(.tabledata)).all("TR").map { $0.children.map(\.text) }
        #expect(binaryRows.count == Self.rows.count && tabledata.count == Self.rows.count)
        for (r, (binaryRow, textRow)) in zip(binaryRows, tabledata).enumerated() {
            for (c, field) in Sample.fields.enumerated() {
                let text = textRow[c]
                if let expected = Self.tabledataText(binaryRow[c], field) {
                    #expect(expected == text, "row \(r), column \(field.name): \(binaryRow[c])")
                } else {
                    #expect(text == "" || text == "NaN", "row \(r), column \(field.name)")
                }
            }
        }
        // A row of NULLs reads back as NULLs (the float columns as NaN).
        #expect(
            binaryRows[1].allSatisfy { cell in
                cell == .null || cell == .real(.nan) || cell == .reals([.nan, .nan]) || cell == .text("")
            })
        #expect(binaryRows[1][4] == .null && binaryRows[1][0] == .null)
    }

    @Test func binaryAndBinary2CarryTheSameCells() throws {
        func cells(_ serialization: VOTableWriter.Serialization) throws -> [[Binary2Reader.Cell]] {
            let doc = try XMLTreeBuilder.parse(Self.write(serialization))
            let data = try #require(Data(base64Encoded: doc.first("STREAM")!.text, options: .ignoreUnknownCharacters))
            var reader = Binary2Reader(fields: Sample.fields, bytes: Array(data))
            if serialization == .binary2 { return reader.rows() }
            let nulls = doc.all("FIELD").map { $0.first("VALUES")?.attributes["null"].flatMap { Int64($0) } }
            return reader.binaryRows(nullValues: nulls)
        }
        let binary = try cells(.binary)
        let binary2 = try cells(.binary2)
        #expect(binary.count == binary2.count)
        for (a, b) in zip(binary, binary2) {
            for (x, y) in zip(a, b) {
                // BINARY2 flags a NULL float or string; BINARY writes NaN or nothing.
                #expect(x == y || (y == .null && (x == .real(.nan) || x == .reals([.nan, .nan]) || x == .text(""))))
            }
        }
    }

    @Test func nullIntegersAreTheDeclaredValue() throws {
        let fields = [
            FieldDescriptor(name: "b", datatype: .unsignedByte), FieldDescriptor(name: "s", datatype: .short),
            FieldDescriptor(name: "i", datatype: .int), FieldDescriptor(name: "l", datatype: .long),
            FieldDescriptor(name: "t", datatype: .char), FieldDescriptor(name: "ok", datatype: .boolean),
        ]
        var w = VOTableWriter(fields: fields, serialization: .binary)
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        w.writeRow(RowBatch(columnCount: 6, values: Array(repeating: .null, count: 6)), row: 0, into: &out)
        w.writeTrailer(.ok, into: &out)
        let doc = try XMLTreeBuilder.parse(out.bytes)
        let data = Array(Data(base64Encoded: doc.first("STREAM")!.text, options: .ignoreUnknownCharacters)!)
        // No flag bytes: 1 + 2 + 4 + 8 bytes of null values, a zero-length string, '?'.
        #expect(data == [0xFF, 0x80, 0x00, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "?")])
    }
}

@Suite struct JSONWriterTests {
    /// A JSON number as JSONSerialization hands it over (Int, Double or NSNumber).
    static func number(_ value: Any) -> Double? {
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        return (value as? NSNumber)?.doubleValue
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func layoutAndValues() throws {
        for rowsPerFlush in [1, 3] {
            var w = JSONWriter(fields: Sample.fields)
            let bytes = Sample.write(&w, rowsPerFlush: rowsPerFlush)
            let json = try Self.object(bytes)
            #expect(Set(json.keys) == ["metadata", "data", "status", "overflow"])
            #expect(json["status"] as? String == "OK")
            #expect(json["overflow"] as? Bool == false)

            let metadata = try #require(json["metadata"] as? [[String: Any]])
            #expect(metadata.map { $0["name"] as? String } == Sample.fields.map(\.name))
            #expect(metadata.map { $0["datatype"] as? String } == Sample.fields.map(\.datatype.rawValue))
            let members: Set<String> = ["name", "datatype", "arraysize", "xtype", "unit", "ucd", "description"]
            #expect(metadata.allSatisfy { Set($0.keys) == members })
            #expect(metadata[4]["description"] as? String == "Object id <unique> & \"stable\"")
            #expect(metadata[4]["ucd"] as? String == "meta.id;meta.main")
            #expect(metadata[4]["unit"] is NSNull)
            #expect(metadata[6]["unit"] as? String == "deg")
            #expect(metadata[7]["arraysize"] as? String == "*")
            #expect(metadata[9]["xtype"] as? String == "point")

            let data = try #require(json["data"] as? [[Any]])
            #expect(data.count == Sample.rows.count)
            #expect(data.allSatisfy { $0.count == Sample.fields.count })
            let row0 = data[0]
            #expect(row0[0] as? Bool == true)
            #expect(Self.number(row0[1]) == 255)
            #expect(Self.number(row0[2]) == -32768)
            #expect(Self.number(row0[5]) == 1.5)
            #expect(Self.number(row0[6]) == 0.1)
            #expect(row0[7] as? String == "plain")
            #expect(row0[8] as? String == Sample.unicode)
            #expect(row0[9] as? String == "10.5 -20.25")
            #expect(row0[11] as? String == "2024-01-02T03:04:05")
            #expect(data[1].allSatisfy { $0 is NSNull })
            let row2 = data[2]
            #expect(row2[0] as? Bool == false)
            #expect(Self.number(row2[3]) == 42)
            #expect(row2[5] is NSNull && row2[6] is NSNull)  // NaN, +Inf
            #expect(row2[7] as? String == Sample.specials)
            #expect(row2[8] as? String == "line1\nline2\r\nend")
            #expect(row2[11] as? String == "")
            let row3 = data[3]
            #expect(row3[5] is NSNull)  // -Inf
            #expect(Self.number(row3[6]) == Double.leastNonzeroMagnitude)
            #expect(row3[7] as? String == "ctl\u{01}\u{1F}\u{FFFE}z")  // JSON carries every character
            #expect(row3[8] as? String == "\u{FFFF}")
            #expect(row3[9] as? String == "1 2")
            #expect(row3[10] as? String == "123")
            #expect((row3[11] as? String).flatMap(Double.init) == 1.0 / 3.0)

            // 64-bit integers are numbers, written exactly.
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains(",-9223372036854775808,"))
            #expect(text.contains(",9223372036854775807,"))
            #expect(text.contains(",1000000000000000,"))
            #expect(text.contains("\"ctl\\u0001\\u001f\u{FFFE}z\""))
        }
    }

    @Test func statusAfterTheRows() throws {
        var w = JSONWriter(fields: Sample.fields)
        let overflow = try Self.object(Sample.write(&w, status: .overflow))
        #expect(overflow["status"] as? String == "OVERFLOW")
        #expect(overflow["overflow"] as? Bool == true)
        #expect((overflow["data"] as? [Any])?.count == Sample.rows.count)

        var e = JSONWriter(fields: Sample.fields)
        let failed = try Self.object(Sample.write(&e, status: .error("worker 3 \"went\" away\n")))
        #expect(failed["status"] as? String == "ERROR")
        #expect(failed["error"] as? String == "worker 3 \"went\" away\n")
        #expect((failed["data"] as? [Any])?.count == Sample.rows.count)
        // The status is the last member, after the rows: a truncated document has none.
        var x = JSONWriter(fields: Sample.fields)
        let text = String(decoding: Sample.write(&x, status: .error("x")), as: UTF8.self)
        #expect(text.hasSuffix("\"status\":\"ERROR\",\"overflow\":false,\"error\":\"x\"}\n"))
    }

    @Test func emptyResultsAndKeepAlives() throws {
        var w = JSONWriter(fields: [])
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        let keptAlive = w.writeKeepAlive(into: &out)
        #expect(keptAlive)
        w.writeTrailer(.ok, into: &out)
        let json = try Self.object(out.bytes)
        #expect((json["metadata"] as? [Any])?.isEmpty == true)
        #expect((json["data"] as? [Any])?.isEmpty == true)

        let fields = [FieldDescriptor(name: "x", datatype: .double), FieldDescriptor(name: "f", datatype: .float)]
        var k = JSONWriter(fields: fields)
        var buffer = OutputBuffer()
        k.writeHeader(into: &buffer)
        _ = k.writeKeepAlive(into: &buffer)
        let batch = RowBatch(columnCount: 2, values: [.real(2.5), .real(1e300), .text("7"), .text("junk")])
        k.writeRows(batch, into: &buffer)
        _ = k.writeKeepAlive(into: &buffer)
        k.writeTrailer(.ok, into: &buffer)
        let rows = try #require(try Self.object(buffer.bytes)["data"] as? [[Any]])
        #expect(Self.number(rows[0][0]) == 2.5)
        #expect(rows[0][1] is NSNull)  // beyond single precision: infinite, so null
        #expect(Self.number(rows[1][0]) == 7)
        #expect(rows[1][1] is NSNull)  // not a number
    }
}

@Suite struct NewFormatNameTests {
    @Test func binaryAndJSONNames() {
        let cases: [(String, ResultFormat?)] = [
            ("votable/b", .votableBinary), ("binary", .votableBinary), ("VOTable/Binary", .votableBinary),
            ("application/x-votable+xml;serialization=binary", .votableBinary),
            ("application/x-votable+xml; serialization=BINARY", .votableBinary),
            ("binary2", .votableBinary2), ("json", .json), ("application/json", .json), ("JSON", .json),
            ("application/json;x", nil), ("votable/b3", nil),
        ]
        for (text, expected) in cases {
            #expect(ResultFormat(parameter: text) == expected, "\(text)")
        }
        #expect(ResultFormat.json.mediaType == "application/json")
        #expect(ResultFormat.allCases.map(\.fileExtension) == ["vot", "vot", "vot", "csv", "tsv", "json"])
    }
}
