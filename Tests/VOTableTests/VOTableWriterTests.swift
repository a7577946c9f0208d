import Foundation
import Tabular
import TestSupport
import Testing

@testable import VOTable

/// Every datatype the writers handle, with awkward values.
enum Sample {
    static let fields: [FieldDescriptor] = [
        FieldDescriptor(name: "flag", datatype: .boolean),
        FieldDescriptor(name: "b", datatype: .unsignedByte),
        FieldDescriptor(name: "s", datatype: .short),
        FieldDescriptor(name: "i", datatype: .int),
        FieldDescriptor(name: "id", datatype: .long, ucd: "meta.id;meta.main", description: "Object id <unique> & \"stable\""),
        FieldDescriptor(name: "f", datatype: .float, unit: "mag"),
        FieldDescriptor(name: "ra", datatype: .double, unit: "deg", ucd: "pos.eq.ra", utype: "stc:x"),
        FieldDescriptor(name: "name", datatype: .char),
        FieldDescriptor(name: "uname", datatype: .unicodeChar),
        FieldDescriptor(name: "pos", datatype: .double, arraysize: "2", xtype: "point"),
        FieldDescriptor(name: "code", datatype: .char, arraysize: "3"),
        FieldDescriptor(name: "when", datatype: .char, xtype: "timestamp"),
    ]

    static let specials = "<a href=\"x\">&amp;'\"</a> ]]> \t tab"
    static let unicode = "Ωmega – 北斗 🌌"

    /// Rows as (values, expected TABLEDATA text per cell: nil for an empty TD).
    static let rows: [[Value]] = [
        [
            .integer(1), .integer(255), .integer(-32768), .integer(2_147_483_647), .integer(Int64.min),
            .real(1.5), .real(0.1), .text("plain"), .text(unicode), .text("10.5 -20.25"), .text("abc"),
            .text("2024-01-02T03:04:05"),
        ],
        [.null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null],
        [
            .integer(0), .integer(0), .integer(7), .real(42.0), .integer(Int64.max),
            .real(.nan), .real(.infinity), .text(specials), .text("line1\nline2\r\nend"), .null, .text("x"),
            .text(""),
        ],
        [
            .text("true"), .text("12"), .real(3.0), .text(" 17 "), .real(1e15),
            .real(-.infinity), .real(Double.leastNonzeroMagnitude), .text("ctl\u{01}\u{1F}\u{FFFE}z"), .text("\u{FFFF}"),
            .blob([1, 2]),
            .integer(123), .real(1.0 / 3.0),
        ],
    ]

    static func batch() -> RowBatch {
        var b = RowBatch(columnCount: fields.count)
        for r in rows { b.append(row: r) }
        return b
    }

    static func write(_ writer: inout some TableWriter, status: EndStatus = .ok, rowsPerFlush: Int = 1) -> [UInt8] {
        var out = OutputBuffer(capacity: 16)
        var collected: [UInt8] = []
        writer.writeHeader(into: &out)
        let b = batch()
        for r in 0..<b.rowCount {
            writer.writeRow(b, row: r, into: &out)
            if (r + 1) % rowsPerFlush == 0 {  // drain as a service would
                collected += out.bytes
                out.removeAll()
            }
        }
        writer.writeTrailer(status, into: &out)
        return collected + out.bytes
    }
}

@Suite struct TabledataTests {
    func document(_ status: EndStatus = .ok, infos: [VOTableInfo] = []) throws -> XMLElement_ {
        var w = VOTableWriter(fields: Sample.fields, serialization: .tabledata, infos: infos)
        return try XMLTreeBuilder.parse(Sample.write(&w, status: status))
    }

