import Catalog
import Foundation
import SQLiteKit
import ScatterGather
import Tabular

/// Writes the TAP_SCHEMA tables of a catalog version into `tap_schema.sqlite`, which chunk
/// connections attach as schema `tap_schema` so that ADQL can query it like any table.
public enum TapSchemaDatabase {
    /// The file for `version`, written if it is missing (versions ingested before TAP_SCHEMA
    /// existed, or a copied catalog). Written beside the catalog when the directory is
    /// writable, else in the temporary directory.
    public static func ensure(version: CatalogVersion, catalog: CatalogDescription) throws -> URL {
        let target = version.tapSchemaFile
        if FileManager.default.fileExists(atPath: target.path) { return target }
        if FileManager.default.isWritableFile(atPath: version.directory.path) {
            try write(catalog, to: target)
            return target
        }
        let fallback = FileManager.default.temporaryDirectory
            .appendingPathComponent("skyshard-tap_schema-\(version.name)-\(ProcessInfo.processInfo.processIdentifier).sqlite")
        try write(catalog, to: fallback)
        return fallback
    }

    /// Writes the file atomically (to a temporary name, then renamed).
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
                }
            }
        }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
