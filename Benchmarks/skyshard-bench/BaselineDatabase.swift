import ADQL
import Catalog
import DemoData
import Foundation
import Ingest
import Planner
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

/// The baseline of `skyshard bench`: ONE unsharded SQLite file with the same rows as an ingested
/// catalog version, queried by plain SQLite on one connection.
///
/// - every partitioned table is the union of its main table over all chunk files (the
///   director's `<Director>FullOverlap` copies and the `chunkId` / `subChunkId` columns are left
///   out); every replicated table is copied from `replicated.sqlite`;
/// - rows in the order of the chunk files (spatially clustered, as a DBA would load a sky
///   catalog), and the indexes a DBA would add, built after the bulk load, then `ANALYZE`: the
///   director key is unique (the primary key: a unique index rather than the rowid, because
///   building a rowid B-tree from interleaved key runs is a random-insert load), each child's
///   foreign key is indexed, the catalog's other primary keys are unique, and — to be fair to
///   raw SQLite on spatial queries — the director has an index on (lat, lon), so that a
///   declination band with an RA range is answered from the index alone (it carries the same
///   principal columns as the chunks' zone index, `ZoneIndex.coveredColumns`); and every other
///   index that SkyShard's chunk files or replicated.sqlite have (e.g. Object (tract, patch)),
///   except those on `chunkId` / `subChunkId`;
/// - queried through a read-only immutable connection with the SkyShard user functions
///   registered, exactly like a chunk connection, so the SQL that `SQLiteRenderer` produces runs
///   unchanged (`FlatDialect` maps `schema.table` to `"table"`).
public enum BaselineDatabase {
    /// Bumped when the file's layout changes, so that an old file is rebuilt.
    public static let formatVersion = 4

