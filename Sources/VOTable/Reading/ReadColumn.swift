import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One FIELD of the table being read, as the cell decoders need it.
///
/// Cells become `Value`s in SQLite's storage classes, as the writers take them back: booleans
/// are integers 1/0, integers `.integer`, floating point `.real` (a `float` column's value is
/// the 32-bit value, widened), `char` and `unicodeChar` `.text`, and numeric or boolean arrays
/// `.text` with their elements separated by one space, numbers written as the TABLEDATA writer
/// writes them (so `arraysize="2"` doubles, a DALI point, read as `"10.5 -20.25"`).
///
/// NULL is: an empty TD; a TD or binary integer equal to the `<VALUES null="…">` of its FIELD
/// (a floating-point one too, when the FIELD declares one); NaN; the boolean `?`, space or NUL;
/// in BINARY an empty string or variable-length array (BINARY has no other way to write them);
/// an array all of whose elements are NULL (NaN, or the null value); in BINARY2 a set bit of the
/// row's NULL flags.
///
/// A `bit` FIELD (astropy writes numpy booleans so) reads as a `boolean` one: its values are
/// 1/0, its FieldDescriptor says `boolean`. In the binary serializations a scalar bit is a byte
/// that is true when not zero, and a bit array is packed, first bit in the high bit.
struct ReadColumn {
    let index: Int
    let name: String
    let datatype: VODatatype
    let shape: ColumnShape
    let nullInteger: Int64?
    let nullReal: Double?
    /// The size of one element in the binary serializations (a byte for a bit: see `bytes(for:)`).
    let elementSize: Int
    /// Whether the FIELD's datatype is `bit`.
    let isBit: Bool
    /// Whether the cells are numeric or boolean arrays, read as text.
    let isArray: Bool

    init(index: Int, field: FieldDescriptor, nullText: String?, isBit: Bool) {
        self.index = index
        self.isBit = isBit
        name = field.name
        datatype = field.datatype
        shape = ColumnShape(arraysize: field.arraysize)
        let null = Array((nullText ?? "").utf8)
        let range = Self.integerRange(of: datatype)
        nullInteger =
            datatype.isInteger
            ? null.withUnsafeBufferPointer { CellParsing.trimmed($0).flatMap { CellParsing.integer($0, in: range) } }
            : nil
        nullReal =
            datatype.isFloatingPoint
            ? null.withUnsafeBufferPointer { CellParsing.trimmed($0).flatMap(CellParsing.double) } : nil
        switch datatype {
        case .boolean, .unsignedByte, .char: elementSize = 1
        case .short, .unicodeChar: elementSize = 2
        case .int, .float: elementSize = 4
        case .long, .double: elementSize = 8
        }
        isArray = !datatype.isCharacter && shape != .scalar
    }

    /// The bytes of a cell in the binary serializations, when every cell of the column has as
    /// many; nil for variable-length cells.
    var fixedBytes: Int? {
        if case .variable = shape { return nil }
        return bytes(for: shape.fixedCount)
    }

    /// The bytes of `count` elements in the binary serializations.
    @inline(__always) func bytes(for count: Int) -> Int { isBit ? (count + 7) / 8 : count * elementSize }

    var integerRange: ClosedRange<Int64> { Self.integerRange(of: datatype) }

    /// The integer range of a datatype.
    static func integerRange(of datatype: VODatatype) -> ClosedRange<Int64> {
        switch datatype {
        case .unsignedByte: 0...255
        case .short: Int64(Int16.min)...Int64(Int16.max)
        case .int: Int64(Int32.min)...Int64(Int32.max)
        default: Int64.min...Int64.max
        }
    }

    /// An integer cell: NULL when it is the FIELD's null value.
    @inline(__always) func integerValue(_ i: Int64) -> Value { i == nullInteger ? .null : .integer(i) }

    /// A floating-point cell: NULL when NaN or the FIELD's null value.
    @inline(__always) func realValue(_ d: Double) -> Value { d.isNaN || d == nullReal ? .null : .real(d) }

    // MARK: TABLEDATA

