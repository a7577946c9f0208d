import Catalog
import DemoData
import Ingest
import QueryEngine
import TAPService
import Tabular

/// Serves the TAP layer's queries from a `SkyShardEngine`.
struct EngineAdapter: TAPQueryEngine {
    let engine: SkyShardEngine

    /// The engine queries `TAP_UPLOAD` tables, so the service accepts UPLOAD and says so.
    var acceptsUploads: Bool { true }

    func execute(_ request: TAPQueryRequest) async throws -> QueryResult {
        try await start(request).result
    }

    func start(_ request: TAPQueryRequest) async throws -> TAPRunningQuery {
        let running = try await engine.start(
            request.adql, rowLimit: request.rowsNeeded, timeout: request.timeLimit, user: request.user ?? "anonymous",
            uploads: request.uploads)
        let lifetime = running.lifetime
        return TAPRunningQuery(
            result: running.result, progress: { lifetime.progress }, stop: { lifetime.stop($0) })
    }

    /// Available while the engine runs; degraded (said in the note) while some chunk files are
    /// missing or unreadable: queries touching them fail naming the chunk, the rest are answered.
    func availability() async -> TAPAvailability {
        let unreadable = engine.unreadableChunks()
        guard !unreadable.isEmpty else { return TAPAvailability(isAvailable: true) }
        let shown = unreadable.prefix(20).map(String.init).joined(separator: ", ")
        let more = unreadable.count > 20 ? " and \(unreadable.count - 20) more" : ""
        return TAPAvailability(
            isAvailable: true,
            note: "degraded: \(unreadable.count) of \(engine.catalog.chunkRowCounts.count) chunks cannot be read "
                + "(chunk \(shown)\(more)); queries touching them fail with an error naming the chunk, others are answered")
    }

    func tableSet() async throws -> TAPTableSet? {
        let catalog = engine.catalog
        return TAPTableSet(catalog: catalog)
    }
}

extension TAPTableSet {
    /// The VOSI table set of a catalog: every schema, table and column with its metadata, and
    /// the foreign keys, as TAP_SCHEMA publishes them (`TapSchema.rows(for:)`).
    init(catalog: CatalogDescription) {
        let schemas = catalog.schemas.map { schema in
            Schema(
                name: schema.name, description: schema.description,
                tables: catalog.tables.filter { $0.schema == schema.name }.map { table in
                    Table(
                        name: table.qualifiedName, description: table.description,
                        columns: table.columns.map {
                            var field = $0.fieldDescriptor
                            field.name = TapSchema.publishedName($0.name)
                            return Column(
                                field, indexed: $0.indexed, principal: $0.principal,
                                standard: table.schema == TapSchema.schemaName, nullable: $0.nullable)
                        },
                        foreignKeys: catalog.foreignKeys(of: table).map { key in
                            ForeignKey(
                                targetTable: "\(table.schema).\(key.referencedTable)",
                                columns: zip(key.columns, key.referencedColumns).map {
                                    (TapSchema.publishedName($0), TapSchema.publishedName($1))
                                }, description: key.description)
                        })
                })
        }
        self.init(schemas: schemas)
    }
}
