#if canImport(Glibc)
import SQLiteKit
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming, byte-level RFC 4180 CSV reader: fields separated by `,`, records by LF or CRLF,
/// fields optionally in double quotes (a quote inside written as `""`; quoted fields may hold
/// commas and line breaks). Memory: one read buffer (grown only for a record longer than it).
///
/// After `next()` returns true, `fieldCount` fields of the current record are available through
/// `withField(_:_:)`; they stay valid until the next call to `next()`. `line` is the 1-based
/// physical line where the current record starts.
final class CSVReader {
    let path: String
    private var fd: Int32
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0  // first unconsumed byte
    private var end = 0  // one past the last valid byte
    private var eof = false
    /// Unescaped bytes of quoted fields that held `""`.
    private var scratch: [UInt8] = []
    /// Per field: offset and length; offset < 0 means scratch offset (−offset − 1). Raw
    /// pointers rather than arrays: no uniqueness or exclusivity checks in the inner loop.
    private var fieldOffsets: UnsafeMutablePointer<Int>
    private var fieldLengths: UnsafeMutablePointer<Int>
    /// Whether each field was quoted (a quoted empty field is an empty string, not NULL).
    private var fieldQuoted: UnsafeMutablePointer<Bool>
    private var fieldCapacity = 256
    private(set) var fieldCount = 0
    private(set) var line = 0
    private var nextLine = 1
    private(set) var bytesRead: Int64 = 0

    /// Bytes left to read when the reader covers a byte range of the file.
    private var remaining: Int64 = .max

