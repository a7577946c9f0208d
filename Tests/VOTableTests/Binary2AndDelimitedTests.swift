import Foundation
import Tabular
import TestSupport
import Testing

@testable import VOTable

/// Reads the BINARY2 stream back, field by field, as a client would.
struct Binary2Reader {
    enum Cell: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        case real(Double)
        case reals([Double])
        case text(String)

        static func == (a: Cell, b: Cell) -> Bool {
            switch (a, b) {
            case (.null, .null): true
            case (.bool(let x), .bool(let y)): x == y
            case (.int(let x), .int(let y)): x == y
            case (.real(let x), .real(let y)): x == y || (x.isNaN && y.isNaN)
            case (.reals(let x), .reals(let y)): x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            case (.text(let x), .text(let y)): x == y
            default: false
            }
        }
    }

    let fields: [FieldDescriptor]
    var bytes: [UInt8]
    var pos = 0

    mutating func take(_ n: Int) -> ArraySlice<UInt8> {
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    mutating func uint(_ n: Int) -> UInt64 { take(n).reduce(0) { $0 << 8 | UInt64($1) } }

    mutating func rows() -> [[Cell]] {
        var rows: [[Cell]] = []
        let flagBytes = (fields.count + 7) / 8
        while pos < bytes.count {
            let flags = Array(take(flagBytes))
            var row: [Cell] = []
            for (c, f) in fields.enumerated() {
                let isNull = flags[c / 8] & (0x80 >> UInt8(c % 8)) != 0
                let cell = read(f)
                row.append(isNull ? .null : cell)
            }
            rows.append(row)
        }
        return rows
    }

    mutating func read(_ f: FieldDescriptor) -> Cell {
        switch (f.datatype, f.arraysize) {
        case (.boolean, _): return .bool(take(1).first == UInt8(ascii: "T"))
        case (.unsignedByte, _): return .int(Int64(uint(1)))
        case (.short, _): return .int(Int64(Int16(truncatingIfNeeded: uint(2))))
        case (.int, _): return .int(Int64(Int32(truncatingIfNeeded: uint(4))))
        case (.long, _): return .int(Int64(bitPattern: uint(8)))
        case (.float, nil): return .real(Double(Float(bitPattern: UInt32(uint(4)))))
        case (.double, nil): return .real(Double(bitPattern: uint(8)))
        case (.double, let size?): return .reals((0..<Int(size)!).map { _ in Double(bitPattern: uint(8)) })
        case (.char, "*"): return .text(String(decoding: take(Int(uint(4))), as: UTF8.self))
        case (.char, let size?):
            return .text(String(decoding: take(Int(size)!).prefix { $0 != 0 }, as: UTF8.self))
        case (.unicodeChar, _):
            let n = Int(uint(4))
            let units = (0..<n).map { _ in UInt16(uint(2)) }
            return .text(String(decoding: units, as: UTF16.self))
        default: fatalError("unexpected field \(f)")
        }
    }
}

@Suite struct Binary2Tests {
    func decode(_ bytes: [UInt8]) throws -> (XMLElement_, [[Binary2Reader.Cell]]) {
        let doc = try XMLTreeBuilder.parse(bytes)
        let stream = try #require(doc.first("STREAM"))
        #expect(stream.attributes["encoding"] == "base64")
        let data = try #require(Data(base64Encoded: stream.text, options: .ignoreUnknownCharacters))
        var reader = Binary2Reader(fields: Sample.fields, bytes: Array(data))
        return (doc, reader.rows())
    }

