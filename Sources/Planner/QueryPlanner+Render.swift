import ADQL
import Catalog
import Columnar

// The last passes: `mergeRewrite`, `render`.
extension QueryPlanner {
    /// A query split into the statement each chunk runs and the merge (`mergeRewrite`).
    struct RewrittenQuery {
        var banded: BandedQuery
        var split: MergeRewriter.Result
    }

    /// Pass `mergeRewrite`: the statement each chunk runs and the merge of their rows (see
    /// `MergeRewriter`).
    func mergeRewrite(_ banded: consuming BandedQuery) throws -> RewrittenQuery {
        let split = try MergeRewriter(bound: banded.pruned.query.bound).rewrite()
        for pass in split.passes { banded.pruned.query.notes.append(.text(pass)) }
        return RewrittenQuery(banded: banded, split: split)
    }

    /// Pass `render`: the SQL of the chunk statement (of each of its parts, for a zone split)
    /// and of the merge.
    func render(_ rewritten: consuming RewrittenQuery) throws -> DistributedPlan {
        // Each part of the band runs as a statement of its own (below).
        if !rewritten.banded.parts.isEmpty {
            rewritten.banded.pruned.query.notes.append(
                .text(
                    "zone-split: the chunk's box holds many rows; its zones run as \(rewritten.banded.parts.count) statements at once"
                ))
        }
        var mapper = TableMapper(tables: rewritten.banded.pruned.query.bound.tables)
        mapper.overlapCorrelations = rewritten.banded.pruned.query.overlapReads
        mapper.uploadParameters = uploadParameters
        mapper.bandedUpload = rewritten.banded.pruned.bandedUpload
        mapper.bandedUploadColumns = rewritten.banded.pruned.bandedUploadColumns
        let chunkSQL = try SQLGeneration.render(rewritten.split.chunkQuery, tables: mapper)
        // A dense one-chunk box or cone: its zones in parts, one statement each, on both cores.
        // The chunk query keeps the band as the first term of its WHERE clause: each part's
        // statement is that query with the part's band in its place (the merge rewrite is not
        // repeated); otherwise the part's query is rewritten from the bound statement.
        var parts: [String] = []
        for half in rewritten.banded.parts {
            if let band = rewritten.banded.band, case .select(var chunkSelect) = rewritten.split.chunkQuery.body,
                let whereClause = chunkSelect.whereClause, case .binary(.and, let first, let rest) = whereClause.kind,
                first == band
            {
                chunkSelect.whereClause = Expression(.binary(.and, half, rest), range: whereClause.range)
                var query = rewritten.split.chunkQuery
                query.body = .select(chunkSelect)
                parts.append(try SQLGeneration.render(query, tables: mapper))
                continue
            }
            var b = rewritten.banded.pruned.query.bound
            b.statement.whereClause = Expression.and([half, rewritten.banded.unbandedWhere].compactMap { $0 })
            parts.append(try SQLGeneration.render(try MergeRewriter(bound: b).rewrite().chunkQuery, tables: mapper))
        }
        let merge: MergeStep
        switch rewritten.split.merge {
        case .concatenate(let limit, let offset): merge = .concatenate(limit: limit, offset: offset)
        case .query(let mergeQuery, let columns):
            merge = .mergeSQL(sql: try SQLGeneration.render(mergeQuery, tables: .merge), mergeColumns: columns)
        }
        let chunkCount: Int
        let pruned = rewritten.banded.pruned
        switch pruned.target {
        case .chunks(let ids): chunkCount = ids.count
        case .replicated: chunkCount = 1
        }
        var plan = DistributedPlan(
            fields: pruned.query.bound.outputs.map(\.field), notes: pruned.query.notes, chunkSQL: chunkSQL, target: pruned.target,
            totalChunks: catalog.chunkRowCounts.count, merge: merge,
            interactive: chunkCount <= interactiveChunkLimit, chunkSQLParts: parts)
        plan.topKBound = rewritten.split.topKBound
        plan.uploadBindings = pruned.uploadBindings
        plan.uploadPartition = pruned.uploadPartition
        switch columnarPath(rewritten) {
        case .success(let columnar): plan.columnar = columnar
        case .failure(let unsupported): plan.sqliteReason = unsupported.reason
        }
        return plan
    }

    /// Pass `columnarPath` (noted on EXPLAIN's `chunk path` line): the chunk statement as the
    /// vectorised executor's plan, for a scan of one partitioned table. A statement whose
    /// position band reads the chunk's (lat, lon) or zone index, or that is cut into parts,
    /// reads few rows and stays on SQLite.
    func columnarPath(_ rewritten: RewrittenQuery) -> Result<ColumnarPlan, ColumnarCompiler.Unsupported> {
        let pruned = rewritten.banded.pruned
        guard case .chunks = pruned.target else { return .failure(.init("replicated tables only")) }
        guard rewritten.banded.band == nil, rewritten.banded.parts.isEmpty else {
            return .failure(.init("the position band reads the chunk's index"))
        }
        guard pruned.uploadBindings == nil, pruned.query.nearNeighbour == nil else {
            return .failure(.init("a join"))
        }
        return ColumnarCompiler.compile(rewritten.split.chunkQuery, tables: pruned.query.bound.tables)
    }
}

/// The tables a query's SQL names, mapped to where they live in a chunk file.
struct TableMapper: Sendable {
    var tables: [BoundTable]
    /// Director references that read the chunk's rows and its overlap rows.
    var overlapCorrelations: Set<String> = []
    /// Uploaded tables (by name) and the parameter that holds their rows.
    var uploadParameters: [String: Int] = [:]
    /// The upload whose rows carry their declination band (`uploadPartitioning`).
    var bandedUpload: String?
    /// The hidden columns its rows carry after the upload's own (band, and zone and window).
    var bandedUploadColumns: [String] = []

    static let merge = TableMapper(tables: [])

    func sqlName(schema: String, table: String) -> String {
        if tables.isEmpty { return "\"merge\"" }
        guard let info = tables.first(where: { $0.info.schema == schema && $0.info.name == table })?.info else {
            return SQLGeneration.quote(table)
        }
        if info.isPartitioned { return SQLGeneration.quote(info.name) }
        if info.schema == Uploads.schemaName, let parameter = uploadParameters[info.name] {
            return Uploads.tableSQL(
                info, parameter: parameter,
                extraColumns: bandedUpload == info.name ? bandedUploadColumns : [])
        }
        // Replicated tables live in attached databases: TAP_SCHEMA in its own, the catalog's
        // small tables in `replicated`.
        let database = info.schema == TapSchema.schemaName ? TapSchema.schemaName : "replicated"
        return SQLGeneration.quote(database) + "." + SQLGeneration.quote(info.name)
    }
}
