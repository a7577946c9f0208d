import Foundation
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one-pass line conversion and the number fast paths must give exactly what the general
/// reader and the C library give.
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Suite struct IngestFastPathTests {
    /// Reproducible random inputs (the generator's SplitMix64).
    typealias Mix = SplitMix64

    static func strtodBits(_ s: String) -> UInt64? {
        s.withCString { p -> UInt64? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(p, &end)
            guard let end, end - UnsafeMutablePointer(mutating: p) == s.utf8.count else { return nil }
            return v.bitPattern
        }
    }

    /// Numbers in the forms the generator writes and in others: fixed decimals, shortest
    /// round-trip, exponents, long digit strings with the point anywhere, signs, leading zeros.
    static func randomNumberText(_ r: inout Mix) -> String {
        let magnitude = Double(bitPattern: r.next() & 0x7FEF_FFFF_FFFF_FFFF)
        let scaled = Double(r.below(2_000_000_000)) / Double([1, 10, 1000, 1e6, 1e9][r.below(5)])
        switch r.below(7) {
        case 0: return String(format: "%.\(r.below(13))f", (r.below(2) == 0 ? -1 : 1) * scaled)
        case 1: return String(format: "%.17g", magnitude)
        case 2: return String(format: "%.\(r.below(17))e", (r.below(2) == 0 ? -1 : 1) * magnitude)
        case 3: return "\(scaled)"
        case 4:
            // Up to 25 digits with the point anywhere (or nowhere), maybe leading zeros.
            let n = 1 + r.below(25)
            var digits = (0..<n).map { _ in String(r.below(10)) }.joined()
            if r.below(3) > 0 { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: r.below(n + 1))) }
            return (r.below(3) == 0 ? "-" : "") + (r.below(4) == 0 ? "00" : "") + digits
        case 5: return String(format: "%.\(r.below(23))f", Double(r.below(1000)) / 1024)
        default: return "\(Int64(bitPattern: r.next()) >> r.below(64))"
        }
    }

    @Test func parseDoubleMatchesStrtod() {
        var r = Mix(seed: 42)
        var fast = 0
        for _ in 0..<200_000 {
            let s = Self.randomNumberText(&r)
            let bytes = Array(s.utf8)
            let expected = Self.strtodBits(s)
            let got = bytes.withUnsafeBufferPointer { NumberParsing.parseDouble($0) }
            #expect(got?.bitPattern == expected, "\(s)")
            let scanned = bytes.withUnsafeBufferPointer { NumberParsing.scanDouble($0.baseAddress!, 0, $0.count) }
            if let scanned {
                fast += 1
                #expect(scanned.value.bitPattern == expected && scanned.next == bytes.count, "fast path: \(s)")
            }
        }
        #expect(fast > 50_000)  // the fast path is exercised, not just the fallback
    }

    @Test func scanInt64MatchesParseInt64() {
        var r = Mix(seed: 7)
        for k in 0..<100_000 {
            let s = k % 2 == 0 ? "\(Int64(bitPattern: r.next()) >> r.below(64))" : Self.randomNumberText(&r)
            let bytes = Array(s.utf8)
            let general = bytes.withUnsafeBufferPointer { NumberParsing.parseInt64($0) }
            if let scanned = bytes.withUnsafeBufferPointer({ NumberParsing.scanInt64($0.baseAddress!, 0, $0.count) }) {
                #expect(scanned.value == general && scanned.next == bytes.count, "\(s)")
            }
        }
        // Stops at a comma, refuses what it does not know.
        let b = Array("-12,3".utf8)
        #expect(b.withUnsafeBufferPointer { NumberParsing.scanInt64($0.baseAddress!, 0, $0.count) }! == (-12, 3))
        for s in ["1.0", " 1", "true", "-", "1234567890123456789", "1e3"] {
            let bytes = Array(s.utf8)
            #expect(bytes.withUnsafeBufferPointer { NumberParsing.scanInt64($0.baseAddress!, 0, $0.count) } == nil, "\(s)")
        }
    }

    /// Records what a sink receives, as text.
    struct RecordingSink: IngestFieldSink {
        var values: [String] = []
        mutating func null(_ c: Int) { values.append("\(c):null") }
        mutating func integer(_ c: Int, _ v: Int64) { values.append("\(c):i\(v)") }
        mutating func real(_ c: Int, _ v: Double) { values.append("\(c):r\(v.bitPattern)") }
        mutating func text(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) {
            values.append("\(c):t" + String(decoding: b, as: UTF8.self))
        }
        mutating func blob(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) {
            values.append("\(c):b" + String(decoding: b, as: UTF8.self))
        }
    }

    /// The general conversion of the current record (as `IngestTablePlan.convert` does it).
    static func general(_ reader: CSVReader, _ kinds: [IngestColumnKind]) -> [String] {
        guard reader.fieldCount == kinds.count else { return ["fields \(reader.fieldCount)"] }
        var sink = RecordingSink()
        for (c, kind) in kinds.enumerated() {
            if reader.isEmpty(c) {
                sink.null(c)
                continue
            }
            let ok = reader.withField(c) { b -> Bool in
                switch kind {
                case .integer:
                    guard let v = NumberParsing.parseInt64(b) else { return false }
                    sink.integer(c, v)
                case .real:
                    guard let v = NumberParsing.parseDouble(b) else { return false }
                    if v.isNaN { sink.null(c) } else { sink.real(c, v) }
                case .text: sink.text(c, b)
                case .blob: sink.blob(c, b)
                }
                return true
            }
            if !ok { return ["bad field \(c)"] }
        }
        return sink.values
    }

    @Test func convertLineAgreesWithTheGeneralReader() throws {
        let kinds: [IngestColumnKind] = [.integer, .real, .text, .real, .integer, .blob]
        let odd = [
            "", " 5", "1e3", "nan", "NaN", "true", "f", "3.0", "3.5", "+7", "-0", "-", ".5", "5.", "-.5e-2",
            "12345678901234567890", "9223372036854775807", "\"q\"", "\"a,b\"", "x\"y", "inf", "0.1234567890123456789012",
            "1.7976931348623157e308", "abc", "\t2", "00012.50",
        ]
        var r = Mix(seed: 3)
        var text = "h0,h1,h2,h3,h4,h5\n"
        for _ in 0..<3_000 {
            var fields = (0..<kinds.count).map { c -> String in
                if r.below(4) == 0 { return odd[r.below(odd.count)] }
                switch kinds[c] {
                case .integer: return "\(Int64(bitPattern: r.next()) >> r.below(64))"
                case .real: return Self.randomNumberText(&r)
                case .text, .blob: return ["DC2", "i", "", "POLYGON 1 2 3"][r.below(4)]
                }
            }
            if r.below(50) == 0 { fields.removeLast() }
            if r.below(50) == 0 { fields.append("extra") }
            text += fields.joined(separator: ",")
            switch r.below(40) {
            case 0: text += "\r\n"
            case 1: text += "\n\n"  // a blank line
            case 2: text += "\r"  // a lone CR ends a record too
            default: text += "\n"
            }
        }
        text += "1,2.5,x,3,4,y"  // no final line feed
        let dir = try DataTestSupport.tempDirectory("fastpath")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)

        func read(fast: Bool, bufferSize: Int) throws -> (rows: [String], converted: Int) {
            let reader = try CSVReader(path: url.path, bufferSize: bufferSize)
            _ = try reader.next()  // header
            var rows: [String] = []
            var converted = 0
            try kinds.withUnsafeBufferPointer { kp in
                while true {
                    if fast {
                        var sink = RecordingSink()
                        if try reader.convertLine(kinds: kp, into: &sink) == .converted {
                            converted += 1
                            rows.append("\(reader.line) " + sink.values.joined(separator: " "))
                            continue
                        }
                    }
                    guard try reader.next() else { break }
                    rows.append("\(reader.line) " + Self.general(reader, kinds).joined(separator: " "))
                }
            }
            return (rows, converted)
        }
        let reference = try read(fast: false, bufferSize: 1 << 16)
        for size in [64, 1 << 16] {
            let fast = try read(fast: true, bufferSize: size)
            #expect(fast.rows == reference.rows)
            #expect(fast.converted > 100 && fast.converted < reference.rows.count)
        }
    }

    /// A whole-number real bound as the integer `RowEncoder` makes of it gives the same database
    /// bytes as binding the double and letting SQLite's REAL affinity convert it.
    @Test func integralRealsGiveTheSameFileBytes() throws {
        let values: [Double] = [
            0, -0.0, 1, -3, 127, 128, -128, -129, 0.5, -1e-300, 1e300, 4_503_599_627_370_497,
            9_007_199_254_740_992, 1e18, 9.2e18, 9.223372036854775807e18, -9.223372036854775808e18,
            -9.2e18, 1e19, .infinity, -.infinity, 123_456.789, 4_294_967_296,
        ]
        let dir = try DataTestSupport.tempDirectory("realint")
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, encoded: Bool) throws -> Data {
            let path = dir.appendingPathComponent(name).path
            let db = try SQLiteConnection(path: path, mode: .readWriteCreate)
            try db.execute("CREATE TABLE t (a REAL, b INTEGER)")
            let stmt = try db.prepare("INSERT INTO t VALUES (?, ?)")
            for (k, v) in values.enumerated() {
                if encoded {
                    let encoder = RowEncoder()
                    encoder.bytes.removeAll()
                    encoder.appendReal(v)
                    encoder.appendInt(Int64(k) * 1_000_003 - 300)
                    let n = try encoder.bytes.withBytes { raw in
                        try Ingester.bindEncoded(UnsafeRawPointer(raw.baseAddress!), raw.count, to: stmt)
                    }
                    #expect(n == 2)
                } else {
                    stmt.bindDouble(v, at: 1)
                    stmt.bindInt64(Int64(k) * 1_000_003 - 300, at: 2)
                }
                _ = try stmt.step()
                stmt.reset()
            }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let viaDouble = try write("double.sqlite", encoded: false)
        let viaEncoder = try write("encoded.sqlite", encoded: true)
        #expect(viaDouble == viaEncoder)
        #expect(realAsStoredInteger(3) == 3 && realAsStoredInteger(-0.0) == 0 && realAsStoredInteger(0.5) == nil)
        #expect(realAsStoredInteger(-9.223372036854775808e18) == nil && realAsStoredInteger(.nan) == nil)
    }
}
