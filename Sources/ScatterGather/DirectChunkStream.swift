import SQLiteKit
import Synchronization
import Tabular

/// The statement of a one-chunk interactive plan, stepped by its reader: each `next` is one
/// pool job that opens the cursor (the first time) and steps one batch.
///
/// A one-chunk lookup or small cone does little work in SQLite, so thread hand-overs would
/// dominate it: the general path runs a producer task, a task group, a pool job to open the
/// cursor, another per batch, and a channel to the reader, each a thread hop. Here the reader's
/// own task waits for the pool job that returns the rows, and back-pressure needs no channel:
/// the statement is not stepped until the reader asks for more.
///
/// Cancelling (abort, the reader's task cancelled, the time limit) interrupts the statement if
/// a step is running, and the next `next` throws the reason.
public final class DirectChunkStream: Sendable {
    let worker: LocalShardWorker
    let task: ChunkTask
    let batchRows: Int
    let stats: ExecutorStats

    private struct State {
        var cursor: ChunkCursor?
        var opened = false
        var finished = false
        /// Why the query was stopped, once it was.
        var failure: QueryError?
    }
    private let state = Mutex(State())

    init(worker: LocalShardWorker, task: ChunkTask, batchRows: Int, stats: ExecutorStats) {
        self.worker = worker
        self.task = task
        self.batchRows = batchRows
        self.stats = stats
    }

    deinit {
        // A reader that stopped reading without cancelling: the connection goes back all the same.
        let cursor = state.withLock { s -> ChunkCursor? in
            defer { s.cursor = nil }
            return s.cursor
        }
        if let cursor {
            worker.close(cursor, chunkId: task.chunkId)
            stats.chunkFinished()
        }
    }

    /// The next batch, nil at the end.
    func next() async throws -> RowBatch? {
        if state.withLock({ $0.finished }) { return nil }
        return try await withTaskCancellationHandler {
            try await worker.pool.run(lane: .interactive) { [self] in try step() }
        } onCancel: {
            stop(QueryError(.cancelled, "the query was cancelled"))
        }
    }

    /// Stops the query with `error`: a running step is interrupted, and the reader's next
    /// `next` throws it. Safe from any thread, more than once (the first reason stays).
    func stop(_ error: QueryError) {
        let cursor = state.withLock { s -> ChunkCursor? in
            if s.finished { return nil }
            if s.failure == nil { s.failure = error }
            return s.cursor
        }
        cursor?.cancel()
    }

    /// The reader has all the rows it wants (TOP reached): the statement ends here. Called by
    /// the reader between `next` calls, so no step is running.
    func finishEarly() {
        let cursor = state.withLock { s -> ChunkCursor? in
            if s.finished { return nil }
            s.failure = s.failure ?? QueryError(.cancelled, "the query was cancelled")
            return s.cursor
        }
        end(cursor)
    }

    /// One batch, on a pool thread.
    private func step() throws -> RowBatch? {
        enum Next { case end, fail(QueryError, ChunkCursor?), open, use(ChunkCursor) }
        let next = state.withLock { s -> Next in
            if s.finished { return .end }
            if let failure = s.failure { return .fail(failure, s.cursor) }
            if let cursor = s.cursor { return .use(cursor) }
            return s.opened ? .end : .open
        }
        let cursor: ChunkCursor
        switch next {
        case .end:
            return nil
        case .fail(let error, let open):
            end(open)
            throw error
        case .use(let open):
            cursor = open
        case .open:
            stats.chunkStarted()
            do {
                cursor = try worker.openCursor(task)
            } catch {
                state.withLock { $0.opened = true }
                end(nil)
                throw describe(error)
            }
            let stopped = state.withLock { s -> Bool in
                s.opened = true
                s.cursor = cursor
                return s.failure != nil
            }
            if stopped { cursor.cancel() }
        }
        do {
            let (batch, done) = try cursor.next(maxRows: batchRows)
            if done { end(cursor) }
            return batch.isEmpty && done ? nil : batch
        } catch {
            end(cursor)
            throw describe(error)
        }
    }

    /// The statement is over: its connection goes back to the worker's idle pool.
    private func end(_ cursor: ChunkCursor?) {
        let wasOpen = state.withLock { s -> Bool in
            let wasOpen = s.opened && !s.finished
            s.finished = true
            s.cursor = nil
            return wasOpen
        }
        if let cursor { worker.close(cursor, chunkId: task.chunkId) }
        if wasOpen { stats.chunkFinished() }
    }

    /// The error the reader sees, as the general path reports it.
    private func describe(_ error: any Error) -> QueryError {
        if let failure = state.withLock({ $0.failure }) { return failure }
        switch error {
        case let error as QueryError: return error
        case is CancellationError: return QueryError(.cancelled, "the query was cancelled")
        case let error as SQLiteError: return QueryError.chunkFailure(task.chunkId, sql: task.sql, error)
        default: return QueryError(.internal, "the query failed: \(error)", cause: error)
        }
    }
}
