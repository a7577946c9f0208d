import Tabular

/// How a result stream ended, as the trailer reports it.
public enum EndStatus: Sendable, Hashable {
    /// All rows were written.
    case ok
    /// More rows than MAXREC were available; the output holds the first MAXREC.
    case overflow
    /// The query failed after the header was written; the rows written so far are incomplete.
    case error(String)
}

/// A streaming writer of one result serialization. It writes into a caller-owned
/// `OutputBuffer` that the caller drains whenever it likes (typically above 64 KiB), so a result
/// of any size passes through a buffer of bounded size.
///
/// Calls: `writeHeader` once, `writeRow` per row, `writeTrailer` once.
public protocol TableWriter {
    var fields: [FieldDescriptor] { get }
    mutating func writeHeader(into out: inout OutputBuffer)
    mutating func writeRow(_ batch: RowBatch, row: Int, into out: inout OutputBuffer)
    mutating func writeTrailer(_ status: EndStatus, into out: inout OutputBuffer)
    /// Whether the trailer can tell a reader about overflow and errors (VOTable can, CSV and TSV
    /// cannot: a caller must then signal a failed stream another way, e.g. by aborting it).
    var reportsStatus: Bool { get }
    /// Writes bytes that change nothing for a reader (whitespace), to keep an idle connection
    /// alive while a slow query produces no rows; returns false when the format has none.
    mutating func writeKeepAlive(into out: inout OutputBuffer) -> Bool
}

extension TableWriter {
    public mutating func writeKeepAlive(into out: inout OutputBuffer) -> Bool { false }

    /// Writes all rows of `batch`.
    public mutating func writeRows(_ batch: RowBatch, into out: inout OutputBuffer) {
        for r in 0..<batch.rowCount { writeRow(batch, row: r, into: &out) }
    }
}

/// The result serializations offered by the writers.
public enum ResultFormat: String, Sendable, Hashable, CaseIterable {
    case votableTabledata = "votable"
    case votableBinary = "votable/b"
    case votableBinary2 = "votable/b2"
    case csv
    case tsv
    case json

    /// The media type of the response body.
    public var mediaType: String {
        switch self {
        case .votableTabledata, .votableBinary, .votableBinary2: "application/x-votable+xml"
        case .csv: "text/csv"
        case .tsv: "text/tab-separated-values"
        case .json: "application/json"
        }
    }

    /// The extension of a file holding a result in this format.
    public var fileExtension: String {
        switch self {
        case .votableTabledata, .votableBinary, .votableBinary2: "vot"
        case .csv: "csv"
        case .tsv: "tsv"
        case .json: "json"
        }
    }

    public var isVOTable: Bool { self == .votableTabledata || self == .votableBinary || self == .votableBinary2 }

    /// Parses a TAP/DALI RESPONSEFORMAT value: a short alias (`votable`, `votable/td`,
    /// `votable/b`, `binary`, `votable/b2`, `binary2`, `csv`, `tsv`, `json`) or a media type
    /// (`application/x-votable+xml`, `text/xml`, `application/x-votable+xml;serialization=binary`,
    /// `application/x-votable+xml;serialization=binary2`, `text/csv`, `text/csv;header=present`,
    /// `text/tab-separated-values`, `application/json`). Case and spaces around `;` do not matter.
    public init?(parameter: String) {
        let lower = parameter.lowercased()
        var parts = lower.split(separator: ";", omittingEmptySubsequences: false)
            .map { $0.trimmingASCIIWhitespace() }
        guard let head = parts.first, !head.isEmpty else { return nil }
        parts.removeFirst()
        var parameters: [Substring: Substring] = [:]
        for p in parts where !p.isEmpty {
            guard let eq = p.firstIndex(of: "=") else { return nil }
            let value = p[p.index(after: eq)...].trimmingASCIIWhitespace()
            parameters[p[..<eq].trimmingASCIIWhitespace()] = value.trimmingCharacters("\"")
        }
        switch head {
        case "votable", "votable/td", "votable/tabledata", "application/x-votable+xml", "text/xml",
            "application/xml", "application/x-votable":
            switch parameters["serialization"] {
            case nil, "tabledata", "td": self = .votableTabledata
            case "binary", "b": self = .votableBinary
            case "binary2", "b2": self = .votableBinary2
            default: return nil
            }
        case "votable/b", "votable/binary", "votable-binary", "binary": self = .votableBinary
        case "votable/b2", "votable/binary2", "votable-binary2", "binary2": self = .votableBinary2
        case "csv", "text/csv": self = .csv
        case "tsv", "text/tab-separated-values": self = .tsv
        case "json", "application/json": self = .json
        default: return nil
        }
    }

    /// A writer for this format.
    public func makeWriter(fields: [FieldDescriptor], infos: [VOTableInfo] = []) -> any TableWriter {
        switch self {
        case .votableTabledata: VOTableWriter(fields: fields, serialization: .tabledata, infos: infos)
        case .votableBinary: VOTableWriter(fields: fields, serialization: .binary, infos: infos)
        case .votableBinary2: VOTableWriter(fields: fields, serialization: .binary2, infos: infos)
        case .csv: DelimitedWriter(fields: fields, style: .csv)
        case .tsv: DelimitedWriter(fields: fields, style: .tsv)
        case .json: JSONWriter(fields: fields)
        }
    }

    /// Makes the writer for this format and hands it to `task`: one switch here serves every
    /// caller, and (inlined into the caller's module) the task's row loop is specialised for
    /// each writer's type, with no existential call per row.
    @inlinable
    public func withWriter<Task: TableWriterTask>(
        fields: [FieldDescriptor], infos: [VOTableInfo] = [], _ task: inout Task
    ) async throws -> Task.Output {
        switch self {
        case .votableTabledata, .votableBinary, .votableBinary2:
            let serialization: VOTableWriter.Serialization =
                self == .votableTabledata ? .tabledata : self == .votableBinary ? .binary : .binary2
            var writer = VOTableWriter(fields: fields, serialization: serialization, infos: infos)
            return try await task.run(&writer)
        case .csv, .tsv:
            var writer = DelimitedWriter(fields: fields, style: self == .csv ? .csv : .tsv)
            return try await task.run(&writer)
        case .json:
            var writer = JSONWriter(fields: fields)
            return try await task.run(&writer)
        }
    }
}

/// Work done with a result writer of whichever type a `ResultFormat` calls for; see
/// `ResultFormat.withWriter`.
public protocol TableWriterTask {
    associatedtype Output
    mutating func run<W: TableWriter>(_ writer: inout W) async throws -> Output
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }

    func trimmingCharacters(_ c: Character) -> Substring {
        var s = self
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return s
    }
}
