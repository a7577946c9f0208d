import Foundation
import Planner
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
    /// (`SharedScanWorker`); otherwise each query runs its own chunk statements, `fanOut` at once.
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

    func worker(for chunkId: Int) throws -> any ShardWorker {
        guard let worker = workers.first(where: { $0.chunkIds.contains(chunkId) }) else {
            throw QueryError(.unavailable, "no worker serves chunk \(chunkId)", context: ["chunk": "\(chunkId)"])
        }
        return worker
    }

    /// Starts the plan and returns the result whose rows arrive as the chunks produce them.
    public func execute(_ plan: DistributedPlan, timeout: Duration? = nil) -> QueryResult {
        let channel = BatchChannel(capacity: channelCapacity, stats: stats)
        let producer = Task {
            do {
                switch plan.merge {
                case .concatenate:
                    try await scatter(plan) { batch in try await channel.send(batch) }
                case .mergeSQL(let sql, let columns):
                    try await mergeThroughTable(plan, sql: sql, columns: columns, channel: channel)
                }
                channel.finish()
            } catch is CancellationError {
                channel.finish(throwing: QueryError(.cancelled, "the query was cancelled"))
            } catch let error as QueryError {
                channel.finish(throwing: error)
            } catch let error as SQLiteError {
                channel.finish(throwing: QueryError(.internal, "a chunk statement failed: \(error.message)",
                                                    context: ["sql": error.sql ?? ""], cause: error))
            } catch {
                channel.finish(throwing: QueryError(.internal, "the query failed: \(error)", cause: error))
            }
        }
        let timer: Task<Void, Never>? = timeout.map { limit in
            Task {
                do {
                    try await Task.sleep(for: limit)
                } catch { return }
                channel.finish(throwing: QueryError(.timeout, "the query ran longer than its time limit of \(limit)"))
                producer.cancel()
            }
        }
        let finishTimer: @Sendable () -> Void = { timer?.cancel() }
        // Cancelling (abort, the reading task cancelled because its client has gone) ends the
        // stream with `cancelled` unless it has ended already (a time limit's error stays), and
        // cancels the producer, whose chunk statements interrupt their connections.
        let cancelQuery: @Sendable () -> Void = {
            channel.finish(throwing: QueryError(.cancelled, "the query was cancelled"))
            producer.cancel()
            channel.consumerCancelled()
            finishTimer()
        }
        let limiter = RowLimiter(plan.merge)
        let sequence = RowBatchSequence {
            while true {
                if limiter.isDone {
                    producer.cancel()
                    channel.consumerCancelled()
                    finishTimer()
                    return nil
                }
                let next = try await withTaskCancellationHandler {
                    try await channel.next()
                } onCancel: {
                    cancelQuery()
                }
                guard let batch = next else {
                    finishTimer()
                    return nil
                }
                if let trimmed = limiter.admit(batch) { return trimmed }
            }
        }
        return QueryResult(fields: plan.fields, batches: sequence, onCancel: cancelQuery)
    }

    /// Runs the chunk statement on every chunk, at most `fanOut` at once, handing each batch
    /// to `deliver` (which may suspend).
    func scatter(_ plan: DistributedPlan, deliver: @escaping @Sendable (RowBatch) async throws -> Void) async throws {
        let tasks: [ChunkTask]
        switch plan.target {
        case .chunks(let ids):
            tasks = ids.map { ChunkTask(chunkId: $0, sql: plan.chunkSQL, interactive: plan.interactive) }
        case .replicated:
            guard let any = workers.lazy.flatMap(\.chunkIds).min() else {
                throw QueryError(.unavailable, "no worker is available for the replicated tables")
            }
            tasks = [ChunkTask(chunkId: any, sql: plan.chunkSQL, interactive: true)]
        }
        guard shareScans && !plan.interactive else { return try await fanOutChunks(tasks, deliver: deliver) }
        // Scan-lane chunks go to the shared passes of the workers that have them.
        var shared: [ObjectIdentifier: (worker: any SharedScanWorker, tasks: [ChunkTask])] = [:]
        var own: [ChunkTask] = []
        for task in tasks {
            if let worker = try worker(for: task.chunkId) as? any SharedScanWorker {
                shared[ObjectIdentifier(worker), default: (worker, [])].tasks.append(task)
            } else {
                own.append(task)
            }
        }
        let (batchRows, stats) = (self.batchRows, self.stats)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (worker, tasks) in shared.values {
                group.addTask { try await worker.runShared(tasks, batchRows: batchRows, stats: stats, deliver: deliver) }
            }
            if !own.isEmpty {
                let rest = own
                group.addTask { try await self.fanOutChunks(rest, deliver: deliver) }
            }
            try await group.waitForAll()
        }
    }

    /// Runs `tasks`, at most `fanOut` at once, each through the worker that serves its chunk.
    func fanOutChunks(_ tasks: [ChunkTask], deliver: @escaping @Sendable (RowBatch) async throws -> Void) async throws {
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
                        try await worker.run(task, batchRows: batchRows, deliver: deliver)
                    } catch let error as SQLiteError {
                        throw QueryError(
                            .internal, "chunk \(task.chunkId) failed: \(error.message)",
                            context: ["chunk": "\(task.chunkId)", "sql": task.sql], cause: error)
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
    func mergeThroughTable(_ plan: DistributedPlan, sql: String, columns: Int, channel: BatchChannel) async throws {
        let merge = try await pool.run { () throws -> MergeTable in try MergeTable(columns: columns) }
        try await scatter(plan) { batch in
            try await self.pool.run(lane: plan.interactive ? .interactive : .scan) { try merge.insert(batch) }
        }
        try Task.checkCancellation()
        let cursor = try await pool.run { () throws -> ChunkCursor in try merge.cursor(sql) }
        try await withTaskCancellationHandler {
            var done = false
            while !done {
                try Task.checkCancellation()
                let batchRows = self.batchRows
                let (batch, finished) = try await pool.run { try cursor.next(maxRows: batchRows) }
                done = finished
                if !batch.isEmpty { try await channel.send(batch) }
            }
        } onCancel: {
            cursor.cancel()
        }
    }
}

