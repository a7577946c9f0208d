#if canImport(Glibc)
import SQLiteKit
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite storage class a column's CSV text is converted to.
enum IngestColumnKind: Sendable {
    case integer, real, text, blob

    init(sqliteType: String) {
        switch sqliteType {
        case "INTEGER": self = .integer
        case "REAL": self = .real
        case "BLOB": self = .blob
        default: self = .text
        }
    }
}

/// Typed row values in a compact binary form, used for rows parked on their way to a chunk
/// file: per field a tag byte (0 NULL, 1 integer, 2 real, 3 text, 4 blob, 5 small integer)
/// then 8 bytes for integers and reals, 1 byte (signed) for small integers (−128…127), or a
/// UInt32 length and the bytes for text and blobs.
///
/// A real with an integer value is encoded as an integer: SQLite stores such a value of a REAL
/// column as an integer anyway (REAL affinity, `sqlite3VdbeIntegerAffinity`), so binding the
/// integer writes the same record bytes and spares SQLite the test; the spilled rows shrink.
struct RowEncoder {
    let bytes = CSVBuffer(capacity: 1 << 14)

    /// Starts a record: `parkedRecordHeader` bytes (length, tag, subChunkId, row sequence
    /// number) filled in by `setHeader`.
    @inline(__always) func beginRecord() {
        bytes.removeAll()
        bytes.appendRaw(UInt64(0))
        bytes.appendRaw(UInt64(0))
        bytes.byte(0)
    }

    @inline(__always) func setHeader(tag: UInt8, subChunkId: Int32, seq: UInt64) {
        Self.setHeader(UnsafeMutableRawPointer(bytes.base), count: bytes.count, tag: tag, subChunkId: subChunkId, seq: seq)
    }

    /// Sets the header of the encoded record of `count` bytes at `p`.
    @inline(__always) static func setHeader(_ p: UnsafeMutableRawPointer, count: Int, tag: UInt8, subChunkId: Int32, seq: UInt64)
    {
        p.storeBytes(of: UInt32(count - 4).littleEndian, as: UInt32.self)
        p.storeBytes(of: tag, toByteOffset: 4, as: UInt8.self)
        p.storeBytes(of: UInt32(bitPattern: subChunkId).littleEndian, toByteOffset: 5, as: UInt32.self)
        p.storeBytes(of: seq.littleEndian, toByteOffset: 9, as: UInt64.self)
    }

    @inline(__always) func appendNull() { bytes.byte(0) }

    @inline(__always) func appendInt(_ v: Int64) {
        if v >= -128 && v <= 127 {
            bytes.byte(5)
            bytes.byte(UInt8(bitPattern: Int8(truncatingIfNeeded: v)))
        } else {
            bytes.byte(1)
            bytes.appendRaw(UInt64(bitPattern: v))
        }
    }

    /// A value of a REAL column (not NaN).
    @inline(__always) func appendReal(_ v: Double) {
        if let i = realAsStoredInteger(v) {
            appendInt(i)
        } else {
            bytes.byte(2)
            bytes.appendRaw(v.bitPattern)
        }
    }

    @inline(__always) func appendText(_ b: UnsafeBufferPointer<UInt8>, blob: Bool = false) {
        bytes.byte(blob ? 4 : 3)
        bytes.appendRaw(UInt32(b.count))
        bytes.append(b)
    }
}

/// Bytes before a parked record's fields.
let parkedRecordHeader = 17

/// A row's source as one number: the index of its file in the table's list, and its line.
@inline(__always) func rowSequence(file: Int, line: Int) -> UInt64 { UInt64(file) << 40 | UInt64(line) }

/// The file index and line of a `rowSequence`.
@inline(__always) func rowSource(_ seq: UInt64) -> (file: Int, line: Int) { (Int(seq >> 40), Int(seq & (1 << 40 - 1))) }

/// The integer SQLite stores for `v` in a REAL column, if it stores an integer: when `v` is a
/// whole number strictly between −2^63 and 2^63 − 1 (the test of `sqlite3VdbeIntegerAffinity`;
/// −0.0 becomes 0 there too).
@inline(__always) func realAsStoredInteger(_ v: Double) -> Int64? {
    guard v > -9.223372036854775808e18 && v < 9.223372036854775808e18 else { return nil }
    let i = Int64(v)
    return Double(i) == v && i != Int64.max ? i : nil
}

