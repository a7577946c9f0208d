import Columnar
import SQLiteKit
import Tabular

/// One unit of distributed work: a statement to run against one chunk.
public struct ChunkTask: Sendable, Hashable {
    public var chunkId: Int
    /// SQLite SQL over the chunk's tables (`"Object"`, `"ForcedSource"`, the director's overlap
    /// table) and the replicated tables (schema `replicated`). Generated from the AST only.
    public var sql: String
    /// Values bound to the statement's `?` parameters.
    public var parameters: [Value]
    /// Whether the query is small enough for the interactive lane.
    public var interactive: Bool
    /// A TOP with ORDER BY's running bound (`TopKBound`), bound as the statement's `?1` when it
    /// starts (in place of `parameters`' first value, if any).
    public var threshold: TopKThreshold?
    /// The statement as a plan of the vectorised executor, which a worker with the chunk's
    /// column files may run instead of `sql` (the same rows).
    public var columnar: ColumnarPlan?

    public init(
        chunkId: Int, sql: String, parameters: [Value] = [], interactive: Bool, threshold: TopKThreshold? = nil,
        columnar: ColumnarPlan? = nil
    ) {
        self.columnar = columnar
        self.chunkId = chunkId
        self.sql = sql
        self.parameters = parameters
        self.interactive = interactive
        self.threshold = threshold
    }

    /// The values to bind when the statement starts: the running bound, if any, is read now.
    /// (A worker on another host receives these, taken when the task is sent.)
    public var boundParameters: [Value] {
        guard let threshold else { return parameters }
        return [threshold.current] + parameters.dropFirst()
    }
}

/// Where a query's chunk statements put their batches.
public enum BatchSink: Sendable {
    /// A consumer that may suspend (the result's channel): the statement waits for it.
    /// `hasRoom`, when given, says whether a batch would be taken now without waiting (the
    /// channel's buffer is not full); a shared pass hands a statement whose consumer has no
    /// room to run alone at once instead of waiting for that consumer.
    case consumer(@Sendable (RowBatch) async throws -> Void, hasRoom: (@Sendable () -> Bool)? = nil)
    /// Called on the pool thread that stepped the batch, which it may use for blocking work
    /// (a merge table's inserts) but never to wait for a consumer: a statement whose batches
    /// go here runs to its end in one pool job.
    case local(@Sendable (RowBatch) throws -> Void)

    /// The sink as a suspending function, for workers that deliver only that way.
    public var deliver: @Sendable (RowBatch) async throws -> Void {
        switch self {
        case .consumer(let deliver, _): return deliver
        case .local(let sink): return { try sink($0) }
        }
    }
}

/// Something that runs chunk statements: the in-process worker over local SQLite files, or a
/// client of a worker on another host. The planner and the merge know workers only through
/// this protocol, so nothing above assumes that chunk files are local.
public protocol ShardWorker: Sendable {
    /// The chunks this worker serves.
    var chunkIds: Set<Int> { get }

    /// Runs `task` and hands its rows to `deliver` in batches of at most `batchRows` rows.
    /// `deliver` may suspend: the worker does not read further rows until it returns
    /// (back-pressure). Cancelling the calling task stops the statement promptly.
    func run(
        _ task: ChunkTask, batchRows: Int,
        deliver: @Sendable (RowBatch) async throws -> Void
    ) async throws

    /// Runs `task` into `sink`. The executor runs every chunk statement through this call. A
    /// `.local` sink takes batches on the thread that stepped them, which only a worker that
    /// steps statements in this process can offer; the default delivers through `run(_:batchRows:deliver:)`.
    func run(_ task: ChunkTask, batchRows: Int, sink: BatchSink) async throws

    /// A stream that steps `task`'s statement itself, one batch per request of the reader, for a
    /// one-chunk interactive plan: no channel, no thread hop per batch. Nil (the default) from a
    /// worker that cannot, such as one on another host; the executor then scatters as usual.
    func directStream(_ task: ChunkTask, batchRows: Int, stats: ExecutorStats) -> DirectChunkStream?

    /// Whether this worker runs the scan-lane statements of concurrent queries in shared
    /// passes over its chunks (`runShared`); the executor then hands it all of a query's
    /// scan-lane tasks at once instead of fanning them out itself.
    var sharesScans: Bool { get }

    /// Runs every task of one query (all on chunks this worker serves), sharing each chunk's
    /// pass with the other queries that need the chunk, and returns when all are done,
    /// reporting each finished statement to `lifetime`. Cancelling the calling task stops this
    /// query's statements only. The default runs the tasks one after another.
    func runShared(
        _ tasks: [ChunkTask], batchRows: Int, stats: ExecutorStats?, lifetime: QueryLifetime, sink: BatchSink
    ) async throws
}

extension ShardWorker {
    public func run(_ task: ChunkTask, batchRows: Int, sink: BatchSink) async throws {
        try await run(task, batchRows: batchRows, deliver: sink.deliver)
    }

    public func directStream(_ task: ChunkTask, batchRows: Int, stats: ExecutorStats) -> DirectChunkStream? { nil }

    public var sharesScans: Bool { false }

    public func runShared(
        _ tasks: [ChunkTask], batchRows: Int, stats: ExecutorStats?, lifetime: QueryLifetime, sink: BatchSink
    ) async throws {
        for task in tasks {
            try await run(task, batchRows: batchRows, sink: sink)
            lifetime.chunkDone()
        }
    }
}
