import ADQL
import Catalog
import Sky
import Tabular

/// Looks up which chunks hold director rows with given keys (the objectId → chunk index).
public protocol DirectorIndex: Sendable {
    func chunks(forKeys keys: [Int64]) throws -> Set<Int>
    func chunks(forKeysBetween low: Int64, and high: Int64) throws -> Set<Int>
}

/// Turns a bound ADQL SELECT into a `DistributedPlan` through ordered, named passes.
public struct QueryPlanner: Sendable {
    public let catalog: CatalogDescription
    public let chunker: Chunker
    public let directorIndex: (any DirectorIndex)?
    public let functions: FunctionRegistry
    /// Queries that touch at most this many chunks run in the interactive lane.
    public var interactiveChunkLimit = 8

    public init(catalog: CatalogDescription, directorIndex: (any DirectorIndex)?, functions: FunctionRegistry = .standard) {
        self.catalog = catalog
        self.chunker = Chunker(
            numStripes: catalog.chunking.numStripes,
            numSubStripesPerStripe: catalog.chunking.numSubStripesPerStripe)
        self.directorIndex = directorIndex
        self.functions = functions
    }

    public func plan(_ query: Query) throws -> DistributedPlan {
        try Self.checkDistributable(query)
        var passes: [String] = []
        let bound = try Binder(catalog: catalog, functions: functions).bind(query)
        passes.append("bind: \(bound.tables.count) table(s), \(bound.outputs.count) result column(s)")

        let partitioned = bound.tables.filter { $0.info.isPartitioned }
        let directors = bound.tables.filter { $0.info.directorSpec != nil }
        if directors.count > 1 {
            throw QueryError(
                .semantic,
                "a join of the director table \(directors[0].info.name) with itself needs the near-neighbour pass; write it as a single reference or join through a child table")
        }
        // Joins between partitioned tables must be on the director key inside one chunk.
        try checkPartitionedJoins(bound, partitioned: partitioned)

        // Chunk selection.
        var target: PlanTarget
        if partitioned.isEmpty {
            target = .replicated
            passes.append("replicated-only: run once on the replicated tables")
        } else {
            let all = Set(catalog.chunkRowCounts.keys)
            var chunkSet = ChunkSet.all
            if let whereClause = bound.statement.whereClause {
                let pruner = ChunkPruner(
                    chunker: chunker, tables: bound.tables, directorIndex: directorIndex)
                chunkSet = try pruner.chunks(for: whereClause)
                for note in pruner.notes.value { passes.append(note) }
            }
            let kept: [Int]
            switch chunkSet {
            case .all: kept = all.sorted()
            case .some(let ids): kept = ids.intersection(all).sorted()
            }
            if kept.count < all.count {
                passes.append("chunk-pruning: \(kept.count) of \(all.count) chunks kept")
            }
            target = .chunks(kept)
        }

        let split = try MergeRewriter(bound: bound).rewrite()
        passes.append(contentsOf: split.passes)
        let mapper = TableMapper(tables: bound.tables)
        let chunkSQL = try SQLGeneration.render(split.chunkQuery, tables: mapper)
        let merge: MergeStep
        switch split.merge {
        case .concatenate(let limit, let offset): merge = .concatenate(limit: limit, offset: offset)
        case .query(let mergeQuery, let columns):
            merge = .mergeSQL(sql: try SQLGeneration.render(mergeQuery, tables: .merge), mergeColumns: columns)
        }
        let chunkCount: Int
        switch target {
        case .chunks(let ids): chunkCount = ids.count
        case .replicated: chunkCount = 1
        }
        return DistributedPlan(
            fields: bound.outputs.map(\.field), passes: passes, chunkSQL: chunkSQL, target: target,
            totalChunks: catalog.chunkRowCounts.count, merge: merge,
            interactive: chunkCount <= interactiveChunkLimit)
    }

    /// The distributed planner handles one SELECT block over catalog tables; other shapes are
    /// planned by the coordinator on top of it.
    static func checkDistributable(_ query: Query) throws {
        guard query.with.isEmpty else {
            throw QueryError(.semantic, "WITH is evaluated by the coordinator")
        }
        guard case .select(let select) = query.body else {
            throw QueryError(.semantic, "set operations are evaluated by the coordinator")
        }
        func hasDerived(_ ref: TableReference) -> Bool {
            switch ref {
            case .table: false
            case .derived: true
            case .join(let j): hasDerived(j.left) || hasDerived(j.right)
            }
        }
        if select.from.contains(where: hasDerived) {
            throw QueryError(.semantic, "derived tables are evaluated by the coordinator")
        }
    }

    private func checkPartitionedJoins(_ bound: BoundSelect, partitioned: [BoundTable]) throws {
        guard partitioned.count > 1 else { return }
        // Every partitioned table other than the director must be a child joined through its
        // foreign key; children of one director share its chunk, so the join is chunk-local.
        let directorNames = Set(partitioned.compactMap { table -> String? in
            switch table.info.partitioning {
            case .director: table.info.name
            case .child(let director, _): director
            case .replicated: nil
            }
        })
        if directorNames.count > 1 {
            throw QueryError(.semantic, "tables partitioned by different directors cannot be joined")
        }
    }
}

/// The tables a query's SQL names, mapped to where they live in a chunk file.
struct TableMapper: Sendable {
    var tables: [BoundTable]

    static let merge = TableMapper(tables: [])

    func sqlName(schema: String, table: String) -> String {
        if tables.isEmpty { return "\"merge\"" }
        guard let info = tables.first(where: { $0.info.schema == schema && $0.info.name == table })?.info else {
            return SQLGeneration.quote(table)
        }
        if info.isPartitioned { return SQLGeneration.quote(info.name) }
        // Replicated tables live in attached databases: TAP_SCHEMA in its own, the catalog's
        // small tables in `replicated`.
        let database = info.schema == TapSchema.schemaName ? TapSchema.schemaName : "replicated"
        return SQLGeneration.quote(database) + "." + SQLGeneration.quote(info.name)
    }
}