    /// Reads `path`, or only the bytes in `range` (which must start at a record), numbering
    /// lines from `firstLine`.
    init(path: String, bufferSize: Int = 1 << 22, range: Range<Int64>? = nil, firstLine: Int = 1) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        if fd < 0 { throw IngestError.system("open", path, errno) }
        nextLine = firstLine
        if let range {
            remaining = range.upperBound - range.lowerBound
            if lseek(fd, off_t(range.lowerBound), SEEK_SET) < 0 {
                let code = errno
                close(fd)
                throw IngestError.system("seek in", path, code)
            }
        }
        capacity = bufferSize
        buffer = .allocate(capacity: capacity)
        fieldOffsets = .allocate(capacity: fieldCapacity)
        fieldLengths = .allocate(capacity: fieldCapacity)
        fieldQuoted = .allocate(capacity: fieldCapacity)
    }

    deinit {
        buffer.deallocate()
        fieldOffsets.deallocate()
        fieldLengths.deallocate()
        fieldQuoted.deallocate()
        if fd >= 0 { close(fd) }
    }

    func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Reads more bytes; false at end of file. Keeps bytes from `start` on, moving them to the
    /// front of the buffer (growing it when the unconsumed part fills it).
    private func refill() throws -> Bool {
        if eof { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { memmove(buffer, buffer + start, remaining) }
            end = remaining
            // Field offsets of a record in progress are re-derived by re-parsing, so no fix-up.
            start = 0
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while true {
            let n = remaining <= 0 ? 0 : read(fd, buffer + end, Int(min(Int64(capacity - end), remaining)))
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError.system("read", path, errno)
            }
            if n == 0 {
                eof = true
                return false
            }
            end += n
            remaining -= Int64(n)
            bytesRead += Int64(n)
            return true
        }
    }

    /// Advances to the next record; false at the end of the file. Blank lines are skipped.
    func next() throws -> Bool {
        while true {
            let outcome = parseRecord()
            switch outcome {
            case .record:
                return true
            case .blank:
                continue
            case .needMore:
                if try !refill() {
                    // End of file: whatever is left is the last record (no final newline).
                    if start >= end { return false }
                    switch parseRecord(atEOF: true) {
                    case .record: return true
                    case .blank: return false
                    case .needMore: return false
                    case .badQuote(let l): throw IngestError.unterminatedQuote(path, line: l)
                    }
                }
            case .badQuote(let l):
                throw IngestError.unterminatedQuote(path, line: l)
            }
        }
    }

    private enum Outcome { case record, blank, needMore, badQuote(Int) }

    private func parseRecord(atEOF: Bool = false) -> Outcome {
        fieldCount = 0
        scratch.removeAll(keepingCapacity: true)
        var p = start
        var lines = 0
        let buf = buffer
        let limit = end
        if p >= limit { return atEOF ? .blank : .needMore }
        // A blank line?
        if buf[p] == 10 || (buf[p] == 13 && p + 1 < limit && buf[p + 1] == 10) {
            start = p + (buf[p] == 10 ? 1 : 2)
            nextLine += 1
            return .blank
        }
        if buf[p] == 13 && p + 1 >= limit && !atEOF { return .needMore }
        while true {
            // One field starting at p.
            if p < limit && buf[p] == 34 {  // quoted
                p += 1
                let fieldStart = p
                var hasEscapes = false
                var closed = false
                while p < limit {
                    let c = buf[p]
                    if c == 34 {
                        if p + 1 < limit && buf[p + 1] == 34 {
                            hasEscapes = true
                            p += 2
                            continue
                        }
                        if p + 1 >= limit && !atEOF { return .needMore }
                        closed = true
                        break
                    }
                    if c == 10 { lines += 1 }
                    p += 1
                }
                if !closed { return atEOF ? .badQuote(nextLine) : .needMore }
                let fieldEnd = p
                p += 1  // past the closing quote
                if hasEscapes {
                    let off = scratch.count
                    var q = fieldStart
                    while q < fieldEnd {
                        scratch.append(buf[q])
                        q += buf[q] == 34 ? 2 : 1
                    }
                    appendField(offset: -off - 1, length: scratch.count - off, quoted: true)
                } else {
                    appendField(offset: fieldStart, length: fieldEnd - fieldStart, quoted: true)
                }
                // Tolerate stray bytes up to the separator (non-RFC but common): skip them.
                while p < limit && buf[p] != 44 && buf[p] != 10 && buf[p] != 13 { p += 1 }
            } else {
                let fieldStart = p
                while p < limit {
                    let c = buf[p]
                    if c == 44 || c == 10 || c == 13 { break }
                    p += 1
                }
                appendField(offset: fieldStart, length: p - fieldStart, quoted: false)
            }
            if p >= limit {
                if !atEOF { return .needMore }
                start = p
                line = nextLine
                nextLine += lines + 1
                return .record
            }
            let c = buf[p]
            if c == 44 {
                p += 1
                if p >= limit && !atEOF { return .needMore }
                if p >= limit {  // trailing comma at EOF: one more empty field
                    appendField(offset: p, length: 0, quoted: false)
                    start = p
                    line = nextLine
                    nextLine += lines + 1
                    return .record
                }
                continue
            }
            // End of record: LF or CRLF (a lone CR is taken as a line end too).
            if c == 13 {
                if p + 1 >= limit && !atEOF { return .needMore }
                p += (p + 1 < limit && buf[p + 1] == 10) ? 2 : 1
            } else {
                p += 1
            }
            start = p
            line = nextLine
            nextLine += lines + 1
            return .record
        }
    }

    @inline(__always)
    private func appendField(offset: Int, length: Int, quoted: Bool) {
        if fieldCount == fieldCapacity { growFields() }
        fieldOffsets[fieldCount] = offset
        fieldLengths[fieldCount] = length
        fieldQuoted[fieldCount] = quoted
        fieldCount += 1
    }

    private func growFields() {
        let c = fieldCapacity * 2
        let o = UnsafeMutablePointer<Int>.allocate(capacity: c), l = UnsafeMutablePointer<Int>.allocate(capacity: c)
        let q = UnsafeMutablePointer<Bool>.allocate(capacity: c)
        o.update(from: fieldOffsets, count: fieldCount)
        l.update(from: fieldLengths, count: fieldCount)
        q.update(from: fieldQuoted, count: fieldCount)
        fieldOffsets.deallocate()
        fieldLengths.deallocate()
        fieldQuoted.deallocate()
        fieldOffsets = o
        fieldLengths = l
        fieldQuoted = q
        fieldCapacity = c
    }

    /// What `convertLine` did.
    enum LineConversion { case converted, other }

    /// Converts the next record straight from the read buffer, in one pass over its bytes, when
    /// it is a plain line: complete in the buffer, ending in LF or CRLF, no double quote and no
    /// other CR in it, exactly `kinds.count` fields, each number taken by `NumberParsing` (fast
    /// path, or the general parser on that field). Field `c` goes to `sink` as column `c`.
    /// Otherwise (and at the end of the input) returns `.other` and consumes nothing: `next()`
    /// then reads the record the general way, with the same values or the same error, so this is
    /// only a shortcut. After `.converted`, `line` is the record's line; `fieldCount` and
    /// `withField` do not describe it.
    @inline(__always)
    func convertLine<S: IngestFieldSink>(
        kinds: UnsafeBufferPointer<IngestColumnKind>, into sink: inout S
    ) throws -> LineConversion {
        var feed = start < end ? memchr(buffer + start, 10, end - start) : nil
        if feed == nil {
            if try !refill() { return .other }
            feed = memchr(buffer + start, 10, end - start)
        }
        guard let feed else { return .other }
        let buf = UnsafePointer(buffer)
        let lineEnd = UnsafeRawPointer(buf).distance(to: UnsafeRawPointer(feed))
        var e = lineEnd
        if e > start && buf[e - 1] == 13 { e -= 1 }
        if e == start { return .other }  // blank line
        var p = start
        for c in 0..<kinds.count {
            if c > 0 {
                guard p < e && buf[p] == 44 else { return .other }
                p += 1
            }
            if p == e || buf[p] == 44 {
                sink.null(c)
                continue
            }
            switch kinds[c] {
            case .integer:
                if let (v, q) = NumberParsing.scanInt64(buf, p, e) {
                    sink.integer(c, v)
                    p = q
                } else {
                    let q = Self.fieldEnd(buf, p, e)
                    guard q >= 0, let v = NumberParsing.parseInt64(UnsafeBufferPointer(start: buf + p, count: q - p)) else {
                        return .other
                    }
                    sink.integer(c, v)
                    p = q
                }
            case .real:
                var v: Double
                if let (x, q) = NumberParsing.scanDouble(buf, p, e) {
                    v = x
                    p = q
                } else {
                    let q = Self.fieldEnd(buf, p, e)
                    guard q >= 0, let x = NumberParsing.parseDouble(UnsafeBufferPointer(start: buf + p, count: q - p)) else {
                        return .other
                    }
                    v = x
                    p = q
                }
                if v.isNaN { sink.null(c) } else { sink.real(c, v) }
            case .text, .blob:
                let q = Self.fieldEnd(buf, p, e)
                guard q >= 0 else { return .other }
                let bytes = UnsafeBufferPointer(start: buf + p, count: q - p)
                if kinds[c] == .text { sink.text(c, bytes) } else { sink.blob(c, bytes) }
                p = q
            }
        }
        guard p == e else { return .other }
        start = lineEnd + 1
        line = nextLine
        nextLine += 1
        return .converted
    }

    /// The end of the unquoted field at `p` (a comma or `e`); −1 when a double quote or a CR
    /// comes first (the general parser must read that record).
    @inline(__always)
    private static func fieldEnd(_ buf: UnsafePointer<UInt8>, _ p: Int, _ e: Int) -> Int {
        var q = p
        while q < e {
            let ch = buf[q]
            if ch == 44 { return q }
            if ch == 34 || ch == 13 { return -1 }
            q += 1
        }
        return q
    }

    /// Calls `body` with the bytes of field `i` of the current record.
    @inline(__always)
    func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let off = fieldOffsets[i], len = fieldLengths[i]
        if off >= 0 {
            return try body(UnsafeBufferPointer(start: buffer + off, count: len))
        }
        return try scratch.withUnsafeBufferPointer { s in
            try body(UnsafeBufferPointer(rebasing: s[(-off - 1)..<(-off - 1 + len)]))
        }
    }

    /// The field as a String (headers, messages).
    func fieldString(_ i: Int) -> String {
        withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    func isEmpty(_ i: Int) -> Bool { fieldLengths[i] == 0 && !fieldQuoted[i] }
}
