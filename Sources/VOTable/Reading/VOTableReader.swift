import CLibXML2
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a caller lets one document be at most; past a limit the reader stops with a
/// `.limitExceeded` error that names it.
public struct VOTableReadLimits: Sendable, Hashable {
    /// The most rows the table may hold; nil for no limit.
    public var maxRows: Int?
    /// The most bytes the document may have (as read, before any decoding); nil for no limit.
    public var maxBytes: Int?
    /// The most FIELDs the table may have; nil for no limit. (A row batch holds a value per
    /// column: many columns are much memory for few bytes of document.)
    public var maxColumns: Int?

    public init(maxRows: Int? = nil, maxBytes: Int? = nil, maxColumns: Int? = nil) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.maxColumns = maxColumns
    }
}

/// Reads the first TABLE of a VOTable document (TABLEDATA, BINARY or BINARY2) as it streams
/// in: its FIELDs first, then its rows in batches, with memory bounded by a batch and a piece
/// of the input whatever the document's size. Made for uploaded tables (TAP 1.1 UPLOAD).
///
///     let reader = try VOTableReader(path: upload, limits: VOTableReadLimits(maxRows: 1_000_000))
///     createTable(reader.fields)
///     while let batch = try reader.nextBatch() { try insert.insertRows(of: batch) }
///
/// How cells become values and what is NULL: see `ReadColumn`. The parser is libxml2's, with
/// network access refused and no DTD read or entity expanded, so a hostile document can neither
/// read files nor reach hosts. The reader is used by one thread at a time.
public final class VOTableReader {
    /// The FIELDs of the first TABLE, in order.
    public private(set) var fields: [FieldDescriptor] = []
    /// About how many rows a batch holds (the last one fewer; one may hold more when a piece
    /// of input completes many rows).
    public let batchRows: Int
    /// The rows read so far, including those not yet handed out.
    public var rowCount: Int { parser.rowCount }
    /// The bytes of the document read so far.
    public private(set) var bytesRead = 0

    private enum Source {
        case memory
        case file(Int32)
    }

    /// How much input is given to the parser at a time.
    private static let chunkSize = 64 * 1024
    private let parser: DocumentParser
    private let source: Source
    private let path: String?
    private let maxBytes: Int
    /// The document's bytes (memory) or the bytes last read from the file; `position..<end`
    /// are not parsed yet.
    private var data: [UInt8]
    private var position = 0
    private var end: Int
    private var finished = false
    private var failure: VOTableError?

    /// libxml2 sets up its global tables once, before any parser is made on any thread.
    private static let libraryReady: Void = xmlInitParser()

    /// Reads a document held in memory (e.g. `[UInt8]` or `Data`).
    public convenience init<Bytes: Collection<UInt8>>(
        bytes: Bytes, limits: VOTableReadLimits = VOTableReadLimits(), batchRows: Int = 1024
    ) throws(VOTableError) {
        let data = Array(bytes)
        try self.init(source: .memory, data: data, end: data.count, path: nil, limits: limits, batchRows: batchRows)
    }

    /// Reads a document from a file, a piece at a time.
    public convenience init(
        path: String, limits: VOTableReadLimits = VOTableReadLimits(), batchRows: Int = 1024
    ) throws(VOTableError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw VOTableError(.unreadable, "cannot open the file: \(String(cString: strerror(errno)))", file: path)
        }
        try self.init(
            source: .file(fd), data: [UInt8](repeating: 0, count: Self.chunkSize), end: 0, path: path,
            limits: limits, batchRows: batchRows)
    }

    /// Starts the parser and reads up to the first TABLE's data, so that its FIELDs are known.
    private init(
        source: Source, data: [UInt8], end: Int, path: String?, limits: VOTableReadLimits, batchRows: Int
    ) throws(VOTableError) {
        _ = Self.libraryReady
        self.source = source
        self.data = data
        self.end = end
        self.path = path
        self.maxBytes = limits.maxBytes ?? Int.max
        self.batchRows = max(1, batchRows)
        parser = DocumentParser(maxRows: limits.maxRows ?? Int.max, maxColumns: limits.maxColumns ?? Int.max)
        do throws(VOTableError) {
            // The first bytes go with the parser's creation, for libxml2 to tell the encoding.
            let available = try fill()
            let head = min(4, available)
            try count(head)
            let started = self.data.withUnsafeBufferPointer {
                parser.start(head: UnsafeBufferPointer(rebasing: $0[position..<(position + head)]))
            }
            guard started else { throw VOTableError(.malformedXML, "libxml2 could not make a parser") }
            position += head
            while !parser.headerDone && !finished { try feed() }
            fields = parser.fields
        } catch {
            throw Self.attributed(error, to: path)  // deinit closes the file
        }
    }

    deinit {
        if case .file(let fd) = source { close(fd) }
    }

    /// The next rows of the table, nil after the last. An error ends the reading: later calls
    /// throw it again.
    public func nextBatch() throws(VOTableError) -> RowBatch? {
        if let failure { throw failure }
        do throws(VOTableError) {
            while parser.batch.rowCount < batchRows && !finished { try feed() }
        } catch {
            let attributed = Self.attributed(error, to: path)
            failure = attributed
            throw attributed
        }
        guard !parser.batch.isEmpty else { return nil }
        // The next batch is likely as large as this one.
        defer { parser.batch = RowBatch(columnCount: fields.count, reservingRows: parser.batch.rowCount) }
        return parser.batch
    }

    /// All the remaining rows in one batch (small tables, tests).
    public func readAll() throws(VOTableError) -> RowBatch {
        var all = RowBatch(columnCount: fields.count)
        while let batch = try nextBatch() { all.append(contentsOf: batch) }
        return all
    }

    static func rowLimitError(_ maxRows: Int) -> VOTableError {
        VOTableError(.limitExceeded, "the table has more rows than the limit of \(maxRows) (maxRows)")
    }

    private static func attributed(_ error: VOTableError, to path: String?) -> VOTableError {
        var error = error
        if error.file == nil { error.file = path }
        return error
    }

    /// Gives the parser the next piece of input, or tells it the document has ended.
    private func feed() throws(VOTableError) {
        let available = try fill()
        guard available > 0 else {
            finished = true
            try parser.parse(UnsafeBufferPointer(start: nil, count: 0), last: true)
            return
        }
        let n = min(available, Self.chunkSize)
        try count(n)
        try data.withUnsafeBufferPointer { (p) throws(VOTableError) in
            try parser.parse(UnsafeBufferPointer(rebasing: p[position..<(position + n)]), last: false)
        }
        position += n
    }

    /// The bytes ready to parse; reads the file when none are left. 0 at the end.
    private func fill() throws(VOTableError) -> Int {
        guard case .file(let fd) = source, position == end else { return end - position }
        while true {
            let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n >= 0 {
                (position, end) = (0, n)
                return n
            }
            if errno != EINTR {
                throw VOTableError(.unreadable, "cannot read the file: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func count(_ n: Int) throws(VOTableError) {
        bytesRead += n
        if bytesRead > maxBytes {
            throw VOTableError(.limitExceeded, "the document is larger than the limit of \(maxBytes) bytes (maxBytes)")
        }
    }
}
