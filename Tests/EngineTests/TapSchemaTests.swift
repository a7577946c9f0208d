import Catalog
import Foundation
import Tabular
import Testing

@testable import QueryEngine
@testable import SQLiteKit

/// TAP_SCHEMA as the engine serves it: the foreign keys of the catalog, the delimited column
/// `"size"`, and tap_schema.sqlite's indexes and layout version.
@Suite(.serialized) struct TapSchemaEngineTests {
    let engine = EngineFixture.engine

    @Test func theDelimitedColumnSizeIsQueryable() async throws {
        let rows = try await EngineFixture.run(
            """
            SELECT "size", arraysize FROM tap_schema.columns
            WHERE table_name = 'dp02_dc2_catalogs.Object' AND column_name = 'refBand'
            """)
        #expect(rows.rowCount == 1)
        #expect(rows[0, 0].int64Value == 1)
        let published = try await EngineFixture.run(
            "SELECT column_name, std, principal FROM tap_schema.columns WHERE \"size\" IS NULL AND column_name = '\"size\"'")
        #expect(published.rowCount == 1)
        #expect(published[0, 0] == .text("\"size\""))
        #expect(published[0, 1].int64Value == 1 && published[0, 2].int64Value == 0)
        // `size` is reserved: undelimited it is a syntax error; delimited it is case-sensitive.
        for adql in ["SELECT size FROM tap_schema.columns", "SELECT \"SIZE\" FROM tap_schema.columns"] {
            await #expect(throws: QueryError.self, "\(adql)") { _ = try await EngineFixture.run(adql) }
        }
    }

    @Test func keysHoldTheCatalogsForeignKeys() async throws {
        let rows = try await EngineFixture.run(
            """
            SELECT k.target_table, c.from_column, c.target_column
            FROM tap_schema.keys AS k JOIN tap_schema.key_columns AS c ON c.key_id = k.key_id
            WHERE k.from_table = 'dp02_dc2_catalogs.ForcedSource' ORDER BY k.target_table
            """)
        #expect(
            (0..<rows.rowCount).map { r in (0..<3).map { rows[r, $0] } } == [
                [.text("dp02_dc2_catalogs.CcdVisit"), .text("ccdVisitId"), .text("ccdVisitId")],
                [.text("dp02_dc2_catalogs.Object"), .text("objectId"), .text("objectId")],
            ])
        let own = try await EngineFixture.run(
            "SELECT COUNT(*) FROM tap_schema.keys WHERE from_table LIKE 'tap_schema.%' AND target_table LIKE 'tap_schema.%'")
        #expect(own[0, 0].int64Value == 5)
    }

    @Test func theFileIndexesTheIndexedColumnsAndRecordsItsLayout() throws {
        let connection = try SQLiteConnection(path: engine.version.tapSchemaFile.path, mode: .readOnly)
        let indexes = try connection.query(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name, name")
        for table in TapSchema.tables {
            for column in table.columns where column.indexed {
                let found = indexes.contains { index in
                    guard case .text(let sql) = index[1] else { return false }
                    return index[0] == .text(table.name) && sql.contains("(\"\(column.name)\")")
                }
                #expect(found, "index on \(table.name).\(column.name)")
            }
        }
        #expect(try connection.query("PRAGMA user_version") == [[.integer(TapSchemaDatabase.layoutVersion)]])
    }

    /// A version whose tap_schema.sqlite an older build wrote is served the current layout.
    @Test func anOutdatedFileIsRewritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapschema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let version = CatalogVersion(directory: directory)
        do {
            let old = try SQLiteConnection(path: version.tapSchemaFile.path, mode: .readWriteCreate)
            try old.execute("CREATE TABLE keys (key_id TEXT, from_table TEXT, target_table TEXT)")
        }
        let catalog = try engine.version.loadDescription()
        let url = try TapSchemaDatabase.ensure(version: version, catalog: catalog)
        #expect(url == version.tapSchemaFile)
        let connection = try SQLiteConnection(path: url.path, mode: .readOnly)
        #expect(try connection.query("PRAGMA user_version") == [[.integer(TapSchemaDatabase.layoutVersion)]])
        #expect(try connection.query("SELECT COUNT(*) FROM key_columns")[0][0].int64Value ?? 0 > 5)
        // A current file is kept as it is.
        let inode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int
        _ = try TapSchemaDatabase.ensure(version: version, catalog: catalog)
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int == inode)
    }
}