    /// The value of a TD's text; nil when the text is not a value of the column's datatype.
    func tabledataValue(_ text: UnsafeBufferPointer<UInt8>, scratch: inout OutputBuffer) -> Value? {
        if datatype.isCharacter {
            return text.isEmpty ? .null : .text(String(decoding: text, as: UTF8.self))
        }
        guard let t = CellParsing.trimmed(text) else { return .null }
        if isArray { return arrayText(t, scratch: &scratch) }
        switch datatype {
        case .boolean:
            return CellParsing.boolean(t).map { $0.map { .integer($0 ? 1 : 0) } ?? .null }
        case .unsignedByte, .short, .int, .long:
            guard let i = CellParsing.integer(t, in: integerRange) else { return nil }
            return integerValue(i)
        case .float:
            return CellParsing.float(t).map { realValue(Double($0)) }
        case .double:
            return CellParsing.double(t).map(realValue)
        case .char, .unicodeChar:
            return nil  // handled above
        }
    }

    /// A TABLEDATA array: its whitespace-separated elements (a bit array's 0s and 1s may also
    /// stand together), each checked, written again in the canonical form.
    private func arrayText(_ text: UnsafeBufferPointer<UInt8>, scratch: inout OutputBuffer) -> Value? {
        scratch.removeAll()
        var allNull = true
        if isBit {
            for b in text where !CellParsing.isSpace(b) {
                guard b == UInt8(ascii: "0") || b == UInt8(ascii: "1") else { return nil }
                allNull = append(.boolean(b == UInt8(ascii: "1")), to: &scratch) && allNull
            }
            return allNull ? .null : .text(String(decoding: scratch.bytes, as: UTF8.self))
        }
        var i = 0
        while i < text.count {
            while i < text.count, CellParsing.isSpace(text[i]) { i += 1 }
            let start = i
            while i < text.count, !CellParsing.isSpace(text[i]) { i += 1 }
            guard i > start else { break }
            guard let element = textElement(UnsafeBufferPointer(rebasing: text[start..<i])) else { return nil }
            allNull = append(element, to: &scratch) && allNull
        }
        return allNull ? .null : .text(String(decoding: scratch.bytes, as: UTF8.self))
    }

    /// One element of a numeric or boolean array.
    private enum Element {
        case boolean(Bool?)
        case integer(Int64)
        case real(Double)
    }

    private func textElement(_ t: UnsafeBufferPointer<UInt8>) -> Element? {
        switch datatype {
        case .boolean: CellParsing.boolean(t).map { .boolean($0) }
        case .float: CellParsing.float(t).map { .real(Double($0)) }
        case .double: CellParsing.double(t).map { .real($0) }
        case .char, .unicodeChar: nil
        default: CellParsing.integer(t, in: integerRange).map { .integer($0) }
        }
    }

    /// Appends an element to an array's text, after a space unless it is the first; returns
    /// whether the element is NULL.
    private func append(_ element: Element, to out: inout OutputBuffer) -> Bool {
        if !out.isEmpty { out.append(UInt8(ascii: " ")) }
        switch element {
        case .boolean(let b):
            out.append(b.map { $0 ? "T" : "F" } ?? "?")
            return b == nil
        case .integer(let i):
            out.appendDecimal(i)
            return i == nullInteger
        case .real(let d):
            if datatype == .float { out.appendShortest(Float(d)) } else { out.appendShortest(d) }
            return d.isNaN || d == nullReal
        }
    }

    // MARK: BINARY and BINARY2

