import ADQL
import Catalog
import Tabular

/// The tables a client uploads with a query (TAP `UPLOAD`), as the planner sees them: tables of
/// the schema `TAP_UPLOAD`, bound like any catalog table, that exist only for the query.
///
/// Their rows reach SQLite as a bound parameter: a JSON array of rows, read through
/// `json_each`, so that no value is ever part of the SQL text and the chunk files stay
/// read-only (nothing is attached or written). An upload is `?N` with N = 2 + its position in
/// the query's uploads (`?1` is the top-k bound's). A statement gets every row of an upload,
/// or, when the planner partitions the upload over the chunks (`uploadPartitioning`), each
/// chunk's statement gets the rows that chunk needs.
public enum Uploads {
    /// The schema uploaded tables are queried in (TAP 1.1 §2.5.6).
    public static let schemaName = "TAP_UPLOAD"

    /// The parameter number of the upload at `index` in the query's uploads.
    static func parameterNumber(_ index: Int) -> Int { index + 2 }

    /// The most characters of an upload's table or column name.
    static let maxNameLength = 128

    /// The catalog table that describes `upload`, after checking its names: a table name is an
    /// ADQL regular identifier (TAP 1.1 asks for a simple one), a column name any text without
    /// control characters (a query names it in double quotes if it is not a regular identifier),
    /// unique within the table ignoring case (SQLite matches names ignoring case, even quoted
    /// ones).
    static func tableInfo(of upload: UploadedTable) throws(QueryError) -> TableInfo {
        let name = upload.name
        guard isRegularIdentifier(name), name.count <= maxNameLength else {
            throw QueryError(
                .semantic,
                "the uploaded table name \(quotedForMessage(name)) is not valid: it must be a letter followed by letters, digits or underscores (at most \(maxNameLength))"
            )
        }
        guard !upload.fields.isEmpty else {
            throw QueryError(.semantic, "the uploaded table \(name) has no columns")
        }
        var seen = Set<String>()
        var columns: [ColumnInfo] = []
        for field in upload.fields {
            let column = field.name
            guard !column.isEmpty, column.count <= maxNameLength,
                !column.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw QueryError(
                    .semantic,
                    "the uploaded table \(name) has a column named \(quotedForMessage(column)), which is not valid: a column name has 1 to \(maxNameLength) characters and no control characters"
                )
            }
            guard seen.insert(CaseFolding.key(column)).inserted else {
                throw QueryError(
                    .semantic, "the uploaded table \(name) has two columns named \(quotedForMessage(column)) (ignoring case)")
            }
            columns.append(
                ColumnInfo(
                    name: column, datatype: felisType(of: field), unit: field.unit, ucd: field.ucd, utype: field.utype,
                    description: field.description))
        }
        return TableInfo(
            schema: schemaName, name: name, description: "uploaded with the query", columns: columns,
            partitioning: .replicated)
    }

    /// The Felis type of an uploaded FIELD, which fixes its ADQL and SQLite type: numeric and
    /// boolean scalars keep theirs; characters, and arrays (which the VOTable reader gives as
    /// text), are text.
    static func felisType(of field: FieldDescriptor) -> String {
        // A DALI timestamp is text with a meaning: kept as the catalog's timestamp type, so
        // that the result FIELD says xtype="timestamp" again.
        if field.xtype?.lowercased() == "timestamp" { return "timestamp" }
        if !field.datatype.isCharacter, let size = field.arraysize, size != "1" { return "char" }
        switch field.datatype {
        case .boolean: return "boolean"
        case .unsignedByte: return "byte"
        case .short: return "short"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .char, .unicodeChar: return "char"
        }
    }

    static func isRegularIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// A name for an error message, quoted and shortened, with control characters escaped.
    static func quotedForMessage(_ s: String) -> String {
        let shown = s.count > 60 ? String(s.prefix(60)) + "…" : s
        return "\""
            + shown.unicodeScalars.map {
                $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0)
            }
            .joined() + "\""
    }

    /// The SQL that reads the upload bound as `?parameter`: one column per FIELD, named as the
    /// FIELD (quoted), element k of each row's JSON array; then `extraColumns`, the elements
    /// after those.
    static func tableSQL(_ info: TableInfo, parameter: Int, extraColumns: [String] = []) -> String {
        let columns = (info.columns.map(\.name) + extraColumns).enumerated().map { k, name in
            "\"j\".\"value\" ->> \(k) AS " + SQLiteRenderer.quoteIdentifier(name)
        }
        return "(SELECT \(columns.joined(separator: ", ")) FROM json_each(?\(parameter)) AS \"j\")"
    }

    /// The row's values as the upload's SQL will read them: numbers in the column's declared
    /// type (a double column holds reals, an integer column integers where the value is one),
    /// NaN as NULL (SQLite has no NaN).
    static func normalized(_ value: Value, type: String) -> Value {
        switch (value, type) {
        case (.integer(let i), "float"), (.integer(let i), "double"): return .real(Double(i))
        case (.real(let d), _) where d.isNaN: return .null
        case (.real(let d), "boolean"), (.real(let d), "byte"), (.real(let d), "short"), (.real(let d), "int"),
            (.real(let d), "long"):
            if let i = Value.real(d).int64Value { return .integer(i) }
            return value
        default: return value
        }
    }

    /// `rows` (a subset of the upload's rows, by index, in order) as the JSON array of arrays
    /// that `tableSQL` reads. Values are already `normalized`.
    static func json(_ rows: RowBatch, indices: some Sequence<Int>) -> String {
        var out = "["
        var firstRow = true
        for r in indices {
            if !firstRow { out += "," }
            firstRow = false
            out += "["
            for c in 0..<rows.columnCount {
                if c > 0 { out += "," }
                appendJSON(rows[r, c], to: &out)
            }
            out += "]"
        }
        out += "]"
        return out
    }

    static func appendJSON(_ value: Value, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .integer(let i): out += String(i)
        case .real(let d):
            if d.isNaN {
                out += "null"
            } else if d.isInfinite {
                // Read back by SQLite as ±Inf.
                out += d < 0 ? "-9e999" : "9e999"
            } else {
                // Swift's description is the shortest text that reads back as the same double,
                // always with a fraction or an exponent, so SQLite reads a REAL.
                out += d.description
            }
        case .text(let s): appendJSONString(s, to: &out)
        case .blob(let bytes):
            // JSON has no bytes: a blob becomes the text of its hexadecimal digits.
            let digits = Array("0123456789abcdef".utf8)
            var hex = [UInt8]()
            hex.reserveCapacity(bytes.count * 2)
            for b in bytes {
                hex.append(digits[Int(b >> 4)])
                hex.append(digits[Int(b & 15)])
            }
            appendJSONString(String(decoding: hex, as: UTF8.self), to: &out)
        }
    }

    /// (SQLite's JSON functions end a text at an escaped NUL, `\u0000`; a VOTable cannot hold
    /// one: XML has no such character.)
    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// The uploads of one query, checked, with their rows normalized to their declared types and
