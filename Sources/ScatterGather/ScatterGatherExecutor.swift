import Foundation
import Planner
import SQLiteKit
import Synchronization
import Tabular

/// Runs a `DistributedPlan`: the chunk statement on every chunk of the plan, a bounded number
/// at a time, through the workers that serve them; then the merge. Rows stream to the
/// consumer through a bounded channel, so neither the chunks nor the merge hold a whole
/// result: a slow client slows the chunk statements down instead of filling memory.
///
/// A chunk's failure fails the query (never a silently partial result). Cancelling the result
/// (client gone, ABORT) or passing the time limit interrupts the running statements.
public final class ScatterGatherExecutor: Sendable {
    public let workers: [any ShardWorker]
    public let pool: BlockingPool
    /// Chunk statements in flight per query.
    public let fanOut: Int
    public let batchRows: Int
    /// Batches buffered between the chunks and the consumer.
    public let channelCapacity: Int
    /// Whether scan-lane queries share chunk passes with each other on workers that can
    /// (`ShardWorker.sharesScans`); otherwise each query runs its own chunk statements, `fanOut` at once.
    public let shareScans: Bool
    /// Counters of what the executor did, for monitoring and for the tests that check the
    /// fan-out and buffering bounds.
    public let stats = ExecutorStats()

    public init(
        workers: [any ShardWorker], pool: BlockingPool, fanOut: Int? = nil, batchRows: Int = 1024,
        channelCapacity: Int = 8, shareScans: Bool = true
    ) {
        self.shareScans = shareScans
        self.workers = workers
        self.pool = pool
        self.fanOut = fanOut ?? max(2, pool.threadCount * 2)
        self.batchRows = batchRows
        self.channelCapacity = channelCapacity
    }

    func worker(for chunkId: Int) throws -> any ShardWorker { workers[try workerIndex(for: chunkId)] }

    func workerIndex(for chunkId: Int) throws -> Int {
        guard let index = workers.firstIndex(where: { $0.chunkIds.contains(chunkId) }) else {
            throw QueryError(.unavailable, "no worker serves chunk \(chunkId)", context: ["chunk": "\(chunkId)"])
        }
        return index
    }

    /// Starts the plan and returns the result whose rows arrive as the chunks produce them,
    /// under a lifetime of its own with `timeout` as its time limit.
    public func execute(_ plan: DistributedPlan, timeout: Duration? = nil) -> QueryResult {
        let lifetime = QueryLifetime(timeLimit: timeout)
        return lifetime.owning(execute(plan, lifetime: lifetime))
    }

    /// Starts the plan as part of the query that `lifetime` owns: stopping the lifetime (time
    /// limit, abort, the reader's task cancelled) interrupts the plan's statements and ends
    /// its rows with the reason; progress is counted there. The result's `cancel()` stops the
    /// lifetime. The lifetime's normal end is its owner's to call (a plan may be one step of
    /// a coordinator's query).
    public func execute(_ plan: DistributedPlan, lifetime: QueryLifetime) -> QueryResult {
        if let direct = directResult(plan, lifetime: lifetime) { return direct }
        let channel = BatchChannel(capacity: channelCapacity, stats: stats)
        let producer = Task {
            do {
                switch plan.merge {
                case .concatenate:
                    try await scatter(
                        plan, lifetime: lifetime,
                        sink: .consumer({ batch in try await channel.send(batch) }, hasRoom: { channel.hasRoom }))
                case .mergeSQL(let sql, let columns):
                    try await mergeThroughTable(plan, sql: sql, columns: columns, lifetime: lifetime, channel: channel)
                }
                channel.finish()
            } catch is CancellationError {
                channel.finish(throwing: lifetime.reported(CancellationError()))
            } catch let error as QueryError {
                channel.finish(throwing: error)
            } catch let error as SQLiteError {
                channel.finish(
                    throwing: QueryError(
                        .internal, "a chunk statement failed: \(error.message)",
                        context: ["sql": error.sql ?? ""], cause: error))
            } catch {
                channel.finish(throwing: QueryError(.internal, "the query failed: \(error)", cause: error))
            }
        }
        // Stopping ends the stream with the reason unless it has ended already, and cancels
        // the producer, whose chunk statements interrupt their connections.
        lifetime.onStop { reason in
            channel.finish(throwing: reason)
            producer.cancel()
            channel.consumerCancelled()
        }
        let cancelQuery: @Sendable () -> Void = { lifetime.stop(QueryError(.cancelled, "the query was cancelled")) }
        let limiter = RowLimiter(plan.merge)
        let sequence = RowBatchSequence {
            while true {
                if limiter.isDone {
                    producer.cancel()
                    channel.consumerCancelled()
                    return nil
                }
                let next = try await withTaskCancellationHandler {
                    try await channel.next()
                } onCancel: {
                    cancelQuery()
                }
                guard let batch = next else { return nil }
                if let trimmed = limiter.admit(batch) { return trimmed }
            }
        }
        return QueryResult(fields: plan.fields, batches: sequence, onCancel: cancelQuery)
    }