    /// Decodes the cell at `pos` (whose bytes are all there, as `BinaryRowDecoder.rowEnd` made
    /// sure) and moves `pos` past it; nil when the bytes are not a value of the datatype.
    func binaryValue(
        _ p: UnsafeRawBufferPointer, at pos: inout Int, emptyIsNull: Bool, scratch: inout OutputBuffer
    ) -> Value? {
        let count: Int
        switch shape {
        case .scalar: count = 1
        case .fixed(let n): count = n
        case .variable:
            count = Int(p.loadBigEndian(UInt32.self, at: pos))
            pos += 4
        }
        let start = pos
        pos += bytes(for: count)
        switch datatype {
        case .char:
            var bytes = UnsafeRawBufferPointer(rebasing: p[start..<pos])
            if shape.fixedCount > 0, let nul = bytes.firstIndex(of: 0) {
                bytes = UnsafeRawBufferPointer(rebasing: bytes[..<nul])  // fixed width: NUL padded
            }
            return bytes.isEmpty && emptyIsNull ? .null : .text(String(decoding: bytes, as: UTF8.self))
        case .unicodeChar:
            var units: [UInt16] = []
            units.reserveCapacity(count)
            for k in 0..<count {
                let u = p.loadBigEndian(UInt16.self, at: start + 2 * k)
                if u == 0, shape.fixedCount > 0 { break }  // fixed width: NUL padded
                units.append(u)
            }
            return units.isEmpty && emptyIsNull ? .null : .text(String(decoding: units, as: UTF16.self))
        default:
            if shape == .scalar { return scalar(p, at: start) }
            if count == 0 { return emptyIsNull ? .null : .text("") }
            scratch.removeAll()
            var allNull = true
            for k in 0..<count {
                guard let element = binaryElement(p, start, k) else { return nil }
                allNull = append(element, to: &scratch) && allNull
            }
            return allNull ? .null : .text(String(decoding: scratch.bytes, as: UTF8.self))
        }
    }

    private func scalar(_ p: UnsafeRawBufferPointer, at pos: Int) -> Value? {
        switch datatype {
        case .boolean:
            if isBit { return .integer(p[pos] != 0 ? 1 : 0) }
            return CellParsing.binaryBoolean(p[pos]).map { $0.map { .integer($0 ? 1 : 0) } ?? .null }
        case .unsignedByte: return integerValue(Int64(p[pos]))
        case .short: return integerValue(Int64(Int16(bitPattern: p.loadBigEndian(UInt16.self, at: pos))))
        case .int: return integerValue(Int64(Int32(bitPattern: p.loadBigEndian(UInt32.self, at: pos))))
        case .long: return integerValue(Int64(bitPattern: p.loadBigEndian(UInt64.self, at: pos)))
        case .float: return realValue(Double(Float(bitPattern: p.loadBigEndian(UInt32.self, at: pos))))
        case .double: return realValue(Double(bitPattern: p.loadBigEndian(UInt64.self, at: pos)))
        case .char, .unicodeChar: return nil
        }
    }

