#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One column of a mapped column file: pointers into the mapping, valid while the file lives.
public struct MappedColumn: @unchecked Sendable {
    public let name: String
    public let kind: ColumnKind
    /// The data section: `rowCount` Int64, Double, UInt8 (bool) or UInt32 (dictionary code).
    let data: UnsafeRawPointer
    /// The null bitmap (bit set = NULL), or nil when the column has no NULL.
    let nulls: UnsafePointer<UInt8>?
    /// A dictionary-coded column's strings, by code (sorted by bytes).
    public let dictionary: [String]

    @inline(__always) func isNull(_ row: Int) -> Bool {
        guard let nulls else { return false }
        return nulls[row >> 3] & (1 << UInt8(row & 7)) != 0
    }
}

/// A column file mapped read-only (`mmap`), its header and directory checked against the
/// chunk it must belong to and against its own size, so that no offset read from the file can
/// reach outside the mapping.
///
/// Immutable after `init`; unmapped when the last reference goes (the executor holds one while
/// it reads), hence `@unchecked Sendable`.
public final class MappedColumnFile: @unchecked Sendable {
    public let path: String
    public let rowCount: Int
    public let identity: ColumnFileIdentity
    public let columns: [String: MappedColumn]
    private let base: UnsafeMutableRawPointer
    private let size: Int
    /// The dictionary-coded columns whose codes `checkCodes` found in range.
    private let checkedColumns = Mutex<Set<String>>([])

    /// Maps the file at `path`; throws when it is missing, damaged, of another format version,
    /// or not the column file of `expected` (a stale file beside a newer chunk file).
    public init(path: String, expected: ColumnFileIdentity) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ColumnFileError(path: path, "cannot open (errno \(errno))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 48 else { throw ColumnFileError(path: path, "too short") }
        let fileSize = Int(st.st_size)
        guard let mapped = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd, 0),
            mapped != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            throw ColumnFileError(path: path, "cannot map (errno \(errno))")
        }
        size = fileSize
        base = mapped
        do {
            var r = ByteReader(base: UnsafeRawPointer(mapped), size: fileSize, path: path)
            guard try r.bytes(8) == ColumnFileFormat.magic else { throw r.error("not a column file") }
            guard try r.u32() == ColumnFileFormat.version else { throw r.error("another format version") }
            let columnCount = Int(try r.u32())
            let rows = try r.u64()
            let chunkId = Int64(bitPattern: try r.u64())
            let chunkFileSize = try r.u64()
            let catalogVersion = try r.string()
            guard rows <= UInt64(Int32.max) else { throw r.error("row count out of range") }
            rowCount = Int(rows)
            identity = ColumnFileIdentity(
                chunkId: Int(truncatingIfNeeded: chunkId), chunkFileSize: chunkFileSize, catalogVersion: catalogVersion)
            guard identity == expected else {
                throw r.error("stale: written for chunk \(chunkId) of version \(catalogVersion) (\(chunkFileSize) bytes)")
            }
            var columns: [String: MappedColumn] = [:]
            for _ in 0..<columnCount {
                let name = try r.string()
                guard let kind = ColumnKind(rawValue: try r.u32()) else { throw r.error("unknown column kind") }
                _ = try r.u32()
                let dataOffset = try r.u64(), dataLength = try r.u64(), nullOffset = try r.u64()
                let dictionaryOffset = try r.u64(), dictionaryCount = try r.u64()
                let width: UInt64 = kind == .bool ? 1 : (kind == .dictionaryText ? 4 : 8)
                guard dataOffset % 8 == 0, dataLength == rows * width, try r.fits(dataOffset, dataLength) else {
                    throw r.error("column \(name): data out of bounds")
                }
                var nulls: UnsafePointer<UInt8>?
                if nullOffset != 0 {
                    guard try r.fits(nullOffset, (rows + 7) / 8) else { throw r.error("column \(name): nulls out of bounds") }
                    nulls = UnsafePointer(r.base.advanced(by: Int(nullOffset)).assumingMemoryBound(to: UInt8.self))
                }
                var dictionary: [String] = []
                if kind == .dictionaryText {
                    guard dictionaryCount <= rows + 1, try r.fits(dictionaryOffset, 0) else {
                        throw r.error("column \(name): dictionary out of bounds")
                    }
                    var d = r
                    d.offset = Int(dictionaryOffset)
                    dictionary.reserveCapacity(Int(dictionaryCount))
                    for _ in 0..<dictionaryCount { dictionary.append(try d.string()) }
                    // Every code must name an entry: checked when the column is first read
                    // (`checkCodes`), so that opening a file reads only its header, directory and
                    // dictionaries.
                }
                columns[name] = MappedColumn(
                    name: name, kind: kind, data: UnsafeRawPointer(r.base.advanced(by: Int(dataOffset))), nulls: nulls,
                    dictionary: dictionary)
            }
            self.columns = columns
        } catch {
            munmap(mapped, fileSize)
            throw error
        }
    }

    deinit { munmap(base, size) }

    /// Throws unless every non-NULL code of the dictionary-coded `column` names an entry of
    /// its dictionary; each column's codes are read once, when a query first uses it.
    public func checkCodes(of column: MappedColumn) throws {
        guard column.kind == .dictionaryText, !checkedColumns.withLock({ $0.contains(column.name) }) else { return }
        let codes = column.data.assumingMemoryBound(to: UInt32.self)
        let entries = UInt32(truncatingIfNeeded: column.dictionary.count)
        var outOfRange = false
        for row in 0..<rowCount where codes[row] >= entries && !column.isNull(row) { outOfRange = true }
        if outOfRange { throw ColumnFileError(path: path, "column \(column.name): code out of range") }
        checkedColumns.withLock { _ = $0.insert(column.name) }
    }
}

/// Bounds-checked little-endian reading of a mapped file.
struct ByteReader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var offset = 0

    init(base: UnsafeRawPointer, size: Int, path: String) {
        self.base = base
        self.size = size
        self.path = path
    }

    func error(_ message: String) -> ColumnFileError { ColumnFileError(path: path, message) }

    func fits(_ offset: UInt64, _ length: UInt64) throws -> Bool {
        let (end, overflow) = offset.addingReportingOverflow(length)
        return !overflow && end <= UInt64(size)
    }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= size - offset else { throw error("truncated") }
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(start: base + offset, count: n))
    }

    mutating func u32() throws -> UInt32 {
        guard 4 <= size - offset else { throw error("truncated") }
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws -> UInt64 {
        guard 8 <= size - offset else { throw error("truncated") }
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func string() throws -> String {
        let n = Int(try u32())
        let s = String(decoding: try bytes(n), as: UTF8.self)
        offset = (offset + 7) & ~7
        guard offset <= size else { throw error("truncated") }
        return s
    }
}