/// The coordinator's merge table. Inserts come from several chunk tasks; a lock keeps them
/// to one at a time on the one connection.
final class MergeTable: @unchecked Sendable {
    let connection: SQLiteConnection
    let insertStatement: SQLiteStatement
    let columns: Int
    let lock = NSLock()

    init(columns: Int) throws {
        self.columns = columns
        // An empty path opens a private temporary database that SQLite spills to disk.
        connection = try SQLiteConnection(path: "", mode: .readWriteCreate)
        try connection.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384")
        let names = (0..<columns).map { "\"c\($0)\"" }.joined(separator: ", ")
        try connection.execute("CREATE TABLE \"merge\" (\(names))")
        UserFunctions.register(on: connection)
        let placeholders = Array(repeating: "?", count: columns).joined(separator: ", ")
        insertStatement = try connection.prepare("INSERT INTO \"merge\" VALUES (\(placeholders))")
    }

    func insert(_ batch: RowBatch) throws {
        lock.lock()
        defer { lock.unlock() }
        try connection.execute("BEGIN")
        do {
            for row in 0..<batch.rowCount {
                for column in 0..<columns {
                    try insertStatement.bind(batch[row, column], at: column + 1)
                }
                try insertStatement.run()
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    func cursor(_ sql: String) throws -> ChunkCursor {
        connection.restrictReads(to: ["merge"])
        return ChunkCursor(connection: connection, statement: try connection.prepare(sql))
    }
}

/// Applies OFFSET and TOP to a concatenated stream.
final class RowLimiter: Sendable {
    private let state: Mutex<(skip: Int, remaining: Int?)>

    init(_ merge: MergeStep) {
        switch merge {
        case .concatenate(let limit, let offset): state = Mutex((offset, limit))
        case .mergeSQL: state = Mutex((0, nil))
        }
    }

    var isDone: Bool { state.withLock { $0.remaining == 0 } }

    /// The part of `batch` that belongs to the result, or nil if none of it does.
    func admit(_ batch: RowBatch) -> RowBatch? {
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