    /// Element `k` of the array whose bytes start at `start`; nil for a boolean byte that is not one.
    private func binaryElement(_ p: UnsafeRawBufferPointer, _ start: Int, _ k: Int) -> Element? {
        let pos = start + k * elementSize
        switch datatype {
        case .boolean:
            if isBit { return .boolean(p[start + (k >> 3)] & (0x80 >> UInt8(k & 7)) != 0) }
            return CellParsing.binaryBoolean(p[pos]).map { .boolean($0) }
        case .unsignedByte: return .integer(Int64(p[pos]))
        case .short: return .integer(Int64(Int16(bitPattern: p.loadBigEndian(UInt16.self, at: pos))))
        case .int: return .integer(Int64(Int32(bitPattern: p.loadBigEndian(UInt32.self, at: pos))))
        case .long: return .integer(Int64(bitPattern: p.loadBigEndian(UInt64.self, at: pos)))
        case .float: return .real(Double(Float(bitPattern: p.loadBigEndian(UInt32.self, at: pos))))
        case .double: return .real(Double(bitPattern: p.loadBigEndian(UInt64.self, at: pos)))
        case .char, .unicodeChar: return nil
        }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func loadBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// Reading numbers and booleans from the bytes of a cell, without making a String of them.
enum CellParsing {
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// The text without leading and trailing whitespace; nil when nothing is left.
    static func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var lo = 0
        var hi = text.count
        while lo < hi, isSpace(text[lo]) { lo += 1 }
        while hi > lo, isSpace(text[hi - 1]) { hi -= 1 }
        return lo == hi ? nil : UnsafeBufferPointer(rebasing: text[lo..<hi])
    }

    /// A TABLEDATA boolean: `T`, `t`, `1` or `true`, `F`, `f`, `0` or `false` (any case); `?`
    /// is NULL (`.some(nil)`); anything else nil.
    static func boolean(_ t: UnsafeBufferPointer<UInt8>) -> Bool?? {
        if t.count == 1 {
            switch t[0] {
            case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "1"): return true
            case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "0"): return false
            case UInt8(ascii: "?"): return .some(nil)
            default: return nil
            }
        }
        if equalsIgnoringCase(t, "true") { return true }
        if equalsIgnoringCase(t, "false") { return false }
        return nil
    }

    /// A binary boolean byte: `T`/`t`/`1` true, `F`/`f`/`0` false, `?`, space or NUL NULL.
    static func binaryBoolean(_ b: UInt8) -> Bool?? {
        switch b {
        case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "1"): true
        case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "0"): false
        case UInt8(ascii: "?"), UInt8(ascii: " "), 0: .some(nil)
        default: nil
        }
    }

    private static func equalsIgnoringCase(_ t: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard t.count == word.utf8CodeUnitCount else { return false }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for k in 0..<t.count where t[k] | 0x20 != w[k] { return false }
        return true
    }

    /// A decimal integer with an optional sign, or a hexadecimal one (`0x…`, VOTable allows it in
    /// TABLEDATA) whose bits are the value's in the column's width; nil when out of `range`.
    static func integer(
        _ t: UnsafeBufferPointer<UInt8>, in range: ClosedRange<Int64> = Int64.min...Int64.max
    )
        -> Int64?
    {
        var i = 0
        var negative = false
        if t[0] == UInt8(ascii: "-") || t[0] == UInt8(ascii: "+") {
            negative = t[0] == UInt8(ascii: "-")
            i = 1
        }
        if t.count - i > 2, t[i] == UInt8(ascii: "0"), t[i + 1] | 0x20 == UInt8(ascii: "x"), !negative {
            return hexInteger(UnsafeBufferPointer(rebasing: t[(i + 2)...]), in: range)
        }
        guard i < t.count else { return nil }
        var value: Int64 = 0
        while i < t.count {
            let d = t[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulated negatively, so that Int64.min can be read.
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        return range.contains(value) ? value : nil
    }

    private static func hexInteger(_ t: UnsafeBufferPointer<UInt8>, in range: ClosedRange<Int64>) -> Int64? {
        guard t.count <= 16 else { return nil }
        var bits: UInt64 = 0
        for b in t {
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            bits = bits << 4 | UInt64(d)
        }
        switch range.upperBound {
        case 255: return bits <= 255 ? Int64(bits) : nil
        case Int64(Int16.max): return bits <= UInt16.max ? Int64(Int16(truncatingIfNeeded: bits)) : nil
        case Int64(Int32.max): return bits <= UInt32.max ? Int64(Int32(truncatingIfNeeded: bits)) : nil
        default: return Int64(bitPattern: bits)
        }
    }

    /// A floating-point number as `strtod` reads it (`NaN`, `+Inf`, `-Inf`, exponents); nil when
    /// any byte is left over.
    static func double(_ t: UnsafeBufferPointer<UInt8>) -> Double? {
        withTerminated(t) { p, end in
            var stop: UnsafeMutablePointer<CChar>? = nil
            let d = strtod(p, &stop)
            return stop == end ? d : nil
        }
    }

    /// A 32-bit floating-point number, rounded from the text once (not through a double).
    static func float(_ t: UnsafeBufferPointer<UInt8>) -> Float? {
        withTerminated(t) { p, end in
            var stop: UnsafeMutablePointer<CChar>? = nil
            let f = strtof(p, &stop)
            return stop == end ? f : nil
        }
    }

    /// Calls `body` with a NUL-terminated copy of `t` (on the stack for short text) and its end.
    private static func withTerminated<R>(
        _ t: UnsafeBufferPointer<UInt8>, _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>) -> R?
    ) -> R? {
        // An embedded NUL would end the text early: such a cell is not a number.
        guard !t.isEmpty, !t.contains(0) else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: t.count + 1) { buffer in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: t.baseAddress!, byteCount: t.count)
            base[t.count] = 0
            return body(base, base + t.count)
        }
    }
}
