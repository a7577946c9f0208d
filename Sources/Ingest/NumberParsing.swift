#if canImport(Glibc)
import SQLiteKit
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fast number parsing from CSV field bytes.
enum NumberParsing {
    /// A decimal integer with optional sign; also `true`/`false` (any case, `t`/`f`) as 1/0,
    /// and a decimal number with only zeros after the point (`3.0`). nil when not an integer.
    @inline(__always)
    static func parseInt64(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = b.count
        while i < n && (b[i] == 32 || b[i] == 9) { i += 1 }
        var j = n
        while j > i && (b[j - 1] == 32 || b[j - 1] == 9) { j -= 1 }
        if i >= j { return nil }
        var neg = false
        if b[i] == 45 || b[i] == 43 {
            neg = b[i] == 45
            i += 1
            if i >= j { return nil }
        }
        let c0 = b[i] | 0x20
        if c0 == UInt8(ascii: "t") || c0 == UInt8(ascii: "f") {
            return parseBool(b, from: i, to: j).map { $0 ? 1 : 0 }
        }
        var v: UInt64 = 0
        var any = false
        while i < j {
            let d = b[i] &- 48
            if d > 9 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = s
            any = true
            i += 1
        }
        if i < j {
            // Allow `.000…` only.
            guard b[i] == 46 else { return nil }
            i += 1
            while i < j && b[i] == 48 { i += 1 }
            if i < j { return nil }
        }
        if !any { return nil }
        if neg {
            if v > UInt64(Int64.max) + 1 { return nil }
            return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
        }
        if v > UInt64(Int64.max) { return nil }
        return Int64(v)
    }

    private static func parseBool(_ b: UnsafeBufferPointer<UInt8>, from i: Int, to j: Int) -> Bool? {
        let len = j - i
        func matches(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == len else { return false }
            let w = word.utf8Start
            for k in 0..<len where (b[i + k] | 0x20) != w[k] { return false }
            return true
        }
        if len == 1 { return (b[i] | 0x20) == UInt8(ascii: "t") }
        if matches("true") { return true }
        if matches("false") { return false }
        return nil
    }

    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// A decimal floating-point number (`-12.5`, `1e-3`, `.5`, `NaN`, `inf`). Correctly rounded:
    /// the exact fast path (Clinger) when the digits fit in 2^53 and the power of ten is ≤ 22,
    /// otherwise strtod. nil when not a number. NaN is returned as `.nan`.
    @inline(__always)
    static func parseDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var n = b.count
        while i < n && (b[i] == 32 || b[i] == 9) { i += 1 }
        while n > i && (b[n - 1] == 32 || b[n - 1] == 9) { n -= 1 }
        if i >= n { return nil }
        let s0 = i
        var neg = false
        if b[i] == 45 || b[i] == 43 {
            neg = b[i] == 45
            i += 1
            if i >= n { return nil }
        }
        var mant: UInt64 = 0
        var digits = 0
        // Integer digits beyond the 19 kept scale the value up; kept fraction digits scale it down.
        let whole = accumulateDigits(b, &i, n, into: &mant, significant: &digits)
        var exp10 = whole.dropped
        var sawDigit = whole.kept + whole.dropped > 0
        if i < n && b[i] == 46 {
            i += 1
            let fraction = accumulateDigits(b, &i, n, into: &mant, significant: &digits)
            exp10 -= fraction.kept
            sawDigit = sawDigit || fraction.kept + fraction.dropped > 0
        }
        if !sawDigit { return special(b, from: s0, to: n) }
        if i < n && (b[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var eneg = false
            if i < n && (b[i] == 45 || b[i] == 43) {
                eneg = b[i] == 45
                i += 1
            }
            var e = 0
            var any = false
            while i < n {
                let d = b[i] &- 48
                if d > 9 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                any = true
                i += 1
            }
            if !any { return nil }
            exp10 += eneg ? -e : e
        }
        if i != n { return nil }
        if digits <= 15 || mant < (1 << 53) {
            if mant == 0 { return neg ? -0.0 : 0.0 }
            if exp10 >= -22 && exp10 <= 22 && mant < (1 << 53) {
                var v = Double(mant)
                if exp10 < 0 { v /= exactPowers[-exp10] } else { v *= exactPowers[exp10] }
                return neg ? -v : v
            }
        }
        return slow(b, from: s0, to: n)
    }