    /// A plan of one chunk on the interactive lane whose rows stream as they come, read
    /// straight from the chunk's statement (see `DirectChunkStream`); nil for other plans.
    func directResult(_ plan: DistributedPlan, lifetime: QueryLifetime) -> QueryResult? {
        guard plan.interactive, plan.chunkSQLParts.isEmpty, case .concatenate = plan.merge else { return nil }
        let chunkId: Int
        var replicated = false
        switch plan.target {
        case .chunks(let ids) where ids.count == 1: chunkId = ids[0]
        case .replicated:
            guard let any = workers.lazy.flatMap(\.chunkIds).min() else { return nil }
            chunkId = any
            replicated = true
        default: return nil
        }
        guard let worker = try? worker(for: chunkId),
            let stream = worker.directStream(
                ChunkTask(
                    chunkId: chunkId, sql: plan.chunkSQL, parameters: plan.parameters(forChunk: replicated ? nil : chunkId),
                    interactive: true), batchRows: batchRows, stats: stats)
        else { return nil }
        lifetime.chunksStarting(1)
        lifetime.onStop { reason in stream.stop(reason) }
        let limiter = RowLimiter(plan.merge)
        let sequence = RowBatchSequence {
            while true {
                if limiter.isDone {
                    stream.finishEarly()
                    return nil
                }
                guard let batch = try await stream.next() else {
                    lifetime.chunkDone()
                    return nil
                }
                if let trimmed = limiter.admit(batch) { return trimmed }
            }
        }
        return QueryResult(
            fields: plan.fields, batches: sequence,
            onCancel: { lifetime.stop(QueryError(.cancelled, "the query was cancelled")) })
    }