/// ready to bind.
struct UploadSet: Sendable {
    struct Table: Sendable {
        var info: TableInfo
        /// The rows, normalized (`Uploads.normalized`).
        var rows: RowBatch
        /// Every row as JSON, bound when a statement reads the whole upload.
        var allRowsJSON: String
    }

    var tables: [Table]

    init(tables: [Table]) { self.tables = tables }

    init(_ uploads: [UploadedTable]) throws(QueryError) {
        var seen = Set<String>()
        var tables: [Table] = []
        for upload in uploads {
            let info = try Uploads.tableInfo(of: upload)
            guard seen.insert(CaseFolding.key(info.name)).inserted else {
                throw QueryError(.semantic, "two uploaded tables are named \(info.name) (ignoring case)")
            }
            let types = info.columns.map(\.datatype)
            var rows = RowBatch(columnCount: upload.rows.columnCount, reservingRows: upload.rows.rowCount)
            for (i, value) in upload.rows.values.enumerated() {
                rows.append(Uploads.normalized(value, type: types[i % types.count]))
            }
            tables.append(Table(info: info, rows: rows, allRowsJSON: Uploads.json(rows, indices: 0..<rows.rowCount)))
        }
        self.tables = tables
    }

    /// The index of the upload that `info` describes.
    func index(of info: TableInfo) -> Int? {
        guard info.schema == Uploads.schemaName else { return nil }
        return tables.firstIndex { $0.info.name == info.name }
    }
}

/// The values a plan's statements bind for the uploads they read: `?1` stays the top-k bound's
/// (NULL here), `?2`… the uploads'. An upload is bound whole (`values`) unless the plan
/// partitioned it over the chunks: then each chunk gets its own rows (`perChunk`).
public struct UploadBindings: Sendable {
    /// `?1`, `?2`, …: NULL for `?1` and for uploads the statements do not read.
    public var values: [Value]
    /// For a partitioned upload: its parameter's value (index into `values`) for each chunk.
    public var perChunk: [Int: Value]
    /// The index in `values` of the partitioned upload's parameter.
    public var partitionedParameter: Int?

    /// What the statement on `chunkId` binds.
    public func parameters(forChunk chunkId: Int?) -> [Value] {
        guard let p = partitionedParameter, let chunkId else { return values }
        var v = values
        v[p] = perChunk[chunkId] ?? .text("[]")
        return v
    }
}

/// How the planner sent an upload's rows to the chunks (`uploadPartitioning`), for the plan's
/// explanation.
public struct UploadPartition: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A positional cross-match within `radius` degrees of the director's position.
        case crossMatch(radius: Double)
        /// An equality of an upload column with the director key (or a child's foreign key),
        /// looked up in the director index.
        case key(column: String)
    }

    /// `TAP_UPLOAD.<name> AS <correlation>`.
    public var table: String
    public var correlation: String
    public var kind: Kind
    public var uploadRows: Int
    /// Rows that went to no chunk (no position, no key, or a key the director index lacks):
    /// they can match nothing.
    public var unplacedRows: Int
    /// Chunk id → how many of the upload's rows its statement gets.
    public var rowsPerChunk: [Int: Int]
    /// How many chunks hold data.
    public var totalChunks: Int

    /// A few lines for `skyshard explain`.
    public var explanation: [String] {
        var lines: [String] = []
        let what: String
        switch kind {
        case .crossMatch(let r): what = "cross-match within \(r)° (\(r * 3600)″)"
        case .key(let column): what = "key join on \(correlation).\(column) through the director index"
        }
        lines.append("upload \(Uploads.schemaName).\(table) AS \(correlation): \(uploadRows) row(s), partitioned by \(what)")
        let counts = rowsPerChunk.values.sorted()
        let sent = counts.reduce(0, +)
        var touched = "  chunks touched: \(rowsPerChunk.count) of \(totalChunks); rows sent: \(sent)"
        if unplacedRows > 0 { touched += "; rows that can match nothing: \(unplacedRows)" }
        lines.append(touched)
        if let low = counts.first, let high = counts.last {
            lines.append("  rows per chunk: min \(low), median \(counts[counts.count / 2]), max \(high)")
            let shown = rowsPerChunk.sorted { $0.key < $1.key }.prefix(20).map { "\($0.key): \($0.value)" }
            lines.append("  [" + shown.joined(separator: ", ") + (rowsPerChunk.count > 20 ? ", ..." : "") + "]")
        }
        return lines
    }
}