    /// Reads the decimal digits at `b[i..<n]` into `mant` while fewer than 19 significant ones
    /// (`significant`, leading zeros not counted) are in it; returns how many digits it took into
    /// `mant` and how many it passed over after that.
    @inline(__always)
    private static func accumulateDigits(
        _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int, into mant: inout UInt64, significant: inout Int
    ) -> (kept: Int, dropped: Int) {
        var kept = 0
        var dropped = 0
        while i < n {
            let d = b[i] &- 48
            if d > 9 { break }
            if significant < 19 {
                mant = mant &* 10 &+ UInt64(d)
                if mant != 0 { significant += 1 }
                kept += 1
            } else {
                dropped += 1
            }
            i += 1
        }
        return (kept, dropped)
    }

    /// The fast path of `parseInt64` inside a CSV line: at `p`, an optional sign and 1…18
    /// digits ending at `end` or a comma. Returns the value and the position after the digits, or
    /// nil when the field has any other form (then `parseInt64` on the whole field decides).
    @inline(__always)
    static func scanInt64(_ b: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> (value: Int64, next: Int)? {
        var i = p
        let (neg, v, digits) = scanSignedDigits(b, &i, end)
        guard digits > 0, digits <= 18, i == end || b[i] == 44 else { return nil }
        return (neg ? -Int64(v) : Int64(v), i)
    }

    /// The fast path of `parseDouble` inside a CSV line: at `p`, an optional sign, digits, and
    /// optionally a point and more digits (at least one digit in all, at most 19) ending at `end`
    /// or a comma, whose digits as an integer are below 2^53 with at most 22 after the point:
    /// then the integer divided by a power of ten is the correctly rounded value (both exact in a
    /// Double, one rounding) — the same result as `parseDouble`, which this skips. nil for any
    /// other form (exponents, long mantissas, words, blanks): then `parseDouble` decides.
    @inline(__always)
    static func scanDouble(_ b: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> (value: Double, next: Int)? {
        var i = p
        let whole = scanSignedDigits(b, &i, end)
        var mant = whole.magnitude
        var digits = whole.digits
        var fraction = 0
        if i < end && b[i] == 46 {
            i += 1
            fraction = scanDigits(b, &i, end, into: &mant)
            digits += fraction
        }
        guard digits > 0, digits <= 19, mant < (1 << 53), fraction <= 22, i == end || b[i] == 44 else { return nil }
        let v = fraction == 0 ? Double(mant) : Double(mant) / exactPowers[fraction]
        return (whole.negative ? -v : v, i)
    }

    /// Reads an optional sign and the decimal digits after it at `b[i..<end]` (see `scanDigits`).
    @inline(__always)
    private static func scanSignedDigits(
        _ b: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int
    ) -> (negative: Bool, magnitude: UInt64, digits: Int) {
        let negative = b[i] == 45
        if negative || b[i] == 43 { i += 1 }
        var magnitude: UInt64 = 0
        let digits = scanDigits(b, &i, end, into: &magnitude)
        return (negative, magnitude, digits)
    }

    /// Reads the decimal digits at `b[i..<end]` into `mant` (wrapping: the callers refuse more
    /// digits than fit); returns how many there were.
    @inline(__always)
    private static func scanDigits(_ b: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, into mant: inout UInt64) -> Int {
        let start = i
        while i < end {
            let d = b[i] &- 48
            if d > 9 { break }
            mant = mant &* 10 &+ UInt64(d)
            i += 1
        }
        return i - start
    }

    private static func special(_ b: UnsafeBufferPointer<UInt8>, from i: Int, to n: Int) -> Double? {
        var k = i
        var neg = false
        if b[k] == 45 || b[k] == 43 {
            neg = b[k] == 45
            k += 1
        }
        var word = ""
        while k < n {
            word.unicodeScalars.append(Unicode.Scalar(b[k] | 0x20))
            k += 1
        }
        switch word {
        case "nan": return .nan
        case "inf", "infinity": return neg ? -.infinity : .infinity
        default: return nil
        }
    }

    private static func slow(_ b: UnsafeBufferPointer<UInt8>, from i: Int, to n: Int) -> Double? {
        var tmp = [CChar](repeating: 0, count: n - i + 1)
        for k in i..<n { tmp[k - i] = CChar(bitPattern: b[k]) }
        return tmp.withUnsafeBufferPointer { p -> Double? in
            var endp: UnsafeMutablePointer<CChar>?
            let v = strtod(p.baseAddress!, &endp)
            guard let endp, endp - UnsafeMutablePointer(mutating: p.baseAddress!) == n - i else { return nil }
            return v
        }
    }
}
