/// A growable byte buffer that the writers append to. The caller owns it, drains it when it is
/// larger than its flush threshold (`bytes`, then `removeAll()`), and reuses it: after the first
/// flushes no further allocation happens for the buffer itself.
///
/// Numbers are formatted without creating a `String`: integers by hand, floating-point values
/// through the standard library's shortest round-trip formatter, which writes ASCII straight into
/// the buffer via `TextOutputStream`.
public struct OutputBuffer: TextOutputStream, Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64 * 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    mutating func removeLast() { bytes.removeLast() }

    /// Empties the buffer, keeping its storage for reuse.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    // MARK: Raw appends

    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    public mutating func append(contentsOf other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends literal markup.
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of `text` unchanged.
    public mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    // MARK: TextOutputStream

    public mutating func write(_ string: String) { append(utf8: string) }

    /// The standard library's floating-point and integer formatters hand their ASCII digits here;
    /// implementing it keeps them from building a `String`.
    public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }

    // MARK: Numbers

    /// Appends the decimal digits of `value`.
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(bitPattern: 0 &- value))  // magnitude, correct for Int64.min too
        } else {
            appendDecimal(UInt64(value))
        }
    }

    public mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, 20 digits needed
        var n = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            var i = scratch.count
            while n > 0 {
                i -= 1
                scratch[i] = UInt8(ascii: "0") &+ UInt8(n % 10)
                n /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[i...]))
        }
    }

    /// Appends the shortest text that reads back as exactly `value`; NaN and the infinities in the
    /// VOTable spelling (`NaN`, `+Inf`, `-Inf`).
    public mutating func appendShortest(_ value: Double) { appendShortestFloatingPoint(value) }

    /// As `appendShortest(_: Double)`, shortest for single precision.
    public mutating func appendShortest(_ value: Float) { appendShortestFloatingPoint(value) }

    @inline(__always)
    private mutating func appendShortestFloatingPoint<F: BinaryFloatingPoint & TextOutputStreamable>(_ value: F) {
        if value.isFinite {
            value.write(to: &self)
        } else if value.isNaN {
            append("NaN")
        } else {
            append(value < 0 ? "-Inf" : "+Inf")
        }
    }

    // MARK: XML

    /// Appends `text` escaped for XML 1.0 character data or a double-quoted attribute value.
    ///
    /// `&`, `<`, `>` and `"` become entities; tab, line feed and carriage return are written as
    /// character references in attributes (where a parser would otherwise normalise them) and
    /// CR also in content. Characters that XML 1.0 does not allow at all (C0 controls other than
    /// tab/LF/CR, U+FFFE, U+FFFF) are replaced by U+FFFD, since no escape can carry them.
    public mutating func appendXMLEscaped(_ text: String, attribute: Bool = false) {
        var text = text
        text.withUTF8 { appendXMLEscaped(utf8: $0, attribute: attribute) }
    }

    public mutating func appendXMLEscaped(utf8 source: UnsafeBufferPointer<UInt8>, attribute: Bool) {
        var start = 0  // start of the pending run of bytes that need no escaping
        var i = 0
        let n = source.count
        while i < n {
            let b = source[i]
            if b >= 0x3F && b < 0xEF {  // fast path: most text; '?'…'~' and most multi-byte lead/continuation bytes
                i += 1
                continue
            }
            var replacement: StaticString? = nil
            var skip = 1
            switch b {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = attribute ? "&quot;" : nil
            case 0x09: replacement = attribute ? "&#9;" : nil
            case 0x0A: replacement = attribute ? "&#10;" : nil
            case 0x0D: replacement = "&#13;"
            case 0x00..<0x20: replacement = "\u{FFFD}"
            case 0xEF:
                // U+FFFE and U+FFFF are EF BF BE / EF BF BF.
                if i + 2 < n, source[i + 1] == 0xBF, source[i + 2] == 0xBE || source[i + 2] == 0xBF {
                    replacement = "\u{FFFD}"
                    skip = 3
                }
            default: break
            }
            if let replacement {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<i])) }
                append(replacement)
                i += skip
                start = i
            } else {
                i += skip
            }
        }
        if start < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<n])) }
    }
}