    @Test func headerAndFields() throws {
        let doc = try document()
        #expect(doc.name == "VOTABLE")
        #expect(doc.attributes["version"] == "1.4")
        let resource = try #require(doc.first("RESOURCE"))
        #expect(resource.attributes["type"] == "results")
        let firstInfo = try #require(resource.children.first)
        #expect(firstInfo.name == "INFO")
        #expect(firstInfo.attributes["name"] == "QUERY_STATUS")
        #expect(firstInfo.attributes["value"] == "OK")
        let fields = doc.all("FIELD")
        #expect(fields.map { $0.attributes["name"] } == Sample.fields.map(\.name))
        #expect(fields.map { $0.attributes["datatype"] } == Sample.fields.map(\.datatype.rawValue))
        #expect(fields[7].attributes["arraysize"] == "*")
        #expect(fields[9].attributes["arraysize"] == "2")
        #expect(fields[9].attributes["xtype"] == "point")
        #expect(fields[6].attributes["unit"] == "deg")
        #expect(fields[6].attributes["ucd"] == "pos.eq.ra")
        #expect(fields[6].attributes["utype"] == "stc:x")
        #expect(fields[4].first("DESCRIPTION")?.text == "Object id <unique> & \"stable\"")
        #expect(Set(fields.compactMap { $0.attributes["ID"] }).count == fields.count)
        // Nothing after the table when the result is complete.
        #expect(resource.children.last?.name == "TABLE")
    }

