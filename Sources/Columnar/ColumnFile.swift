#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The typed column files of one table in one chunk: `chunks/chunk_<id>.<table>.columns` next to
/// the chunk's SQLite file, which stays the source of truth. One file holds every exported
/// column of the table, each as a contiguous array that the reader maps into memory read-only.
///
/// Layout (little-endian, every section aligned to 8 bytes):
///
///     header    magic "SKYCOLS\0", format version (u32), column count (u32), row count (u64),
///               chunk id (i64), the chunk file's size (u64), the catalog version's name
///               (u32 length + UTF-8, padded)
///     directory per column: name (u32 length + UTF-8, padded), kind (u32), null flag (u32),
///               data offset, data length, null-bitmap offset, dictionary offset,
///               dictionary count (u64 each)
///     sections  the arrays: Int64 or Double per row, one byte per Bool, a UInt32 code per row
///               of a dictionary-coded string (its dictionary: per entry u32 length + UTF-8,
///               sorted by bytes so that codes order as the strings do), and a null bitmap
///               (bit set = NULL) for a column that has NULLs
///
/// The chunk id, the chunk file's size and the catalog version name are checked when the file
/// is opened: a column file that does not belong to the chunk file beside it is never read.
public enum ColumnFileFormat {
    public static let magic: [UInt8] = Array("SKYCOLS".utf8) + [0]
    public static let version: UInt32 = 1

    /// The column file of `table` in chunk `chunkId`, in the chunks directory `directory`.
    public static func path(chunksDirectory directory: String, chunkId: Int, table: String) -> String {
        directory + "/chunk_\(chunkId).\(table).columns"
    }
}

/// How a column is stored.
public enum ColumnKind: UInt32, Sendable, Hashable {
    case int64 = 1
    case double = 2
    case bool = 3
    /// UInt32 codes into a dictionary of short strings.
    case dictionaryText = 4
}

/// What a column file is checked against when it is opened.
public struct ColumnFileIdentity: Sendable, Hashable {
    public var chunkId: Int
    /// The size of the chunk's SQLite file in bytes.
    public var chunkFileSize: UInt64
    /// The catalog version's name (its directory).
    public var catalogVersion: String

    public init(chunkId: Int, chunkFileSize: UInt64, catalogVersion: String) {
        self.chunkId = chunkId
        self.chunkFileSize = chunkFileSize
        self.catalogVersion = catalogVersion
    }
}

/// Why a column file could not be written or read.
public struct ColumnFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "column file \(path): \(message)" }
}

/// One column's values, as the writer receives them.
public enum ColumnValues: Sendable {
    case int64([Int64], nulls: [Bool]?)
    case double([Double], nulls: [Bool]?)
    case bool([Bool], nulls: [Bool]?)
    /// Strings; nil is NULL.
    case text([String?])
}

/// Writes the column file of one table of one chunk (at ingest, `Ingest.ColumnFileExport`).
public struct ColumnFileWriter {
    public var identity: ColumnFileIdentity
    public var rowCount: Int
    private var columns: [(name: String, values: ColumnValues)] = []

    public init(identity: ColumnFileIdentity, rowCount: Int) {
        self.identity = identity
        self.rowCount = rowCount
    }

    /// Adds a column; its value count must be the row count.
    public mutating func add(_ name: String, _ values: ColumnValues) {
        columns.append((name, values))
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.bytes += ColumnFileFormat.magic
        out.u32(ColumnFileFormat.version)
        out.u32(UInt32(columns.count))
        out.u64(UInt64(rowCount))
        out.u64(UInt64(bitPattern: Int64(identity.chunkId)))
        out.u64(identity.chunkFileSize)
        out.string(identity.catalogVersion)
        // The directory's size is known before the sections' offsets: write it with zero
        // offsets, then patch them.
        var entryOffsets: [Int] = []
        for (name, values) in columns {
            out.string(name)
            entryOffsets.append(out.bytes.count)
            out.u32(values.kind.rawValue)
            out.u32(values.hasNulls ? 1 : 0)
            for _ in 0..<5 { out.u64(0) }
        }
        for (i, (_, values)) in columns.enumerated() {
            let entry = entryOffsets[i]
            out.align()
            let dataOffset = out.bytes.count
            var nulls: [Bool]?
            var dataLength = 0
            var dictionaryOffset = 0
            var dictionaryCount = 0
            switch values {
            case .int64(let v, let n):
                for x in v { out.u64(UInt64(bitPattern: x)) }
                nulls = n
            case .double(let v, let n):
                for x in v { out.u64(x.bitPattern) }
                nulls = n
            case .bool(let v, let n):
                for x in v { out.bytes.append(x ? 1 : 0) }
                nulls = n
            case .text(let strings):
                // Codes follow the strings' byte order (SQLite's BINARY collation).
                let distinct = Set(strings.compactMap { $0 }).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                var code: [String: UInt32] = [:]
                for (i, s) in distinct.enumerated() { code[s] = UInt32(i) }
                for s in strings { out.u32(s.flatMap { code[$0] } ?? 0) }
                dataLength = out.bytes.count - dataOffset
                if strings.contains(where: { $0 == nil }) { nulls = strings.map { $0 == nil } }
                out.align()
                dictionaryOffset = out.bytes.count
                dictionaryCount = distinct.count
                for s in distinct { out.string(s) }
            }
            if case .text = values {} else { dataLength = out.bytes.count - dataOffset }
            var nullOffset = 0
            if let nulls, nulls.contains(true) {
                out.align()
                nullOffset = out.bytes.count
                var bitmap = [UInt8](repeating: 0, count: (rowCount + 7) / 8)
                for (row, isNull) in nulls.enumerated() where isNull { bitmap[row >> 3] |= 1 << UInt8(row & 7) }
                out.bytes += bitmap
            }
            out.patch(at: entry + 4, UInt32(nullOffset > 0 ? 1 : 0))
            out.patch64(at: entry + 8, UInt64(dataOffset))
            out.patch64(at: entry + 16, UInt64(dataLength))
            out.patch64(at: entry + 24, UInt64(nullOffset))
            out.patch64(at: entry + 32, UInt64(dictionaryOffset))
            out.patch64(at: entry + 40, UInt64(dictionaryCount))
        }
        out.align()
        return out.bytes
    }

    /// Writes the file at `path` (through a temporary name, renamed when complete and synced).
    public func write(to path: String) throws {
        let bytes = encoded()
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ColumnFileError(path: path, "cannot create (errno \(errno))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ColumnFileError(path: path, "cannot write (errno \(errno))")
        }
    }
}

extension ColumnValues {
    var kind: ColumnKind {
        switch self {
        case .int64: .int64
        case .double: .double
        case .bool: .bool
        case .text: .dictionaryText
        }
    }

    /// Bytes per row in the data section.
    var width: Int {
        switch self {
        case .int64, .double: 8
        case .bool: 1
        case .text: 4
        }
    }

    var hasNulls: Bool {
        switch self {
        case .int64(_, let n), .double(_, let n), .bool(_, let n): n?.contains(true) ?? false
        case .text(let s): s.contains { $0 == nil }
        }
    }
}

/// Little-endian output with the file's alignment.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func align() { while bytes.count % 8 != 0 { bytes.append(0) } }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes += utf8
        align()
    }
    mutating func patch(at offset: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
    }
    mutating func patch64(at offset: Int, _ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<8 { bytes[offset + i] = $0[i] } }
    }
}

/// write(2), named apart from the writer's own `write(to:)`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
