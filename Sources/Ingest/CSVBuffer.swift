#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of CSV text under construction: numbers are formatted straight into the buffer,
/// without Foundation and without a String per value. A reference type owning raw memory
/// (no copy-on-write checks per byte); handed from a generator thread to the writer whole.
package final class CSVBuffer: @unchecked Sendable {
    package private(set) var base: UnsafeMutablePointer<UInt8>
    package private(set) var capacity: Int
    package private(set) var count = 0

    /// "00" … "99", for two digits per division.
    package let pairs: UnsafeMutablePointer<UInt8>

    package init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
        pairs = .allocate(capacity: 200)
        for i in 0..<100 {
            pairs[2 * i] = 48 + UInt8(i / 10)
            pairs[2 * i + 1] = 48 + UInt8(i % 10)
        }
    }

    deinit {
        base.deallocate()
        pairs.deallocate()
    }

    /// Writes the `n` decimal digits of `v` (zero-padded) ending just before `end`.
    @inline(__always) private func digits(_ v: UInt64, count n: Int, endingAt end: Int) {
        var x = v
        var i = end
        var left = n
        while left >= 2 {
            let r = Int(x % 100)
            x /= 100
            base[i - 1] = pairs[2 * r + 1]
            base[i - 2] = pairs[2 * r]
            i -= 2
            left -= 2
        }
        if left == 1 { base[i - 1] = 48 &+ UInt8(truncatingIfNeeded: x % 10) }
    }

    @inline(__always) private static func digitCount(_ v: UInt64) -> Int {
        var n = 1
        var t = v
        while t >= 100 {
            t /= 100
            n += 2
        }
        return t >= 10 ? n + 1 : n
    }

    @inline(__always) private static func pow10(_ d: Int) -> Double {
        switch d {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        default: 1e13
        }
    }

    package func removeAll() { count = 0 }

    @inlinable package func ensure(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    package func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    @inlinable package func byte(_ b: UInt8) {
        ensure(1)
        base[count] = b
        count += 1
    }

    @inlinable package func comma() { byte(UInt8(ascii: ",")) }
    @inlinable package func newline() { byte(UInt8(ascii: "\n")) }

    @inlinable package func append(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        ensure(n)
        (base + count).update(from: s.utf8Start, count: n)
        count += n
    }

    package func append(bytes other: [UInt8]) {
        ensure(other.count)
        other.withUnsafeBufferPointer { (base + count).update(from: $0.baseAddress!, count: $0.count) }
        count += other.count
    }

    /// Appends text, quoted per RFC 4180 when it holds a comma, quote or line break.
    package func appendText(_ s: String) {
        var needsQuote = false
        for b in s.utf8 where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 10 || b == 13 {
            needsQuote = true
            break
        }
        if !needsQuote {
            for b in s.utf8 { byte(b) }
            return
        }
        byte(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { byte(b) }
            byte(b)
        }
        byte(UInt8(ascii: "\""))
    }

    @inlinable package func appendBool(_ b: Bool) { byte(b ? 49 : 48) }

    @inlinable package func appendInt(_ v: Int64) {
        if v < 0 {
            byte(UInt8(ascii: "-"))
            appendUInt(UInt64(bitPattern: 0 &- v))
        } else {
            appendUInt(UInt64(v))
        }
    }

    @inlinable package func appendInt(_ v: Int) { appendInt(Int64(v)) }

    @inlinable package func appendUInt(_ v: UInt64) {
        if v < 10 {
            byte(48 &+ UInt8(truncatingIfNeeded: v))
            return
        }
        let n = Self.digitCount(v)
        ensure(n)
        digits(v, count: n, endingAt: count + n)
        count += n
    }

    /// Appends `v` rounded to `decimals` (≤ 13) places, trailing zeros dropped (`12.5`,
    /// `-0.003`, `7`). NaN and infinities append nothing (NULL).
    @inlinable package func appendFixed(_ v: Double, _ decimals: Int) {
        guard v.isFinite else { return }
        let p = Self.pow10(decimals)
        var a = v
        if a < 0 { a = -a }
        guard a < 9.0e18 / p else {
            for b in v.description.utf8 { byte(b) }
            return
        }
        // Integer and fraction parts without a 64-bit division: truncating conversions only.
        var intPart = Int64(a)
        var frac = Int64((a - Double(intPart)) * p + 0.5)
        let ip = Int64(p)
        if frac >= ip {
            intPart += 1
            frac -= ip
        }
        if v < 0 && (intPart != 0 || frac != 0) { byte(UInt8(ascii: "-")) }
        appendUInt(UInt64(intPart))
        if frac == 0 { return }
        var d = decimals
        while frac % 10 == 0 {
            frac /= 10
            d -= 1
        }
        // '.', then the fraction zero-padded to d digits.
        ensure(d + 1)
        base[count] = UInt8(ascii: ".")
        digits(UInt64(frac), count: d, endingAt: count + 1 + d)
        count += d + 1
    }

    /// Appends `v` with about `digits` significant digits (fixed notation).
    @inlinable package func appendSignificant(_ v: Double, _ digits: Int) {
        guard v.isFinite else { return }
        let a = abs(v)
        var mag = 0  // number of integer digits
        var t = 1.0
        while t <= a && mag < 15 {
            t *= 10
            mag += 1
        }
        let decimals = max(0, min(12, digits - mag))
        appendFixed(v, decimals)
    }

    @inlinable package func append(_ p: UnsafeRawPointer, count n: Int) {
        ensure(n)
        (UnsafeMutableRawPointer(base) + count).copyMemory(from: p, byteCount: n)
        count += n
    }

    @inlinable package func append(_ b: UnsafeBufferPointer<UInt8>) {
        guard let p = b.baseAddress else { return }
        append(UnsafeRawPointer(p), count: b.count)
    }

    @inlinable package func append(_ other: CSVBuffer) { append(UnsafeRawPointer(other.base), count: other.count) }

    /// Appends a little-endian fixed-width integer.
    @inlinable package func appendRaw<T: FixedWidthInteger>(_ v: T) {
        let n = MemoryLayout<T>.size
        ensure(n)
        UnsafeMutableRawPointer(base + count).storeBytes(of: v.littleEndian, as: T.self)
        count += n
    }

    /// Overwrites a little-endian fixed-width integer at `offset`.
    @inlinable package func store<T: FixedWidthInteger>(_ v: T, at offset: Int) {
        UnsafeMutableRawPointer(base + offset).storeBytes(of: v.littleEndian, as: T.self)
    }

    /// Keeps the first `n` bytes.
    package func truncate(to n: Int) { count = min(count, n) }

    /// Frees memory beyond `limit` bytes of capacity (after a large buffer was flushed).
    package func shrink(ifCapacityAbove limit: Int) {
        guard capacity > limit, count == 0 else { return }
        base.deallocate()
        capacity = 1 << 12
        base = .allocate(capacity: capacity)
    }

    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Writes the bytes to `fd` with write(2), again after an interruption; returns 0, or the
    /// errno of the write that failed.
    package func writeAll(to fd: Int32) -> Int32 {
        var off = 0
        while off < count {
            let n = write(fd, base + off, count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            off += n
        }
        return 0
    }

    package func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }
}
