import Tabular

/// Encodes one row in a VOTable binary layout, each cell big-endian; variable-length arrays and
/// strings carry a 4-byte element count first.
///
/// - BINARY2 begins the row with a NULL-flag bitmap (one bit per column, most significant bit
///   first). A NULL cell still occupies its bytes: zeros, NaN for floating point, `?` for
///   booleans, a zero count for variable-length values.
/// - BINARY has no flags: a NULL floating-point value is NaN, a NULL boolean `?`, a NULL string
///   or variable-length array empty, and a NULL integer the column's null value
///   (`nullInteger(for:)`), which the FIELD declares in `<VALUES null="…"/>`. A real value equal
///   to it reads back as NULL: the most negative value of the type is chosen as the least likely.
struct BinaryRowEncoder {
    enum Layout: Sendable { case binary, binary2 }

    private struct Column {
        var datatype: VODatatype
        var shape: ColumnShape
        /// What a NULL integer (or integer array element) is written as.
        var nullInteger: Int64
    }

    private let columns: [Column]
    private let flagBytes: Int
    /// The bytes of the row last encoded; reused from row to row.
    private(set) var rowBytes: [UInt8] = []

    init(fields: [FieldDescriptor], layout: Layout) {
        columns = fields.map {
            Column(
                datatype: $0.datatype, shape: ColumnShape(arraysize: $0.arraysize),
                nullInteger: layout == .binary ? Self.nullInteger(for: $0.datatype) ?? 0 : 0)
        }
        flagBytes = layout == .binary2 ? (fields.count + 7) / 8 : 0
        rowBytes.reserveCapacity(flagBytes + fields.count * 8)
    }

    /// The value that stands for NULL in an integer column of the BINARY layout: the most
    /// negative value of the type, 255 for `unsignedByte`; nil for the other datatypes.
    static func nullInteger(for datatype: VODatatype) -> Int64? {
        switch datatype {
        case .unsignedByte: 255
        case .short: Int64(Int16.min)
        case .int: Int64(Int32.min)
        case .long: Int64.min
        case .boolean, .char, .unicodeChar, .float, .double: nil
        }
    }

    mutating func encode(_ values: [Value], base: Int) {
        rowBytes.removeAll(keepingCapacity: true)
        rowBytes.append(contentsOf: repeatElement(0, count: flagBytes))
        for (c, column) in columns.enumerated() {
            let value = values[base + c]
            let isNull: Bool
            switch column.datatype {
            case .char, .unicodeChar: isNull = appendString(value, column)
            default:
                if column.shape == .scalar {
                    isNull = appendScalar(value, column)
                } else {
                    isNull = appendArray(value, column)
                }
            }
            if isNull && flagBytes > 0 { rowBytes[c >> 3] |= 0x80 >> UInt8(c & 7) }
        }
    }

    // Each append returns whether the cell is NULL.

    private mutating func appendScalar(_ value: Value, _ column: Column) -> Bool {
        let datatype = column.datatype
        switch datatype {
        case .boolean:
            let b = value.asBool
            rowBytes.append(b == nil ? UInt8(ascii: "?") : b! ? UInt8(ascii: "T") : UInt8(ascii: "F"))
            return b == nil
        case .unsignedByte, .short, .int, .long:
            let i = value.asInt64
            appendInteger(i ?? column.nullInteger, datatype)
            return i == nil
        case .float, .double:
            let d = value.asDouble
            appendFloating(d ?? .nan, datatype)
            return d == nil
        case .char, .unicodeChar:
            preconditionFailure("strings are encoded by appendString")
        }
    }

    private mutating func appendInteger(_ i: Int64, _ datatype: VODatatype) {
        switch datatype {
        case .unsignedByte: rowBytes.append(UInt8(truncatingIfNeeded: i))
        case .short: appendBigEndian(UInt16(truncatingIfNeeded: i))
        case .int: appendBigEndian(UInt32(truncatingIfNeeded: i))
        default: appendBigEndian(UInt64(bitPattern: i))
        }
    }

    private mutating func appendFloating(_ d: Double, _ datatype: VODatatype) {
        if datatype == .float {
            appendBigEndian(Float(d).bitPattern)
        } else {
            appendBigEndian(d.bitPattern)
        }
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
        var be = v.bigEndian
        withUnsafeBytes(of: &be) { rowBytes.append(contentsOf: $0) }
    }

    private mutating func appendCount(_ n: Int) { appendBigEndian(UInt32(truncatingIfNeeded: n)) }

    private mutating func appendArray(_ value: Value, _ column: Column) -> Bool {
        let elements = Self.elements(of: value)
        let count: Int
        switch column.shape {
        case .scalar: preconditionFailure("scalars are encoded by appendScalar")
        case .fixed(let n): count = n
        case .variable(let max):
            count = min(elements.count, max ?? Int.max)
            appendCount(count)
        }
        for k in 0..<count {
            let e: Double? = k < elements.count ? elements[k] : nil
            switch column.datatype {
            case .boolean:
                rowBytes.append(e == nil ? UInt8(ascii: "?") : e! != 0 ? UInt8(ascii: "T") : UInt8(ascii: "F"))
            case .float, .double: appendFloating(e ?? .nan, column.datatype)
            default:
                let i = e.flatMap { $0.isFinite ? Int64(exactly: $0.rounded()) : nil } ?? column.nullInteger
                appendInteger(i, column.datatype)
            }
        }
        return value.isNull
    }

