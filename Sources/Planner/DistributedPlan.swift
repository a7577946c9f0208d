import ADQL
import Columnar
import Sky
import Tabular

/// One pass's note in a plan, kept as its parts: the text is made only when someone reads
/// `DistributedPlan.passes` (an explanation or a test), not on every plan (formatting a
/// region's doubles and the counts is a noticeable part of planning a cone search, and most
/// plans are never explained).
enum PlanNote: Sendable {
    case text(String)
    /// `bind: N table(s), M result column(s)`
    case bind(tables: Int, columns: Int)
    /// `spatial-pruning: <region>`
    case spatialPruning(SkyRegion)
    /// `chunk-pruning: K of N chunks kept`
    case chunksKept(Int, of: Int)

    var text: String {
        switch self {
        case .text(let s): s
        case .bind(let tables, let columns): "bind: \(tables) table(s), \(columns) result column(s)"
        case .spatialPruning(let region): "spatial-pruning: \(region)"
        case .chunksKept(let kept, let all): "chunk-pruning: \(kept) of \(all) chunks kept"
        }
    }
}

/// How the coordinator combines the rows that the chunk statements return.
public enum MergeStep: Sendable, Hashable {
    /// Rows are streamed to the client as they arrive, in no particular order; after
    /// `offset + limit` rows the outstanding chunks are stopped.
    case concatenate(limit: Int?, offset: Int)
    /// Rows are collected into the coordinator's merge table `merge(c0, c1, ...)` and the
    /// merge statement's rows are the result (aggregation, ordering, DISTINCT, HAVING).
    case mergeSQL(sql: String, mergeColumns: Int)
}

/// A TOP with ORDER BY whose chunk statements take a bound on the first sort key: each chunk
/// statement has the parameter `?1` in a term `(?1 IS NULL OR key >= ?1)` (descending; for
/// ascending `key <= ?1 OR key IS NULL`, NULLs sorting first), ANDed to its WHERE clause. The
/// executor binds the `count`-th best key among the rows the merge has received so far when it
/// starts each chunk statement (NULL before there are that many): a row beyond it cannot be in
/// the result, so a chunk started late skips its rows instead of sorting them.
public struct TopKBound: Sendable, Hashable {
    /// The merge column (`c<column>`) that holds the first sort key.
    public var column: Int
    public var descending: Bool
    /// TOP + OFFSET: rows the merge keeps.
    public var count: Int

    public init(column: Int, descending: Bool, count: Int) {
        self.column = column
        self.descending = descending
        self.count = count
    }
}

/// Where the chunk statement runs.
public enum PlanTarget: Sendable, Hashable {
    /// On each listed chunk.
    case chunks([Int])
    /// Once, on the replicated tables only.
    case replicated
}

/// A query rewritten for scatter-gather: one statement for every chunk, and a merge.
public struct DistributedPlan: Sendable {
    /// The result's columns.
    public var fields: [FieldDescriptor]
    /// The rewrite passes that were applied, in order, with a note on what each did.
    public var passes: [String] {
        get { notes.map(\.text) }
        set { notes = newValue.map(PlanNote.text) }
    }
    /// `passes` before their text is made.
    var notes: [PlanNote]
    /// The statement each chunk runs (the same text for every chunk: each chunk is its own
    /// file, so the template's chunk substitution is the choice of file).
    public var chunkSQL: String
    public var target: PlanTarget
    /// How many chunks hold data in the catalog, for "kept N of M".
    public var totalChunks: Int
    public var merge: MergeStep
    /// Small queries (few chunks) run in the interactive lane.
    public var interactive: Bool
    /// When not empty, each chunk runs these statements instead of `chunkSQL`: the same query
    /// over disjoint parts of the chunk's rows (a dense one-chunk cone's zones cut in two, so
    /// that both cores work on it). The merge is the same: the parts are merged like chunks.
    public var chunkSQLParts: [String] = []
    /// When set, the chunk statements take the bound `?1` on the first sort key (see `TopKBound`).
    public var topKBound: TopKBound?
    /// What the statements bind for the uploaded tables they read (`Uploads`), if any.
    public var uploadBindings: UploadBindings?
    /// How an upload was split over the chunks (`uploadPartitioning`), if it was.
    public var uploadPartition: UploadPartition?
    /// The chunk statement as the vectorised executor's plan over the chunks' column files,
    /// when every expression it needs is supported (`ColumnarCompiler`); a chunk without
    /// current column files, or with more groups than the executor's bound, runs `chunkSQL`.
    public var columnar: ColumnarPlan?
    /// Why the chunk statement runs on SQLite only (when `columnar` is nil), for EXPLAIN.
    public var sqliteReason = "not compiled"

    /// The values bound to the statement's parameters on `chunkId` (nil: the replicated
    /// target), before the top-k bound's `?1` (which the executor sets when the statement
    /// starts).
    public func parameters(forChunk chunkId: Int?) -> [Value] {
        uploadBindings?.parameters(forChunk: chunkId) ?? []
    }

    public var chunkIds: [Int] {
        if case .chunks(let ids) = target { return ids }
        return []
    }

    /// A readable account of the plan (`skyshard explain`).
    public var explanation: String {
        var lines: [String] = []
        lines.append("passes:")
        for pass in passes { lines.append("  - \(pass)") }
        switch target {
        case .chunks(let ids):
            let shown = ids.prefix(20).map(String.init).joined(separator: ", ")
            lines.append(
                "chunks: \(ids.count) of \(totalChunks) kept" + (ids.isEmpty ? "" : " [\(shown)\(ids.count > 20 ? ", ..." : "")]")
            )
        case .replicated:
            lines.append("chunks: none (replicated tables only, run once)")
        }
        if let partition = uploadPartition { lines += partition.explanation }
        if let bindings = uploadBindings {
            let whole = bindings.values.indices.filter { i in
                if case .text = bindings.values[i], i != bindings.partitionedParameter { return true }
                return false
            }
            if !whole.isEmpty {
                lines.append(
                    "uploads read whole by every statement: " + whole.map { "?\($0 + 1)" }.joined(separator: ", "))
            }
        }
        lines.append("lane: \(interactive ? "interactive" : "scan")")
        if let columnar {
            lines.append("chunk path: columnar (\(columnar.summary)); SQLite for a chunk without current column files")
        } else {
            lines.append("chunk path: SQLite (\(sqliteReason))")
        }
        lines.append("chunk SQL (run in chunk_{chunkId}.sqlite):")
        if chunkSQLParts.isEmpty {
            lines.append("  \(chunkSQL)")
        } else {
            lines.append("  in \(chunkSQLParts.count) parts, run at once:")
            for part in chunkSQLParts { lines.append("  \(part)") }
        }
        if let bound = topKBound {
            lines.append(
                "  ?1 = the \(bound.count)th \(bound.descending ? "largest" : "smallest") c\(bound.column) merged so far "
                    + "when the chunk's statement starts (NULL before)")
        }
        switch merge {
        case .concatenate(let limit, let offset):
            var m = "merge: stream rows as they arrive"
            if offset > 0 { m += ", skip \(offset)" }
            if let limit { m += ", stop after \(limit) rows" }
            lines.append(m)
        case .mergeSQL(let sql, let columns):
            lines.append("merge: collect into merge(c0..c\(columns - 1)), then")
            lines.append("  \(sql)")
        }
        lines.append("columns: " + fields.map { "\($0.name) \($0.datatype.rawValue)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
