import Catalog
import DemoData
import Ingest
import QueryEngine
import TAPService
import Tabular

/// Serves the TAP layer's queries from a `SkyShardEngine`.
struct EngineAdapter: TAPQueryEngine {
    let engine: SkyShardEngine

    func execute(_ request: TAPQueryRequest) async throws -> QueryResult {
        try await start(request).result
    }

    func start(_ request: TAPQueryRequest) async throws -> TAPRunningQuery {
        let running = try await engine.start(
            request.adql, rowLimit: request.rowsNeeded, timeout: request.timeLimit, user: request.user ?? "anonymous")
        let lifetime = running.lifetime
        return TAPRunningQuery(result: running.result, progress: { lifetime.progress })
    }

    func tableSet() async throws -> TAPTableSet? {
        let catalog = engine.catalog
        return TAPTableSet(catalog: catalog)
    }
}

extension TAPTableSet {
    /// The VOSI table set of a catalog: every schema, table and column with its metadata, and
    /// the child tables' foreign keys to their director.
    init(catalog: CatalogDescription) {
        let schemas = catalog.schemas.map { schema in
            Schema(
                name: schema.name, description: schema.description,
                tables: catalog.tables.filter { $0.schema == schema.name }.map { table in
                    var foreignKeys: [ForeignKey] = []
                    if case .child(let director, let key) = table.partitioning,
                        let target = catalog.table(schema: table.schema, name: director),
                        let targetKey = target.directorSpec?.keyColumn
                    {
                        foreignKeys.append(ForeignKey(targetTable: target.qualifiedName, columns: [(key, targetKey)]))
                    }
                    return Table(
                        name: table.qualifiedName, description: table.description,
                        columns: table.columns.map {
                            Column(
                                $0.fieldDescriptor, indexed: $0.indexed, principal: $0.principal,
                                nullable: $0.nullable)
                        },
                        foreignKeys: foreignKeys)
                })
        }
        self.init(schemas: schemas)
    }
}