    @Test func roundTripsAllDatatypes() throws {
        for rowsPerFlush in [1, 3] {
            var w = VOTableWriter(fields: Sample.fields, serialization: .binary2)
            let (doc, rows) = try decode(Sample.write(&w, rowsPerFlush: rowsPerFlush))
            #expect(doc.first("BINARY2") != nil)
            #expect(doc.first("TABLEDATA") == nil)
            #expect(rows.count == 4)
            #expect(
                rows[0] == [
                    .bool(true), .int(255), .int(-32768), .int(2_147_483_647), .int(.min), .real(1.5),
                    .real(0.1), .text("plain"), .text(Sample.unicode), .reals([10.5, -20.25]),
                    .text("abc"), .text("2024-01-02T03:04:05"),
                ])
            #expect(rows[1] == Array(repeating: .null, count: Sample.fields.count))
            #expect(
                rows[2] == [
                    .bool(false), .int(0), .int(7), .int(42), .int(.max), .real(.nan), .real(.infinity),
                    .text(Sample.specials), .text("line1\nline2\r\nend"), .null, .text("x"), .text(""),
                ])
            #expect(rows[3][5] == .real(-.infinity))
            #expect(rows[3][6] == .real(Double.leastNonzeroMagnitude))
            // Binary carries every character, even those XML cannot.
            #expect(rows[3][7] == .text("ctl\u{01}\u{1F}\u{FFFE}z"))
            #expect(rows[3][9] == .reals([1, 2]))
            #expect(rows[3][10] == .text("123"))
        }
    }

    @Test func nullFloatsAreNaNAndFlagged() throws {
        let fields = [FieldDescriptor(name: "x", datatype: .double)]
        var w = VOTableWriter(fields: fields, serialization: .binary2)
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        w.writeRow(RowBatch(columnCount: 1, values: [.null]), row: 0, into: &out)
        w.writeTrailer(.ok, into: &out)
        let doc = try XMLTreeBuilder.parse(out.bytes)
        let data = Array(Data(base64Encoded: doc.first("STREAM")!.text, options: .ignoreUnknownCharacters)!)
        #expect(data.count == 9)
        #expect(data[0] == 0x80)
        #expect(Double(bitPattern: data[1...].reduce(0) { $0 << 8 | UInt64($1) }).isNaN)
    }

    @Test func base64StreamMatchesOneShotEncoding() {
        // Pieces of every length 0...7, so every carry state is crossed.
        var pieces: [[UInt8]] = []
        var all: [UInt8] = []
        var x: UInt8 = 7
        for n in [0, 1, 2, 3, 4, 5, 6, 7, 1, 1, 2, 0, 5, 100] {
            let piece = (0..<n).map { _ -> UInt8 in
                x = x &* 31 &+ 11; return x
            }
            pieces.append(piece)
            all += piece
        }
        var encoder = Base64StreamEncoder()
        var out = OutputBuffer()
        for p in pieces { encoder.encode(p, into: &out) }
        encoder.finish(into: &out)
        let text = String(decoding: out.bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 76 })
        #expect(text.filter { $0 != "\n" } == Data(all).base64EncodedString())
    }
}

/// A small RFC 4180 reader for the tests.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var inQuotes = false
    var chars = Array(text.unicodeScalars)[...]
    while let c = chars.popFirst() {
        if inQuotes {
            if c == "\"" {
                if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
            } else {
                field.unicodeScalars.append(c)
            }
        } else if c == "\"" {
            inQuotes = true
        } else if c == "," {
            row.append(field); field = ""
        } else if c == "\r" && chars.first == "\n" {
            chars.removeFirst()
            row.append(field); field = ""
            rows.append(row); row = []
        } else {
            field.unicodeScalars.append(c)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

@Suite struct DelimitedTests {
    @Test func csvRoundTrip() {
        var w = DelimitedWriter(fields: Sample.fields, style: .csv)
        let text = String(decoding: Sample.write(&w), as: UTF8.self)
        #expect(text.hasPrefix("flag,b,s,i,id,f,ra,name,uname,pos,code,when\r\n"))
        let rows = parseCSV(text)
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0.count == Sample.fields.count })
        #expect(
            rows[1] == [
                "true", "255", "-32768", "2147483647", "-9223372036854775808", "1.5", "0.1", "plain",
                Sample.unicode, "10.5 -20.25", "abc", "2024-01-02T03:04:05",
            ])
        #expect(rows[2] == Array(repeating: "", count: Sample.fields.count))
        #expect(
            rows[3] == [
                "false", "0", "7", "42", "9223372036854775807", "NaN", "+Inf", Sample.specials,
                "line1\nline2\r\nend", "", "x", "",
            ])
        #expect(rows[4][7] == "ctl\u{01}\u{1F}\u{FFFE}z")
    }

    @Test func csvQuotesOnlyWhenNeeded() {
        let fields = [FieldDescriptor(name: "a,b", datatype: .char), FieldDescriptor(name: "c", datatype: .char)]
        var w = DelimitedWriter(fields: fields, style: .csv)
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        w.writeRow(RowBatch(columnCount: 2, values: [.text("say \"hi\""), .text(" padded")]), row: 0, into: &out)
        w.writeRow(RowBatch(columnCount: 2, values: [.text("plain"), .null]), row: 0, into: &out)
        #expect(String(decoding: out.bytes, as: UTF8.self) == "\"a,b\",c\r\n\"say \"\"hi\"\"\",\" padded\"\r\nplain,\r\n")
    }

    @Test func tsvEscapesSeparators() {
        let fields = [FieldDescriptor(name: "t", datatype: .char), FieldDescriptor(name: "x", datatype: .double)]
        var w = DelimitedWriter(fields: fields, style: .tsv)
        var out = OutputBuffer()
        w.writeHeader(into: &out)
        w.writeRow(RowBatch(columnCount: 2, values: [.text("a\tb\nc\\d"), .real(-0.5)]), row: 0, into: &out)
        w.writeRow(RowBatch(columnCount: 2, values: [.null, .real(.nan)]), row: 0, into: &out)
        w.writeTrailer(.overflow, into: &out)
        #expect(String(decoding: out.bytes, as: UTF8.self) == "t\tx\na\\tb\\nc\\\\d\t-0.5\n\tNaN\n")
    }
}
