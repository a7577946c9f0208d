import Catalog
import Foundation
import SQLiteKit
import ScatterGather
import Tabular

/// Writes the TAP_SCHEMA tables of a catalog version into `tap_schema.sqlite`, which chunk
/// connections attach as schema `tap_schema` so that ADQL can query it like any table.
public enum TapSchemaDatabase {
    /// The layout of the file (its tables, columns, indexes and rows) as this build writes it,
    /// stored as `PRAGMA user_version`. Raise it whenever `TapSchema` or this writer changes
    /// what the file holds, so that files written by an older build are rewritten.
    /// 1: foreign keys from the catalog, TAP_SCHEMA's own keys, `"size"`, indexed columns.
    public static let layoutVersion: Int64 = 1

    /// The file for `version`, written if it is missing (versions ingested before TAP_SCHEMA
    /// existed, or a copied catalog) or has an older layout. Written beside the catalog when
    /// the directory is writable, else in the temporary directory.
    public static func ensure(version: CatalogVersion, catalog: CatalogDescription) throws -> URL {
        let target = version.tapSchemaFile
        if isCurrent(target) { return target }
        if FileManager.default.isWritableFile(atPath: version.directory.path) {
            try write(catalog, to: target)
            return target
        }
        let fallback = FileManager.default.temporaryDirectory
            .appendingPathComponent("skyshard-tap_schema-\(version.name)-\(ProcessInfo.processInfo.processIdentifier).sqlite")
        try write(catalog, to: fallback)
        return fallback
    }

    /// Whether `url` is a TAP_SCHEMA file of the current layout.
    static func isCurrent(_ url: URL) -> Bool {
        guard FileManager.default.fileExists(atPath: url.path),
            let connection = try? SQLiteConnection(path: url.path, mode: .readOnly),
            let rows = try? connection.query("PRAGMA user_version"),
            case .integer(let found) = rows.first?.first
        else { return false }
        return found == layoutVersion
    }

    /// Writes the file atomically (to a temporary name, then renamed over any older file).
    public static func write(_ catalog: CatalogDescription, to url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            let connection = try SQLiteConnection(path: temporary.path, mode: .readWriteCreate)
            let rows = TapSchema.rows(for: catalog)
            try connection.transaction {
                for table in TapSchema.tables {
                    let columns = table.columns.map { "\"\($0.name)\" \($0.sqliteType)" }.joined(separator: ", ")
                    try connection.execute("CREATE TABLE \"\(table.name)\" (\(columns))")
                    let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                    let insert = try connection.prepare("INSERT INTO \"\(table.name)\" VALUES (\(placeholders))")
                    for row in rows[table.name] ?? [] {
                        try insert.bind(row)
                        try insert.run()
                    }
                    for column in table.columns where column.indexed {
                        try connection.execute(
                            "CREATE INDEX \"\(table.name)_\(column.name)\" ON \"\(table.name)\" (\"\(column.name)\")")
                    }
                }
                try connection.execute("PRAGMA user_version = \(layoutVersion)")
            }
        }
        // rename(2) replaces an older file in one step: a reader sees the old file or the new.
        if rename(temporary.path, url.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