    /// The elements of an array cell: whitespace- or comma-separated numbers in text, the bytes
    /// of a blob, or a single number.
    private static func elements(of value: Value) -> [Double] {
        switch value {
        case .null: return []
        case .integer(let i): return [Double(i)]
        case .real(let d): return [d]
        case .blob(let bytes): return bytes.map { Double($0) }
        case .text(let s):
            return s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\n" })
                .map { Double($0) ?? .nan }
        }
    }

    private mutating func appendString(_ value: Value, _ column: Column) -> Bool {
        let text: String
        switch value {
        case .null: text = ""
        case .text(let s): text = s
        case .integer(let i): text = String(i)
        case .real(let d): text = d.description
        case .blob(let bytes): text = String(decoding: bytes, as: UTF8.self)
        }
        if column.datatype == .unicodeChar {
            // UCS-2 (UTF-16) big-endian; the count is in 2-byte characters.
            let units = text.utf16
            switch column.shape {
            case .scalar, .fixed:
                let n = column.shape.fixedCount
                var written = 0
                for u in units.prefix(n) {
                    appendBigEndian(u)
                    written += 1
                }
                for _ in written..<n { appendBigEndian(UInt16(0)) }
            case .variable(let max):
                let n = min(units.count, max ?? Int.max)
                appendCount(n)
                for u in units.prefix(n) { appendBigEndian(u) }
            }
        } else {
            // VOTable 1.4 says ASCII; UTF-8 bytes are written as they are (VOTable 1.5 allows it).
            let bytes = text.utf8
            switch column.shape {
            case .scalar, .fixed:
                let n = column.shape.fixedCount
                let taken = min(n, bytes.count)
                rowBytes.append(contentsOf: bytes.prefix(taken))
                rowBytes.append(contentsOf: repeatElement(0, count: n - taken))
            case .variable(let max):
                let n = min(bytes.count, max ?? Int.max)
                appendCount(n)
                rowBytes.append(contentsOf: bytes.prefix(n))
            }
        }
        return value.isNull
    }
}

/// Base64 encoding of a byte stream arriving in pieces (rows), with line breaks every 76
/// characters. Up to two bytes are carried from one piece to the next.
struct Base64StreamEncoder {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private var carry: (UInt8, UInt8) = (0, 0)
    private var carryCount = 0
    private var lineLength = 0

    mutating func encode(_ input: [UInt8], into out: inout OutputBuffer) {
        var i = 0
        let n = input.count
        if carryCount == 1 {
            if n >= 2 {
                emit(carry.0, input[0], input[1], into: &out)
                i = 2
                carryCount = 0
            } else if n == 1 {
                carry.1 = input[0]
                carryCount = 2
                return
            }
        } else if carryCount == 2, n >= 1 {
            emit(carry.0, carry.1, input[0], into: &out)
            i = 1
            carryCount = 0
        }
        guard carryCount == 0 else { return }
        input.withUnsafeBufferPointer { p in
            while i + 3 <= n {
                emit(p[i], p[i + 1], p[i + 2], into: &out)
                i += 3
            }
        }
        if i < n {
            // i == n - 1 or n - 2, and there is no carry left here.
            carry.0 = input[i]
            carryCount = 1
            if i + 1 < n {
                carry.1 = input[i + 1]
                carryCount = 2
            }
        }
    }

    @inline(__always)
    private mutating func emit(_ a: UInt8, _ b: UInt8, _ c: UInt8, into out: inout OutputBuffer) {
        let t = Self.alphabet
        out.append(t[Int(a >> 2)])
        out.append(t[Int((a & 0x03) << 4 | b >> 4)])
        out.append(t[Int((b & 0x0F) << 2 | c >> 6)])
        out.append(t[Int(c & 0x3F)])
        lineLength += 4
        if lineLength >= 76 {
            out.append(UInt8(ascii: "\n"))
            lineLength = 0
        }
    }

    /// Writes the carried bytes with padding and ends the last line.
    mutating func finish(into out: inout OutputBuffer) {
        let t = Self.alphabet
        if carryCount == 1 {
            out.append(t[Int(carry.0 >> 2)])
            out.append(t[Int((carry.0 & 0x03) << 4)])
            out.append("==")
            lineLength += 4
        } else if carryCount == 2 {
            out.append(t[Int(carry.0 >> 2)])
            out.append(t[Int((carry.0 & 0x03) << 4 | carry.1 >> 4)])
            out.append(t[Int((carry.1 & 0x0F) << 2)])
            out.append("=")
            lineLength += 4
        }
        carryCount = 0
        if lineLength > 0 {
            out.append(UInt8(ascii: "\n"))
            lineLength = 0
        }
    }
}