    /// Builds the file at `file` (replacing it) from `version`; returns the seconds it took.
    @discardableResult
    public static func build(
        version: CatalogVersion, catalog: CatalogDescription, file: URL, progress: ((String) -> Void)? = nil
    ) throws -> Double {
        let started = BenchClock.now()
        let fm = FileManager.default
        let partial = file.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)
        try? fm.removeItem(at: file)
        do {
            let db = try SQLiteConnection(path: partial.path, mode: .readWriteCreate)
            try db.execute("PRAGMA journal_mode = OFF")
            try db.execute("PRAGMA synchronous = OFF")
            try db.execute("PRAGMA locking_mode = EXCLUSIVE")
            try db.execute("PRAGMA cache_size = -1048576")
            try db.execute("PRAGMA temp_store = FILE")
            let tables = catalog.tables.filter { $0.schema.lowercased() != TapSchema.schemaName.lowercased() }
            for table in tables {
                let columns = table.columns.map { "\(quote($0.name)) \($0.sqliteType)" }.joined(separator: ", ")
                try db.execute("CREATE TABLE \(quote(table.name)) (\(columns))")
            }
            func copy(_ table: TableInfo, from schema: String) throws {
                let columns = table.columns.map { quote($0.name) }.joined(separator: ", ")
                try db.execute(
                    "INSERT INTO main.\(quote(table.name)) (\(columns)) SELECT \(columns) FROM \(quote(schema)).\(quote(table.name))"
                )
            }
            let partitioned = tables.filter(\.isPartitioned)
            let chunks = catalog.chunkIds
            // The indexes SkyShard's own files have (column lists), so the baseline has them too.
            var shardIndexes: [String: [(columns: [String], unique: Bool)]] = [:]
            for (i, chunk) in chunks.enumerated() {
                let path = version.chunkFile(chunk).path
                guard fm.fileExists(atPath: path) else { continue }
                try db.attach(path: path, as: "chunk", readOnly: true)
                let present = Set(
                    try db.query("SELECT name FROM chunk.sqlite_master WHERE type = 'table'")
                        .compactMap { row -> String? in
                            if case .text(let t) = row[0] { return t.lowercased() } else { return nil }
                        })
                for table in partitioned where shardIndexes[table.name] == nil && present.contains(table.name.lowercased()) {
                    shardIndexes[table.name] = try indexes(of: table.name, schema: "chunk", db: db)
                }
                try db.transaction {
                    for table in partitioned where present.contains(table.name.lowercased()) {
                        try copy(table, from: "chunk")
                    }
                }
                try db.execute("DETACH DATABASE chunk")
                if (i + 1) % 20 == 0 { progress?("baseline: \(i + 1) of \(chunks.count) chunks copied") }
            }
            let replicated = tables.filter { !$0.isPartitioned }
            if !replicated.isEmpty, fm.fileExists(atPath: version.replicatedFile.path) {
                try db.attach(path: version.replicatedFile.path, as: "replicated", readOnly: true)
                try db.transaction {
                    for table in replicated { try copy(table, from: "replicated") }
                }
                for table in replicated {
                    shardIndexes[table.name] = try indexes(of: table.name, schema: "replicated", db: db)
                }
                try db.execute("DETACH DATABASE replicated")
            }
            progress?("baseline: indexing")
            for statement in indexStatements(tables, shardIndexes: shardIndexes) { try db.execute(statement) }
            try db.execute("ANALYZE")
        }
        try fm.moveItem(at: partial, to: file)
        return BenchClock.seconds(started, BenchClock.now())
    }

    /// The indexes of `schema.table` as column lists, leaving out those on SkyShard's own
    /// `chunkId` / `subChunkId` columns and on expressions.
    static func indexes(of table: String, schema: String, db: SQLiteConnection) throws -> [(columns: [String], unique: Bool)] {
        var out: [(columns: [String], unique: Bool)] = []
        for row in try db.query("SELECT name, \"unique\" FROM pragma_index_list(?, ?)", [.text(table), .text(schema)]) {
            guard case .text(let name) = row[0] else { continue }
            let info = try db.query("SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno", [.text(name), .text(schema)])
            let columns = info.compactMap { r -> String? in if case .text(let c) = r[0] { return c } else { return nil } }
            // Expression columns (the zone index) are SkyShard's layout, like chunkId.
            if columns.isEmpty || columns.count < info.count { continue }
            if columns.contains(where: { $0 == "chunkId" || $0 == "subChunkId" }) { continue }
            out.append((columns, row[1].int64Value == 1))
        }
        return out
    }

    /// CREATE INDEX statements of the baseline (see the type's comment).
    static func indexStatements(
        _ tables: [TableInfo], shardIndexes: [String: [(columns: [String], unique: Bool)]] = [:]
    ) -> [String] {
        var out: [String] = []
        for table in tables {
            let t = quote(table.name)
            var done = Set<[String]>()
            defer {
                for index in shardIndexes[table.name] ?? [] where !done.contains(index.columns) {
                    done.insert(index.columns)
                    out.append(
                        "CREATE \(index.unique ? "UNIQUE " : "")INDEX \(quote("\(table.name)_\(index.columns.joined(separator: "_"))")) "
                            + "ON \(t) (\(index.columns.map(quote).joined(separator: ", ")))")
                }
            }
            if let spec = table.directorSpec {
                if let key = spec.keyColumn {
                    done.insert([key])
                    out.append("CREATE UNIQUE INDEX \(quote("\(table.name)_\(key)")) ON \(t) (\(quote(key)))")
                }
                // Carrying the columns the chunks' zone index carries, so that a cone search
                // reading only those is answered from this index alone, as in a chunk.
                let radec =
                    [spec.latColumn, spec.lonColumn]
                    + ZoneIndex.coveredColumns(table.columns, latColumn: spec.latColumn, lonColumn: spec.lonColumn)
                out.append("CREATE INDEX \(quote("\(table.name)_radec")) ON \(t) (\(radec.map(quote).joined(separator: ", ")))")
            }
            if case .child(_, let foreignKey) = table.partitioning, !done.contains([foreignKey]) {
                done.insert([foreignKey])
                out.append("CREATE INDEX \(quote("\(table.name)_\(foreignKey)")) ON \(t) (\(quote(foreignKey)))")
            }
            let pk = table.primaryKey.filter { table.column(named: $0) != nil }
            if !pk.isEmpty, !done.contains(pk) {
                done.insert(pk)
                out.append("CREATE UNIQUE INDEX \(quote("\(table.name)_pk")) ON \(t) (\(pk.map(quote).joined(separator: ", ")))")
            }
        }
        return out
    }

    /// A connection to the baseline as the benchmark uses it: read-only, immutable, the user
    /// functions registered.
    public static func open(_ file: URL) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: file.path, mode: .readOnlyImmutable)
        // Mapped like SkyShard's shard connections, so that neither side gains from the setting.
        try connection.execute("PRAGMA mmap_size = \(LocalShardWorker.mmapBytes)")
        UserFunctions.register(on: connection)
        return connection
    }

    /// Renders ADQL for the baseline file.
    public static func render(_ adql: String) throws -> String {
        try SQLiteRenderer(dialect: FlatDialect()).render(try ADQLParser.parse(adql))
    }

    static func quote(_ name: String) -> String { SQLiteRenderer.quoteIdentifier(name) }
}

/// Maps ADQL names to the baseline file: `schema.table` → `"table"`; `schema.table.column` →
/// `"table"."column"`; one- and two-part names stay as written.
public struct FlatDialect: SQLiteDialect {
    public init() {}

    public func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String {
        var sql = SQLiteRenderer.quoteIdentifier(name.parts.last?.name ?? "")
        if let alias { sql += " AS " + SQLiteRenderer.quoteIdentifier(alias.name) }
        return sql
    }

    public func columnReference(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        let parts = name.parts
        if parts.count <= 2 { return SQLiteRenderer.quotedName(name) }
        return SQLiteRenderer.quoteIdentifier(parts[parts.count - 2].name) + "."
            + SQLiteRenderer.quoteIdentifier(parts[parts.count - 1].name)
    }

    public func wildcardQualifier(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        SQLiteRenderer.quoteIdentifier(name.parts.last?.name ?? "")
    }
}