    @Test func cellsRoundTrip() throws {
        let doc = try document()
        let rows = doc.all("TR").map { $0.children.map(\.text) }
        #expect(rows.count == Sample.rows.count)
        #expect(
            rows[0] == [
                "T", "255", "-32768", "2147483647", "-9223372036854775808", "1.5", "0.1", "plain",
                Sample.unicode, "10.5 -20.25", "abc", "2024-01-02T03:04:05",
            ])
        #expect(rows[1] == Array(repeating: "", count: Sample.fields.count))
        #expect(
            rows[2] == [
                "F", "0", "7", "42", "9223372036854775807", "NaN", "+Inf", Sample.specials,
                "line1\nline2\r\nend", "", "x", "",
            ])
        #expect(rows[3][0] == "T")
        #expect(rows[3][1] == "12")
        #expect(rows[3][2] == "3")
        #expect(rows[3][3] == "17")
        #expect(rows[3][4] == "1000000000000000")
        #expect(rows[3][5] == "-Inf")
        #expect(Double(rows[3][6]) == Double.leastNonzeroMagnitude)
        // Characters XML 1.0 cannot carry are replaced, the rest kept.
        #expect(rows[3][7] == "ctl\u{FFFD}\u{FFFD}\u{FFFD}z")
        #expect(rows[3][8] == "\u{FFFD}")
        #expect(rows[3][9] == "1 2")
        #expect(rows[3][10] == "123")
        #expect(Double(rows[3][11]) == 1.0 / 3.0)
        // NULL cells are empty elements.
        let nullRow = doc.all("TR")[1]
        #expect(nullRow.children.allSatisfy { $0.name == "TD" && $0.text.isEmpty })
    }

    @Test func doublesAreShortestRoundTrip() {
        let values: [Double] = [
            0.1, 1.0 / 3.0, 1e-300, Double.leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0, 123456.789, 2e22,
        ]
        for v in values {
            var out = OutputBuffer()
            out.appendShortest(v)
            let text = String(decoding: out.bytes, as: UTF8.self)
            #expect(Double(text) == v, "\(text)")
            #expect(text == v.description)
        }
        var out = OutputBuffer()
        out.appendShortest(Float(0.1))
        #expect(String(decoding: out.bytes, as: UTF8.self) == "0.1")
    }

    @Test func integersFormat() {
        for v: Int64 in [0, 9, 10, -1, 1234567890123, .max, .min] {
            var out = OutputBuffer()
            out.appendDecimal(v)
            #expect(String(decoding: out.bytes, as: UTF8.self) == String(v))
        }
        var out = OutputBuffer()
        out.appendDecimal(UInt64.max)
        #expect(String(decoding: out.bytes, as: UTF8.self) == String(UInt64.max))
    }

    @Test func queryInfoIsEscaped() throws {
        let query = "SELECT \"a\" FROM t\nWHERE x < 1 & y > 'z'\t-- ü"
        let doc = try document(infos: [VOTableInfo(name: "QUERY", value: query)])
        let info = doc.all("INFO").first { $0.attributes["name"] == "QUERY" }
        #expect(info?.attributes["value"] == query)
    }

    @Test func overflowStatusFollowsTable() throws {
        let resource = try #require(try document(.overflow).first("RESOURCE"))
        let last = try #require(resource.children.last)
        #expect(last.name == "INFO")
        #expect(last.attributes["name"] == "QUERY_STATUS")
        #expect(last.attributes["value"] == "OVERFLOW")
        #expect(resource.children.dropLast().last?.name == "TABLE")
    }

    @Test func errorStatusFollowsTable() throws {
        let resource = try #require(try document(.error("worker 3 failed <disk>")).first("RESOURCE"))
        let last = try #require(resource.children.last)
        #expect(last.attributes["value"] == "ERROR")
        #expect(last.text == "worker 3 failed <disk>")
        #expect(resource.children.dropLast().last?.name == "TABLE")
    }

    @Test func idsAreUniqueNCNames() {
        var taken = Set<String>()
        let ids = ["a b", "a_b", "1x", "", "é", "a.b-c", "a b"].map { VOTableMarkup.uniqueID(for: $0, taken: &taken) }
        #expect(Set(ids).count == ids.count)
        #expect(ids[0] == "a_b")
        #expect(ids[1] == "a_b_2")
        #expect(ids[2] == "_1x")
        #expect(ids[5] == "a.b-c")
        for id in ids {
            let first = id.unicodeScalars.first!
            #expect(first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first))
        }
    }

    @Test func emptyResult() throws {
        var w = VOTableWriter(fields: Sample.fields)
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        w.writeTrailer(.ok, into: &out)
        let doc = try XMLTreeBuilder.parse(out.bytes)
        #expect(doc.all("TR").isEmpty)
        #expect(doc.first("TABLEDATA") != nil)
    }

    @Test func errorDocument() throws {
        let doc = try XMLTreeBuilder.parse(VOTableErrorDocument.bytes(message: "line 1, column 8: unexpected <FROM>"))
        let resource = try #require(doc.first("RESOURCE"))
        #expect(resource.attributes["type"] == "results")
        let info = try #require(resource.first("INFO"))
        #expect(info.attributes["name"] == "QUERY_STATUS")
        #expect(info.attributes["value"] == "ERROR")
        #expect(info.text == "line 1, column 8: unexpected <FROM>")
        #expect(doc.first("TABLE") == nil)
    }
}

@Suite struct FormatTests {
    @Test func parsesFormatParameter() {
        let cases: [(String, ResultFormat?)] = [
            ("votable", .votableTabledata), ("VOTable", .votableTabledata),
            ("application/x-votable+xml", .votableTabledata), ("text/xml", .votableTabledata),
            ("votable/td", .votableTabledata),
            ("application/x-votable+xml;serialization=tabledata", .votableTabledata),
            ("votable/b2", .votableBinary2), ("VOTABLE/B2", .votableBinary2),
            ("application/x-votable+xml; serialization=BINARY2", .votableBinary2),
            ("application/x-votable+xml;serialization=\"binary2\"", .votableBinary2),
            ("csv", .csv), ("text/csv", .csv), ("text/csv;header=present", .csv), ("TEXT/CSV", .csv),
            ("tsv", .tsv), ("text/tab-separated-values", .tsv),
            ("fits", nil), ("", nil), ("application/x-votable+xml;serialization=fits", nil), ("text/csv;x", nil),
        ]
        for (text, expected) in cases {
            #expect(ResultFormat(parameter: text) == expected, "\(text)")
        }
    }
}