    /// Runs the chunk statement on every chunk, at most `fanOut` at once, handing each batch
    /// to `sink`.
    /// `threshold`: the running bound of a plan with a `TopKBound`, which the sink updates.
    func scatter(
        _ plan: DistributedPlan, lifetime: QueryLifetime, sink: BatchSink, threshold: TopKThreshold? = nil
    ) async throws {
        let tasks: [ChunkTask]
        switch plan.target {
        case .chunks(let ids):
            let statements = plan.chunkSQLParts.isEmpty ? [plan.chunkSQL] : plan.chunkSQLParts
            tasks = ids.flatMap { id in
                statements.map {
                    ChunkTask(
                        chunkId: id, sql: $0, parameters: plan.parameters(forChunk: id), interactive: plan.interactive,
                        threshold: threshold, columnar: plan.columnar)
                }
            }
        case .replicated:
            guard let any = workers.lazy.flatMap(\.chunkIds).min() else {
                throw QueryError(.unavailable, "no worker is available for the replicated tables")
            }
            tasks = [
                ChunkTask(
                    chunkId: any, sql: plan.chunkSQL, parameters: plan.parameters(forChunk: nil), interactive: true,
                    threshold: threshold)
            ]
        }
        lifetime.chunksStarting(tasks.count)
        guard shareScans && !plan.interactive else { return try await fanOutChunks(tasks, lifetime: lifetime, sink: sink) }
        // Scan-lane chunks go to the shared passes of the workers that have them.
        var shared: [Int: [ChunkTask]] = [:]
        var own: [ChunkTask] = []
        for task in tasks {
            let index = try workerIndex(for: task.chunkId)
            // A columnar statement reads its column files, not the chunk's rows: no pass to share.
            if workers[index].sharesScans && task.columnar == nil {
                shared[index, default: []].append(task)
            } else {
                own.append(task)
            }
        }
        let (batchRows, stats) = (self.batchRows, self.stats)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, tasks) in shared {
                let worker = workers[index]
                group.addTask {
                    try await worker.runShared(tasks, batchRows: batchRows, stats: stats, lifetime: lifetime, sink: sink)
                }
            }
            if !own.isEmpty {
                let rest = own
                group.addTask { try await self.fanOutChunks(rest, lifetime: lifetime, sink: sink) }
            }
            try await group.waitForAll()
        }
    }

    /// Runs `tasks`, at most `fanOut` at once, each through the worker that serves its chunk.
    func fanOutChunks(_ tasks: [ChunkTask], lifetime: QueryLifetime, sink: BatchSink) async throws {
        let batchRows = self.batchRows
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func startNext() throws {
                let task = tasks[next]
                next += 1
                let worker = try worker(for: task.chunkId)
                let stats = self.stats
                group.addTask {
                    stats.chunkStarted()
                    defer { stats.chunkFinished() }
                    do {
                        try await worker.run(task, batchRows: batchRows, sink: sink)
                        lifetime.chunkDone()
                    } catch let error as SQLiteError {
                        throw QueryError.chunkFailure(task.chunkId, sql: task.sql, error)
                    }
                }
            }
            while next < tasks.count && next < fanOut { try startNext() }
            while try await group.next() != nil {
                if next < tasks.count { try startNext() }
            }
        }
    }

    /// Collects the chunks' rows in a merge table (a private temporary SQLite database, which
    /// spills to disk when large), then streams the merge statement's rows.
    ///
    /// Rows wait in memory until `MergeTable.bufferedValues` values have arrived, then go into
    /// the table in one transaction on a pool thread: an aggregate's chunks send a row or a
    /// few each, and a pool job and a transaction per chunk cost more than its statement.
    func mergeThroughTable(
        _ plan: DistributedPlan, sql: String, columns: Int, lifetime: QueryLifetime, channel: BatchChannel
    ) async throws {
        let merge = MergeTable(columns: columns)
        let lane: BlockingPool.Lane = plan.interactive ? .interactive : .scan
        // Chunk statements buffer their rows on their pool thread, which also does the flushes.
        let threshold = plan.topKBound.map(TopKThreshold.init)
        try await scatter(
            plan, lifetime: lifetime,
            sink: .local { batch in
                threshold?.observe(batch)
                if merge.buffer(batch) { try merge.flush() }
            }, threshold: threshold)
        if let threshold { stats.chunksStartedWithTopKBound(threshold.boundedStarts) }
        try Task.checkCancellation()
        let batchRows = self.batchRows
        // The last flush, the merge statement and its first batch are one pool job; a
        // cancellation that arrives before the cursor exists stops it as soon as it does.
        let current = Mutex<(cursor: ChunkCursor?, cancelled: Bool)>((nil, false))
        try await withTaskCancellationHandler {
            let (cursor, first) = try await pool.run(lane: lane) { () throws -> (ChunkCursor, (RowBatch, Bool)) in
                try merge.flush()
                let cursor = try merge.cursor(sql)
                if current.withLock({ c in
                    c.cursor = cursor; return c.cancelled
                }) {
                    cursor.cancel()
                }
                return (cursor, try cursor.next(maxRows: batchRows))
            }
            var (batch, done) = first
            while true {
                if !batch.isEmpty { try await channel.send(batch) }
                if done { break }
                try Task.checkCancellation()
                (batch, done) = try await pool.run(lane: lane) { try cursor.next(maxRows: batchRows) }
            }
        } onCancel: {
            current.withLock { c in
                c.cancelled = true
                return c.cursor
            }?.cancel()
        }
    }
}

/// The coordinator's merge table. Batches from several chunk tasks are buffered under one
/// lock and inserted under another, so that buffering never waits for an insert.
final class MergeTable: @unchecked Sendable {
    /// Values buffered in memory before they are inserted.
    static let bufferedValues = 1 << 16

    let columns: Int
    private let pending = Mutex<(batches: [RowBatch], values: Int)>(([], 0))
    /// Guards `storage`, which the first flush opens.
    private let lock = NSLock()
    private var storage: (connection: SQLiteConnection, insert: SQLiteStatement)?

    init(columns: Int) {
        self.columns = columns
    }

