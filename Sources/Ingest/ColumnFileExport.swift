import Catalog
import Columnar
import Foundation
import SQLiteKit
import Tabular

/// Writes a chunk's column files (`Columnar`) once its SQLite file is complete: for each
/// partitioned table, one file of the chosen columns, read back from the chunk file in rowid
/// order (the order of a SQLite scan, so that float sums add up in the same order).
///
/// The columns are those the descriptor's `columnFiles` lists for the table, or by default
/// every numeric and boolean column and every text column declared at most
/// `shortTextLength` characters long. A column is left out (its queries then read the SQLite
/// file) when a value does not fit its type — a fraction in an integer column, text in a
/// numeric one — or when a text column has more than `maxDictionary` distinct values or a
/// value longer than `shortTextLength` bytes.
enum ColumnFileExport {
    static let shortTextLength = 32
    static let maxDictionary = 1 << 16

    /// The columns of `table` that get column files by default.
    static func defaultColumns(_ table: TableInfo) -> [ColumnInfo] {
        table.columns.filter { c in
            switch c.sqliteType {
            case "INTEGER", "REAL": return true
            case "TEXT": return c.datatype.lowercased() != "timestamp" && (c.length ?? Int.max) <= shortTextLength
            default: return false
            }
        }
    }

    /// Writes the column file of each table in `tables` (with its chosen columns) for chunk
    /// `chunkId`, whose SQLite file at `chunkPath` is complete.
    static func write(
        chunkId: Int, chunkPath: String, chunksDirectory: String, catalogVersion: String,
        tables: [(name: String, columns: [ColumnInfo])]
    ) throws {
        guard let size = fileSize(chunkPath) else { throw IngestError(.invalidInput, "no chunk file \(chunkPath)") }
        let identity = ColumnFileIdentity(chunkId: chunkId, chunkFileSize: size, catalogVersion: catalogVersion)
        let db = try SQLiteConnection(path: chunkPath, mode: .readOnly)
        for (table, columns) in tables where !columns.isEmpty {
            let list = columns.map { SQLiteConnection.quote($0.name) }.joined(separator: ", ")
            let statement = try db.prepare("SELECT \(list) FROM \(SQLiteConnection.quote(table)) ORDER BY rowid")
            var builders = columns.map(ColumnBuilder.init)
            var rows = 0
            while try statement.step() {
                for i in builders.indices { builders[i].append(statement.value(at: i)) }
                rows += 1
            }
            var writer = ColumnFileWriter(identity: identity, rowCount: rows)
            for b in builders { if let values = b.values { writer.add(b.column.name, values) } }
            try writer.write(
                to: ColumnFileFormat.path(chunksDirectory: chunksDirectory, chunkId: chunkId, table: table))
        }
    }

    static func fileSize(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : nil
    }
}

/// One column's values as they are read, in the type its declaration asks for; gives up on
/// the column (`failed`) at the first value that does not fit.
struct ColumnBuilder {
    let column: ColumnInfo
    var ints: [Int64] = []
    var reals: [Double] = []
    var texts: [String?] = []
    var nulls: [Bool] = []
    var distinct: Set<String> = []
    var failed = false

    init(_ column: ColumnInfo) { self.column = column }

    var isBoolean: Bool { column.datatype.lowercased() == "boolean" }

    mutating func append(_ value: Value) {
        if failed { return }
        let isNull = value.isNull
        nulls.append(isNull)
        switch column.sqliteType {
        case "INTEGER":
            switch value {
            case .null: ints.append(0)
            case .integer(let i) where !isBoolean || i == 0 || i == 1: ints.append(i)
            default: failed = true
            }
        case "REAL":
            switch value {
            case .null: reals.append(0)
            case .real(let d): reals.append(d)
            case .integer(let i): reals.append(Double(i))
            default: failed = true
            }
        default:
            switch value {
            case .null: texts.append(nil)
            case .text(let s) where s.utf8.count <= ColumnFileExport.shortTextLength:
                texts.append(s)
                if distinct.insert(s).inserted && distinct.count > ColumnFileExport.maxDictionary { failed = true }
            default: failed = true
            }
        }
    }

    /// The values for the writer; nil when the column is left out.
    var values: ColumnValues? {
        if failed { return nil }
        let n: [Bool]? = nulls.contains(true) ? nulls : nil
        switch column.sqliteType {
        case "INTEGER": return isBoolean ? .bool(ints.map { $0 != 0 }, nulls: n) : .int64(ints, nulls: n)
        case "REAL": return .double(reals, nulls: n)
        default: return .text(texts)
        }
    }
}
