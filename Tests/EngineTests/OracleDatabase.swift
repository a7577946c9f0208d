import ADQL
import Catalog
import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

/// The correctness oracle of the differential test: ONE unsharded SQLite file holding the same
/// rows as an ingested catalog version, queried with plain SQLite.
///
/// - every partitioned table is the union of its rows over all chunk files (the director's
///   `<Director>FullOverlap` copies are left out, and so are the `chunkId` / `subChunkId`
///   columns: only the catalog's own columns, in catalog order, are copied);
/// - every replicated table is copied from `replicated.sqlite`;
/// - the version's `tap_schema.sqlite` is attached as `tap_schema` (read-only);
/// - the SkyShard user functions are registered, so the SQL that `ADQL.SQLiteRenderer` produces
///   runs unchanged.
///
/// Each table keeps its catalog name (`"Object"`, `"ForcedSource"`, ...); `OracleDialect` maps
/// ADQL's `schema.table` to it.
final class OracleDatabase: @unchecked Sendable {
    /// One SQLite connection: `rows` and `distinctValues` take `lock`, as tests that run at once
    /// (the columnar shapes, parameterized) share this oracle, and a connection and its cached
    /// statements must not be stepped by two threads together.
    let connection: SQLiteConnection
    private let lock = NSLock()
    let file: URL
    /// Table name → row count, for the report.
    private(set) var rowCounts: [String: Int] = [:]
    private var distinctValueCache: [String: [Value]] = [:]
    /// Lower-cased table name → number of columns, for `*` in INTERSECT ALL / EXCEPT ALL.
    private(set) var tableWidths: [String: Int] = [:]

    init(version: CatalogVersion, catalog: CatalogDescription, tapSchemaFile: URL?, file: URL) throws {
        self.file = file
        try? FileManager.default.removeItem(at: file)
        connection = try SQLiteConnection(path: file.path, mode: .readWriteCreate)
        try connection.execute("PRAGMA journal_mode = OFF")
        try connection.execute("PRAGMA synchronous = OFF")

        // One copy per table name: a table served in several schemas (ObsCore, also as
        // ivoa.ObsCore) is one table of replicated.sqlite, and schema.table maps to its name.
        var names = Set<String>()
        let tables = catalog.tables.filter {
            $0.schema.lowercased() != TapSchema.schemaName.lowercased() && names.insert($0.name).inserted
        }
        for table in tables { tableWidths[table.name.lowercased()] = table.columns.count }
        for table in tables {
            let columns = table.columns.map { "\(Self.quote($0.name)) \($0.sqliteType)" }.joined(separator: ", ")
            try connection.execute("CREATE TABLE \(Self.quote(table.name)) (\(columns))")
        }

        func copy(_ table: TableInfo, from schema: String) throws {
            let columns = table.columns.map { Self.quote($0.name) }.joined(separator: ", ")
            try connection.execute(
                "INSERT INTO main.\(Self.quote(table.name)) (\(columns)) SELECT \(columns) FROM \(Self.quote(schema)).\(Self.quote(table.name))"
            )
        }

        // Partitioned tables: the main table of every chunk file, never the overlap table.
        let partitioned = tables.filter(\.isPartitioned)
        for chunk in catalog.chunkIds {
            let path = version.chunkFile(chunk).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try connection.attach(path: path, as: "chunk", readOnly: true)
            let present = Set(
                try connection.query("SELECT name FROM chunk.sqlite_master WHERE type = 'table'")
                    .compactMap { row -> String? in if case .text(let t) = row[0] { return t.lowercased() } else { return nil } })
            try connection.transaction {
                for table in partitioned where present.contains(table.name.lowercased()) {
                    try copy(table, from: "chunk")
                }
            }
            try connection.execute("DETACH DATABASE chunk")
        }

        // Replicated tables.
        let replicated = tables.filter { !$0.isPartitioned }
        if !replicated.isEmpty {
            try connection.attach(path: version.replicatedFile.path, as: "replicated", readOnly: true)
            try connection.transaction {
                for table in replicated { try copy(table, from: "replicated") }
            }
            try connection.execute("DETACH DATABASE replicated")
        }

        // Indexes on the keys and the catalog's indexed columns (what the corpus joins and looks up by).
        for table in tables {
            var keys = Set(table.primaryKey).union(table.columns.filter(\.indexed).map(\.name))
            if let spec = table.directorSpec {
                if let key = spec.keyColumn { keys.insert(key) }
                keys.insert(spec.latColumn)  // near-neighbour queries bound the declination
            }
            if case .child(_, let foreignKey) = table.partitioning { keys.insert(foreignKey) }
            for (i, key) in keys.sorted().enumerated() where table.column(named: key) != nil {
                try connection.execute(
                    "CREATE INDEX \(Self.quote("oracle_\(table.name)_\(i)")) ON \(Self.quote(table.name)) (\(Self.quote(key)))")
            }
        }
        try connection.execute("ANALYZE")

        for table in tables {
            let n = try connection.query("SELECT COUNT(*) FROM \(Self.quote(table.name))")
            rowCounts[table.name] = Int(n.first?.first?.int64Value ?? 0)
        }

        if let tapSchemaFile {
            try connection.attach(path: tapSchemaFile.path, as: TapSchema.schemaName, readOnly: true)
        }
        UserFunctions.register(on: connection)
    }

