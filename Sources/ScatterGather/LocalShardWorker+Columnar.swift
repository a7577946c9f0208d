import Columnar
import Synchronization
import Tabular

/// How the local worker's chunk statements with a columnar plan went.
public final class ColumnarStats: Sendable {
    private let columnar = Atomic<Int>(0)
    private let fellBack = Atomic<Int>(0)
    private let reasons = Mutex<[String: Int]>([:])

    public init() {}

    /// Chunk statements answered from column files.
    public var columnarChunks: Int { columnar.load(ordering: .relaxed) }
    /// Chunk statements with a columnar plan that ran on SQLite instead.
    public var fallbacks: Int { fellBack.load(ordering: .relaxed) }
    /// Why, with how often.
    public var fallbackReasons: [String: Int] { reasons.withLock { $0 } }

    func answered() { columnar.add(1, ordering: .relaxed) }
    func fellBack(_ reason: String) {
        fellBack.add(1, ordering: .relaxed)
        reasons.withLock { $0[reason, default: 0] += 1 }
    }
}

/// A flag set by a cancellation handler and read by the executor between batches.
final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)
    func stop() { stopped.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopped.load(ordering: .relaxed) }
}

extension LocalShardWorker {
    /// Runs `task`'s columnar plan over its chunk's column files on a pool thread (in the
    /// task's lane), handing the rows to `sink`. False when the chunk must run its SQLite
    /// statement instead: no current column file, or what the executor does not reproduce
    /// (`ColumnarFallback`), such as more groups than `columnarExecutor.maxGroups`.
    func runColumnar(_ task: ChunkTask, plan: ColumnarPlan, sink: BatchSink) async throws -> Bool {
        let file: MappedColumnFile
        switch columnStore.file(chunkId: task.chunkId, table: plan.table) {
        case .success(let f): file = f
        case .failure:
            columnarStats.fellBack("no current column file")
            return false
        }
        let lane: BlockingPool.Lane = task.interactive ? .interactive : .scan
        let flag = StopFlag()
        let executor = columnarExecutor
        let hook = beforeColumnarChunk.withLock { $0 }
        let batch: RowBatch? = try await withTaskCancellationHandler {
            try await pool.run(lane: lane) { [columnarStats] in
                hook?(task.chunkId)
                let rows: RowBatch
                do {
                    rows = try executor.run(plan, file: file, shouldStop: { flag.isStopped })
                } catch let fallback as ColumnarFallback {
                    columnarStats.fellBack(fallback.reason)
                    return nil
                }
                columnarStats.answered()
                // A local sink takes the rows on this pool thread (a merge table's inserts).
                if case .local(let local) = sink {
                    if !rows.isEmpty { try local(rows) }
                    return RowBatch(columnCount: rows.columnCount)
                }
                return rows
            }
        } onCancel: {
            flag.stop()
        }
        guard let batch else { return false }
        if case .consumer(let deliver, _) = sink, !batch.isEmpty { try await deliver(batch) }
        return true
    }
}