/// One field of an encoded row (see `RowEncoder`); text and blob bytes point into the row.
enum EncodedField {
    case null
    case integer(Int64)
    case real(Double)
    case text(UnsafeBufferPointer<UInt8>)
    case blob(UnsafeBufferPointer<UInt8>)

    /// The field at byte `off` of an encoded row, and the offset of the next one.
    @inline(__always)
    static func decode(_ p: UnsafeRawPointer, at off: Int) -> (field: EncodedField, next: Int) {
        let tag = p.load(fromByteOffset: off, as: UInt8.self)
        let at = off + 1
        switch tag {
        case 0: return (.null, at)
        case 5: return (.integer(Int64(p.load(fromByteOffset: at, as: Int8.self))), at + 1)
        case 1: return (.integer(Int64(bitPattern: spillLoadU64(p + at))), at + 8)
        case 2: return (.real(Double(bitPattern: spillLoadU64(p + at))), at + 8)
        default:
            let n = Int(spillLoadU32(p + at))
            let bytes = UnsafeBufferPointer(start: (p + at + 4).assumingMemoryBound(to: UInt8.self), count: n)
            return (tag == 4 ? .blob(bytes) : .text(bytes), at + 4 + n)
        }
    }
}

/// Field `index` of encoded fields (nil past the last field).
func encodedField(_ p: UnsafeRawPointer, _ len: Int, field index: Int) -> EncodedField? {
    var off = 0
    var i = 0
    while off < len {
        let (field, next) = EncodedField.decode(p, at: off)
        if i == index { return field }
        off = next
        i += 1
    }
    return nil
}

/// The integer in field `index` of encoded fields (nil when it is NULL or not an integer).
func encodedInteger(_ p: UnsafeRawPointer, _ len: Int, field index: Int) -> Int64? {
    if case .integer(let v) = encodedField(p, len, field: index) { return v }
    return nil
}

/// The number in field `index` of encoded fields (nil when it is NULL or not a number).
func encodedDouble(_ p: UnsafeRawPointer, _ len: Int, field index: Int) -> Double? {
    switch encodedField(p, len, field: index) {
    case .real(let v): return v
    case .integer(let v): return Double(v)
    default: return nil
    }
}

@inline(__always) func spillLoadU64(_ p: UnsafeRawPointer) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
}

@inline(__always) func spillLoadU32(_ p: UnsafeRawPointer) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
}

@inline(__always) func spillLoadI32(_ p: UnsafeRawPointer) -> Int32 {
    Int32(littleEndian: p.loadUnaligned(as: Int32.self))
}

/// Parked rows by chunk: in memory up to a byte budget, the excess appended to one spill file
/// per chunk. A parked record is `[UInt32 length][UInt8 table tag][Int32 subChunkId][UInt64 seq]
/// [fields]` where the length counts the bytes after itself and `seq` is the row's source
/// (`rowSequence(file:line:)`), by which duplicate director rows are dropped and bad child rows
/// reported.
final class ChunkSpill {
    let directory: String
    let budget: Int
    private var buffers: [Int: CSVBuffer] = [:]
    private var inMemory = 0
    private(set) var spilledChunks = Set<Int>()

    init(directory: String, budget: Int) {
        self.directory = directory
        self.budget = budget
    }

    func spillPath(_ chunkId: Int) -> String { "\(directory)/chunk_\(chunkId).rows" }

    /// The buffer of a chunk, to append complete records to with `append(record:to:)`.
    @inline(__always)
    func buffer(_ chunkId: Int) -> CSVBuffer {
        if let b = buffers[chunkId] { return b }
        // Small to start: a full-sky catalog has thousands of chunks, and their empty buffers
        // alone must not exceed the budget (64 KiB each would be 576 MiB for 9,000 chunks).
        let b = CSVBuffer(capacity: 1 << 12)
        inMemory += b.capacity
        buffers[chunkId] = b
        return b
    }

    /// Appends a complete record (see `RowEncoder.setHeader`) to a chunk's buffer. Memory is
    /// counted as allocated buffer capacity, so the budget bounds what the process holds.
    @inline(__always)
    func append(record: CSVBuffer, to buffer: CSVBuffer) throws {
        try append(UnsafeRawPointer(record.base), count: record.count, to: buffer)
    }

