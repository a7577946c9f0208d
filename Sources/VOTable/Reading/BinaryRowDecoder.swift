import Tabular

/// Decodes the rows of a BINARY or BINARY2 stream as its bytes arrive: the base64 text of the
/// STREAM element comes in pieces, its bytes collect in `pending`, and every complete row is
/// decoded at once. Only the bytes of the row not yet complete are kept, so memory stays at a
/// row plus a piece of text.
struct BinaryRowDecoder {
    enum Layout { case binary, binary2 }

    let columns: [ReadColumn]
    let layout: Layout
    private let flagBytes: Int
    /// The bytes of every row when all columns are of fixed size.
    private let fixedRowBytes: Int?
    private var base64 = Base64StreamDecoder()
    private var pending: [UInt8] = []
    /// Where the next row starts in `pending`.
    private var start = 0
    /// How many bytes from `start` the next row needs at least (known once a row was found
    /// incomplete), so that a long row is not measured again after every piece of text.
    private var needed = 0
    private var scratch = OutputBuffer(capacity: 256)

    init(columns: [ReadColumn], layout: Layout) {
        self.columns = columns
        self.layout = layout
        flagBytes = layout == .binary2 ? (columns.count + 7) / 8 : 0
        var total = flagBytes
        for c in columns {
            guard let n = c.fixedBytes else {
                fixedRowBytes = nil
                return
            }
            total += n
        }
        fixedRowBytes = total
    }

    /// Takes a piece of the STREAM's base64 text, and appends the rows it completes to `batch`.
    /// `rowCount` counts the rows of the table (for messages and the caller's limit).
    mutating func take(
        _ text: UnsafeBufferPointer<UInt8>, into batch: inout RowBatch, rowCount: inout Int, maxRows: Int
    ) throws(VOTableError) {
        if let bad = base64.decode(text, into: &pending) {
            throw VOTableError(.invalidDocument, "the STREAM holds \(Self.describe(bad)), which is not base64")
        }
        if pending.count - start >= needed { try decodeRows(into: &batch, rowCount: &rowCount, maxRows: maxRows) }
    }

    /// The end of the STREAM: decodes the last rows; a row cut short is an error.
    mutating func finish(into batch: inout RowBatch, rowCount: inout Int, maxRows: Int) throws(VOTableError) {
        guard base64.finish(into: &pending) else {
            throw VOTableError(.invalidDocument, "the STREAM's base64 text ends in the middle of a byte")
        }
        try decodeRows(into: &batch, rowCount: &rowCount, maxRows: maxRows)
        let left = pending.count - start
        if left > 0 {
            throw VOTableError(
                .invalidDocument,
                "the binary stream ends inside row \(rowCount + 1): \(left) bytes are not a whole row")
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F
            ? "'\(Character(Unicode.Scalar(byte)))'" : "the byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func decodeRows(
        into batch: inout RowBatch, rowCount: inout Int, maxRows: Int
    )
        throws(VOTableError)
    {
        let emptyIsNull = layout == .binary
        var failure: VOTableError? = nil
        pending.withUnsafeBytes { p in
            while true {
                let (end, need) = rowEnd(p)
                needed = need
                guard let end else { return }
                if rowCount >= maxRows {
                    failure = VOTableReader.rowLimitError(maxRows)
                    return
                }
                var pos = start + flagBytes
                for column in columns {
                    let flagged =
                        flagBytes > 0 && p[start + (column.index >> 3)] & (0x80 >> UInt8(column.index & 7)) != 0
                    guard let value = column.binaryValue(p, at: &pos, emptyIsNull: emptyIsNull, scratch: &scratch)
                    else {
                        failure = VOTableError(
                            .invalidValue,
                            "row \(rowCount + 1), column \(column.index + 1) '\(column.name)': the bytes are not a \(column.datatype.rawValue)"
                        )
                        return
                    }
                    batch.append(flagged ? .null : value)
                }
                assert(pos == end)
                start = end
                rowCount += 1
            }
        }
        if let failure { throw failure }
        // Drop the decoded bytes once they are a good part of the buffer.
        if start > 0 && (start == pending.count || start >= 1 << 16) {
            pending.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Where the row at `start` ends, nil unless all its bytes are there, and how many bytes from
    /// `start` it needs (at least, when a count is not there yet).
    private func rowEnd(_ p: UnsafeRawBufferPointer) -> (end: Int?, needed: Int) {
        let available = p.count - start
        if let fixedRowBytes {
            return (available >= fixedRowBytes ? start + fixedRowBytes : nil, fixedRowBytes)
        }
        var length = flagBytes
        for column in columns {
            if let n = column.fixedBytes {
                length += n
                continue
            }
            // A variable-length cell: its element count first, then the elements.
            guard available >= length + 4 else { return (nil, length + 4) }
            let count = Int(p.loadBigEndian(UInt32.self, at: start + length))
            length += 4 + column.bytes(for: count)
        }
        return (available >= length ? start + length : nil, length)
    }
}

/// Base64 decoding of text arriving in pieces; whitespace is skipped, `=` ends a group of four.
struct Base64StreamDecoder {
    /// The 6-bit value of each byte; 0xFE for whitespace, 0xFD for `=`, 0xFF for the others.
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        for c in [0x20, 0x09, 0x0A, 0x0D] { t[c] = 0xFE }
        t[Int(UInt8(ascii: "="))] = 0xFD
        return t
    }()

    private var bits: UInt32 = 0
    /// The 6-bit values in `bits` (0 to 3).
    private var count = 0

    /// Appends the bytes of `text` to `out`; returns the first byte that is not base64, if any.
    mutating func decode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> UInt8? {
        var bits = self.bits
        var count = self.count
        defer { (self.bits, self.count) = (bits, count) }
        return Self.table.withUnsafeBufferPointer { table -> UInt8? in
            for b in text {
                let v = table[Int(b)]
                if v < 64 {
                    bits = bits << 6 | UInt32(v)
                    count += 1
                    if count == 4 {
                        out.append(UInt8(truncatingIfNeeded: bits >> 16))
                        out.append(UInt8(truncatingIfNeeded: bits >> 8))
                        out.append(UInt8(truncatingIfNeeded: bits))
                        bits = 0
                        count = 0
                    }
                } else if v == 0xFD {
                    // Padding: the group's 2 or 3 values hold 1 or 2 bytes; a second `=` is nothing.
                    if count == 1 { return b }
                    Self.flush(bits, count, into: &out)
                    bits = 0
                    count = 0
                } else if v != 0xFE {
                    return b
                }
            }
            return nil
        }
    }

    /// Ends the text: a group left without padding still gives its bytes. False when a lone
    /// 6-bit value is left (not a whole byte).
    mutating func finish(into out: inout [UInt8]) -> Bool {
        defer { (bits, count) = (0, 0) }
        if count == 1 { return false }
        Self.flush(bits, count, into: &out)
        return true
    }

    private static func flush(_ bits: UInt32, _ count: Int, into out: inout [UInt8]) {
        if count == 2 {
            out.append(UInt8(truncatingIfNeeded: bits >> 4))
        } else if count == 3 {
            out.append(UInt8(truncatingIfNeeded: bits >> 10))
            out.append(UInt8(truncatingIfNeeded: bits >> 2))
        }
    }
}