    static func quote(_ name: String) -> String { SQLiteRenderer.quoteIdentifier(name) }

    /// Renders a parsed ADQL query for the oracle.
    func render(_ query: Query) throws -> String {
        try SQLiteRenderer(dialect: OracleDialect(tableWidths: tableWidths)).render(query)
    }

    /// All rows of `sql`.
    func rows(_ sql: String) throws -> [[Value]] {
        try lock.withLock { try connection.query(sql) }
    }

    /// The distinct non-NULL values of `table.column`, ascending (for placeholders).
    func distinctValues(table: String, column: String) throws -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(table.lowercased()).\(column.lowercased())"
        if let cached = distinctValueCache[key] { return cached }
        let values = try connection.query(
            "SELECT DISTINCT \(Self.quote(column)) FROM \(Self.quote(table)) WHERE \(Self.quote(column)) IS NOT NULL ORDER BY 1"
        ).map { $0[0] }
        distinctValueCache[key] = values
        return values
    }
}

/// Maps ADQL table names to the oracle's: `schema.table` → `"table"` (the one unsharded copy),
/// `tap_schema.table` → `"tap_schema"."table"` (the attached TAP_SCHEMA file); one-part names
/// (common table expressions, derived-table aliases) stay as written.
struct OracleDialect: SQLiteDialect {
    var tableWidths: [String: Int] = [:]

    func tableWidth(_ name: QualifiedName) -> Int? {
        tableWidths[name.last.name.lowercased()]
    }

    private func isTapSchema(_ id: Identifier) -> Bool {
        id.name.lowercased() == TapSchema.schemaName.lowercased()
    }

    /// The table part of a (possibly schema-qualified) table name.
    private func table(_ parts: ArraySlice<Identifier>) -> String {
        guard let last = parts.last else { return "" }
        if parts.count >= 2, isTapSchema(parts[parts.endIndex - 2]) {
            return OracleDatabase.quote(TapSchema.schemaName) + "." + OracleDatabase.quote(last.name)
        }
        return OracleDatabase.quote(last.name)
    }

    func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String {
        var sql = table(name.parts[...])
        if let alias { sql += " AS " + OracleDatabase.quote(alias.name) }
        return sql
    }

    func columnReference(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        let parts = name.parts
        if parts.count <= 2 { return SQLiteRenderer.quotedName(name) }
        return table(parts.dropLast()) + "." + OracleDatabase.quote(parts[parts.count - 1].name)
    }

    func wildcardQualifier(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        table(name.parts[...])
    }
}