    @inline(__always)
    func append(_ record: UnsafeRawPointer, count: Int, to buffer: CSVBuffer) throws {
        let before = buffer.capacity
        buffer.append(record, count: count)
        if buffer.capacity != before {
            inMemory += buffer.capacity - before
            if inMemory > budget { try flushLargest() }
        }
    }

    /// Writes the largest in-memory buffers to their spill files until half the budget is free.
    private func flushLargest() throws {
        let sorted = buffers.map { ($0.key, $0.value.count) }.sorted { $0.1 > $1.1 }
        for (chunkId, _) in sorted {
            if inMemory <= budget / 2 { break }
            try flush(chunkId)
        }
    }

    func flush(_ chunkId: Int) throws {
        guard let buf = buffers[chunkId], buf.count > 0 else { return }
        let path = spillPath(chunkId)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if fd < 0 { throw IngestError.system("write", path, errno) }
        defer { close(fd) }
        let failure = buf.writeAll(to: fd)
        if failure != 0 { throw IngestError.system("write", path, failure) }
        let before = buf.capacity
        buf.removeAll()
        buf.shrink(ifCapacityAbove: 1 << 12)
        inMemory -= before - buf.capacity
        spilledChunks.insert(chunkId)
    }

    /// Takes the in-memory rows of a chunk (they follow its spill file, in order).
    func takeMemory(_ chunkId: Int) -> CSVBuffer? {
        guard let b = buffers.removeValue(forKey: chunkId) else { return nil }
        inMemory -= b.capacity
        return b
    }
}

/// Reads the records of a chunk: its spill file (if any) in pieces, then its in-memory bytes.
struct ChunkRecordReader: @unchecked Sendable {
    let spillPath: String?
    var memory: CSVBuffer?

    /// Calls `body(tag, subChunkId, seq, fieldsPointer, fieldsLength)` for every record, in order.
    func forEach(_ body: (UInt8, Int32, UInt64, UnsafeRawPointer, Int) throws -> Void) throws {
        if let spillPath {
            let fd = open(spillPath, O_RDONLY)
            if fd < 0 { throw IngestError.system("read", spillPath, errno) }
            defer { close(fd) }
            // Not zero-filled: every chunk build reads through a fresh buffer, and clearing
            // megabytes per chunk would be work for nothing (only bytes that read(2) has filled
            // are ever looked at).
            var capacity = 1 << 23
            var buf = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            defer { buf.deallocate() }
            var have = 0
            while true {
                if have == capacity {  // a record longer than the buffer
                    let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                    bigger.copyMemory(from: buf, byteCount: have)
                    buf.deallocate()
                    buf = bigger
                    capacity *= 2
                }
                let n = read(fd, buf + have, capacity - have)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IngestError.system("read", spillPath, errno)
                }
                if n == 0 { break }
                have += n
                let used = try Self.walk(buf, have, body)
                if used > 0 {
                    if have > used { memmove(buf, buf + used, have - used) }
                    have -= used
                }
            }
            if have != 0 { throw IngestError(.io, "truncated spill file \(spillPath)", file: spillPath) }
        }
        if let memory, memory.count > 0 {
            let used = try memory.withBytes { raw in try Self.walk(raw.baseAddress!, raw.count, body) }
            if used != memory.count { throw IngestError(.internal, "corrupt in-memory chunk rows") }
        }
    }

    /// Walks the complete records in `p[0..<count]`; returns the bytes consumed.
    private static func walk(
        _ p: UnsafeRawPointer, _ count: Int, _ body: (UInt8, Int32, UInt64, UnsafeRawPointer, Int) throws -> Void
    ) throws -> Int {
        var off = 0
        while off + 4 <= count {
            let len = Int(spillLoadU32(p + off))
            if off + 4 + len > count { break }
            let tag = p.load(fromByteOffset: off + 4, as: UInt8.self)
            let sub = spillLoadI32(p + off + 5)
            let seq = spillLoadU64(p + off + 9)
            try body(tag, sub, seq, p + off + parkedRecordHeader, len + 4 - parkedRecordHeader)
            off += 4 + len
        }
        return off
    }
}