    /// Keeps `batch` in memory; true when enough is buffered that it is time to `flush`.
    func buffer(_ batch: RowBatch) -> Bool {
        pending.withLock { p in
            p.batches.append(batch)
            p.values += batch.values.count
            return p.values >= Self.bufferedValues
        }
    }

    /// Inserts the buffered rows, in one transaction. On a pool thread.
    func flush() throws {
        let batches = pending.withLock { p -> [RowBatch] in
            defer { p = ([], 0) }
            return p.batches
        }
        lock.lock()
        defer { lock.unlock() }
        let (connection, insert) = try openStorage()
        if batches.isEmpty { return }
        try connection.transaction {
            for batch in batches { try insert.insertRows(of: batch, columns: columns) }
        }
    }

    /// The merge statement over the table; after the last `flush`.
    func cursor(_ sql: String) throws -> ChunkCursor {
        lock.lock()
        defer { lock.unlock() }
        let (connection, _) = try openStorage()
        connection.restrictReads(to: ["merge"])
        return ChunkCursor(connection: connection, statement: try connection.prepare(sql))
    }

    /// Under `lock`.
    private func openStorage() throws -> (connection: SQLiteConnection, insert: SQLiteStatement) {
        if let storage { return storage }
        // An empty path opens a private temporary database that SQLite spills to disk.
        let connection = try SQLiteConnection(path: "", mode: .readWriteCreate)
        try connection.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384")
        let names = (0..<columns).map { "\"c\($0)\"" }.joined(separator: ", ")
        try connection.execute("CREATE TABLE \"merge\" (\(names))")
        UserFunctions.register(on: connection)
        let placeholders = Array(repeating: "?", count: columns).joined(separator: ", ")
        let opened = (connection, try connection.prepare("INSERT INTO \"merge\" VALUES (\(placeholders))"))
        storage = opened
        return opened
    }
}

/// Applies OFFSET and TOP to a concatenated stream.
package final class RowLimiter: Sendable {
    private let state: Mutex<(skip: Int, remaining: Int?)>

    package init(_ merge: MergeStep) {
        switch merge {
        case .concatenate(let limit, let offset): state = Mutex((offset, limit))
        case .mergeSQL: state = Mutex((0, nil))
        }
    }

    package var isDone: Bool { state.withLock { $0.remaining == 0 } }

    /// The part of `batch` that belongs to the result, or nil if none of it does.
    package func admit(_ batch: RowBatch) -> RowBatch? {
        state.withLock { s in
            var rows = batch.rowCount
            var start = 0
            if s.skip > 0 {
                let skipped = min(s.skip, rows)
                s.skip -= skipped
                start = skipped
                rows -= skipped
            }
            if let remaining = s.remaining { rows = min(rows, remaining); s.remaining = remaining - rows }
            if rows <= 0 { return nil }
            if start == 0 && rows == batch.rowCount { return batch }
            let values = Array(batch.values[(start * batch.columnCount)..<((start + rows) * batch.columnCount)])
            return RowBatch(columnCount: batch.columnCount, values: values)
        }
    }
}

/// Running counts of the executor's work.
public final class ExecutorStats: Sendable {
    private let inFlight = Atomic<Int>(0)
    private let maxInFlight = Atomic<Int>(0)
    private let chunks = Atomic<Int>(0)
    private let buffered = Atomic<Int>(0)

    private let topKBounded = Atomic<Int>(0)

    /// Chunk statements of TOP/ORDER BY queries that started with a bound on the sort key
    /// (`TopKBound`), in all queries.
    public var chunksWithTopKBound: Int { topKBounded.load(ordering: .relaxed) }

    func chunksStartedWithTopKBound(_ count: Int) { topKBounded.add(count, ordering: .relaxed) }

    /// Chunk statements that ran, in all queries.
    public var chunksRun: Int { chunks.load(ordering: .relaxed) }
    /// The most chunk statements that ran at once.
    public var maxConcurrentChunks: Int { maxInFlight.load(ordering: .relaxed) }
    /// The most batches that waited in one query's channel at once.
    public var maxBufferedBatches: Int { buffered.load(ordering: .relaxed) }

    func chunkStarted() {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        chunks.add(1, ordering: .relaxed)
        maxInFlight.raise(to: now)
    }

    func chunkFinished() { inFlight.subtract(1, ordering: .relaxed) }

    func buffered(_ count: Int) { buffered.raise(to: count) }
}
