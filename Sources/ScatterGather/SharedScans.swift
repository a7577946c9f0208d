import Foundation
import SQLiteKit
import Synchronization
import Tabular

/// Qserv-style shared scans on one worker.
///
/// Scan-lane queries register the chunks they need. The scheduler walks the worker's chunks in
/// one circular order and starts a *pass* over the next chunk that any query needs, at most
/// `concurrentPasses` at once. A pass checks out one connection to the chunk and runs, back to
/// back on it, the statement of every query that needs that chunk when the pass starts, so the
/// chunk's pages are read once (from disk, then from SQLite's page cache) for all of them. A
/// query that arrives while a scan is under way therefore joins it at its current chunk and
/// gets the chunks it missed when the order wraps around.
///
/// Rows stream to each query with back-pressure, but a pass never waits for a slow consumer:
/// one whose buffer is full when a batch is ready (it is a whole buffer behind the pass), or
/// that does not take a batch within `stallLimit` (a buffer that cannot say whether it has
/// room), would hold up every other query of the pass, so its statement is *detached*: it
/// keeps the pass's connection and finishes alone at the consumer's pace, stepped one batch
/// per pool job as the consumer takes them (no thread waits for the consumer), and the pass
/// goes on with a fresh connection to the same chunk. (Waiting would let one slow client stall
/// all scans — a client that reads a little every second never stalls for `stallLimit` at
/// once, yet would hold the pass for its whole statement; restarting the statement later would
/// repeat rows already sent.)
///
/// Interactive queries never come here; they use the pool's interactive lane, which pool
/// threads serve before any pass's next batch.
public final class SharedScanScheduler: Sendable {
    /// Passes running at once.
    public let concurrentPasses: Int
    /// How long a pass waits for one consumer to take a batch before detaching it.
    public let stallLimit: Duration
    private let pool: BlockingPool
    /// The worker's chunks in the order of the circular scan.
    private let order: [Int]

    typealias Deliver = @Sendable (RowBatch) async throws -> Void

    fileprivate struct Member {
        var worker: LocalShardWorker
        var pending: [Int: ChunkTask]
        var sink: BatchSink
        var batchRows: Int
        var stats: ExecutorStats?
        /// The query's lifetime, told of each statement that finishes.
        var lifetime: QueryLifetime
        /// Statements of this query in passes (or detached) now.
        var inFlight = 0
        var continuation: CheckedContinuation<Void, any Error>?
        var cursors: [ObjectIdentifier: ChunkCursor] = [:]
        /// A statement of this query was detached: no further passes take it until that one
        /// ends (its chunks are left out of `demand` meanwhile), so a stalled consumer holds
        /// one connection, not one per chunk.
        var parked = false
    }

    /// What running one statement of a query needs, copied out of its `Member`. Not the
    /// `Member` itself: a copy of it shares the storage of its `pending` and `cursors`
    /// dictionaries while the statement runs, so the next pass's `take` (or `register`) on the
    /// other thread would copy the whole dictionary under the lock — once per chunk, quadratic
    /// in the chunk count, and holding the lock while it copies.
    fileprivate struct Runner {
        let worker: LocalShardWorker
        let sink: BatchSink
        let batchRows: Int
        let stats: ExecutorStats?
        let lifetime: QueryLifetime
    }

    fileprivate struct State {
        var members: [Int: Member] = [:]
        var nextMemberId = 0
        /// Queries needing each chunk.
        var demand: [Int: Int] = [:]
        var active: Set<Int> = []
        var position = 0
        var memberWaiters: [(Int, CheckedContinuation<Void, Never>)] = []
        var beforePass: (@Sendable (Int) async -> Void)?
        /// (chunk, member ids) of the passes started, for tests; the latest 4096.
        var passLog: [(chunk: Int, members: [Int])] = []
        /// Queries cancelled before they registered.
        var cancelledEarly: Set<Int> = []
    }

    private let state = Mutex(State())

    init(chunkIds: Set<Int>, pool: BlockingPool, concurrentPasses: Int, stallLimit: Duration) {
        self.order = chunkIds.sorted()
        self.pool = pool
        self.concurrentPasses = max(1, concurrentPasses)
        self.stallLimit = stallLimit
    }

    // MARK: Test hooks

    /// Called with the chunk before each pass takes its queries (tests gate scans with it).
    func setBeforePass(_ hook: (@Sendable (Int) async -> Void)?) { state.withLock { $0.beforePass = hook } }

    /// Returns once at least `count` queries are registered.
    func untilMembers(_ count: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { s in
                if s.members.count >= count { return true }
                s.memberWaiters.append((count, c))
                return false
            }
            if now { c.resume() }
        }
    }

    var passLog: [(chunk: Int, members: [Int])] { state.withLock { Array($0.passLog.suffix(4096)) } }

    // MARK: Queries

    func run(
        _ tasks: [ChunkTask], on worker: LocalShardWorker, batchRows: Int, stats: ExecutorStats?,
        lifetime: QueryLifetime, sink: BatchSink
    ) async throws {
        if tasks.isEmpty { return }
        let id = state.withLock { s -> Int in
            defer { s.nextMemberId += 1 }
            return s.nextMemberId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>]? in
                    if s.cancelledEarly.remove(id) != nil { return nil }
                    var member = Member(
                        worker: worker, pending: [:], sink: sink, batchRows: batchRows, stats: stats, lifetime: lifetime)
                    for task in tasks where member.pending.updateValue(task, forKey: task.chunkId) == nil {
                        s.demand[task.chunkId, default: 0] += 1
                    }
                    member.continuation = c
                    s.members[id] = member
                    let count = s.members.count
                    let ready = s.memberWaiters.filter { $0.0 <= count }.map(\.1)
                    s.memberWaiters.removeAll { $0.0 <= count }
                    return ready
                }
                guard let waiters else { return c.resume(throwing: CancellationError()) }
                for w in waiters { w.resume() }
                pump()
            }
        } onCancel: {
            end(id, with: CancellationError(), early: true)
        }
    }

    /// Ends a query early (cancelled, or one of its statements failed): its remaining chunks
    /// are dropped, its running statements interrupted, and its caller resumed with `error`.
    private func end(_ id: Int, with error: any Error, early: Bool = false) {
        let (continuation, cursors) = state.withLock { s -> (CheckedContinuation<Void, any Error>?, [ChunkCursor]) in
            guard var member = s.members[id] else {
                if early { s.cancelledEarly.insert(id) }
                return (nil, [])
            }
            if !member.parked { for chunk in member.pending.keys { s.removeDemand(chunk) } }
            member.pending = [:]
            let c = member.continuation
            member.continuation = nil
            let cursors = Array(member.cursors.values)
            if member.inFlight == 0 { s.members[id] = nil } else { s.members[id] = member }
            return (c, cursors)
        }
        for cursor in cursors { cursor.cancel() }
        continuation?.resume(throwing: error)
    }

    /// Starts passes over the next needed chunks in the circular order while fewer than
    /// `concurrentPasses` run.
    private func pump() {
        let starts = state.withLock { s -> [Int] in
            var starts: [Int] = []
            while s.active.count < concurrentPasses, let chunk = s.nextChunk(in: order) {
                s.active.insert(chunk)
                starts.append(chunk)
            }
            return starts
        }
        for chunk in starts {
            Task { await self.pass(over: chunk) }
        }
    }

    // MARK: Passes

    private func pass(over chunk: Int) async {
        if let hook = state.withLock({ $0.beforePass }) { await hook(chunk) }
        var (chunk, members) = (chunk, state.withLock { $0.take(chunk) })
        if members.allSatisfy({ isLocal($0.id) }) {
            // Passes whose queries all have local sinks run on one pool thread, chained: the
            // next needed chunk is taken there too, while its queries are all local and no
            // interactive job waits. A chunk's aggregate is short work; a task and two thread
            // hand-overs per chunk could cost more than the aggregate itself.
            let (first, taken) = (chunk, members)
            let rest = try? await pool.run(lane: .scan) { [self] in chainLocalPasses(from: first, taken) }
            guard let (next, nextMembers) = rest ?? nil else { return pump() }
            (chunk, members) = (next, nextMembers)
        }
        await runPass(over: chunk, members)
        state.withLock { _ = $0.active.remove(chunk) }
        pump()
    }

    private func isLocal(_ id: Int) -> Bool {
        state.withLock { s in
            guard case .local? = s.members[id]?.sink else { return false }
            return true
        }
    }

    /// On a pool thread: local passes one after another, starting with `chunk`. Returns the
    /// chunk (marked active, its queries taken) whose pass must run the general way, or nil
    /// when the chain ended with nothing taken.
    private func chainLocalPasses(
        from chunk: Int, _ members: [(id: Int, task: ChunkTask)]
    ) -> (Int, [(id: Int, task: ChunkTask)])? {
        var (chunk, members) = (chunk, members)
        while true {
            var pass = PassRecord()
            for (id, task) in members {
                guard let member = live(id, done: &pass.done) else { continue }
                pass.record(runLocallyHere(task, of: id, member, on: pass.connection), of: id, member)
            }
            endPass(chunk, members.count, pass)
            let interactiveWaiting = pool.interactiveJobsWaiting
            let next = state.withLock { s -> (Int, [(id: Int, task: ChunkTask)])? in
                s.active.remove(chunk)
                guard !interactiveWaiting, s.beforePass == nil, let next = s.nextChunk(in: order) else { return nil }
                s.active.insert(next)
                return (next, s.take(next))
            }
            guard let (nextChunk, nextMembers) = next else { return nil }
            (chunk, members) = (nextChunk, nextMembers)
            if !members.allSatisfy({ isLocal($0.id) }) { return (chunk, members) }
        }
    }

    /// The general pass: each query's statement in turn, delivering with back-pressure.
    private func runPass(over chunk: Int, _ members: [(id: Int, task: ChunkTask)]) async {
        var pass = PassRecord()
        for (id, task) in members {
            guard let member = live(id, done: &pass.done) else { continue }
            pass.record(await runStatement(task, of: id, member, on: pass.connection), of: id, member)
        }
        endPass(chunk, members.count, pass)
    }

    /// Query `id`'s runner if it still waits for its statements; otherwise it goes to `done`.
    private func live(_ id: Int, done: inout [Int]) -> Runner? {
        let runner = state.withLock { s -> Runner? in
            guard let member = s.members[id], member.continuation != nil else { return nil }
            return Runner(
                worker: member.worker, sink: member.sink, batchRows: member.batchRows, stats: member.stats,
                lifetime: member.lifetime)
        }
        if runner == nil { done.append(id) }
        return runner
    }

    /// What a pass's statements came to, one statement at a time.
    private struct PassRecord {
        /// What the pass's next statement uses.
        var connection: SQLiteConnection?
        var worker: LocalShardWorker?
        /// Queries whose statement of the pass is over (not detached).
        var done: [Int] = []
        var failed: [(Int, any Error)] = []

        mutating func record(_ outcome: Outcome, of id: Int, _ member: Runner) {
            worker = member.worker
            switch outcome {
            case .finished(let used):
                connection = used
                done.append(id)
            case .detached:
                connection = nil
            case .failed(let used, let error):
                connection = used
                failed.append((id, error))
                done.append(id)
            }
        }
    }

    /// The pass's connection goes back and the pass is counted before its queries hear that
    /// their statements are done or failed (a query that ends, either way, sees its passes
    /// counted). Failures are told first, so that finishing a failed query's last statement
    /// cannot report success.
    private func endPass(_ chunk: Int, _ tasks: Int, _ pass: PassRecord) {
        if let connection = pass.connection, let worker = pass.worker { worker.checkin(connection, chunkId: chunk) }
        pass.worker?.stats.passFinished(tasks: tasks)
        for (id, error) in pass.failed {
            // Named by its chunk, as the other paths name it (QueryError.chunkFailure).
            if let error = error as? SQLiteError {
                end(id, with: QueryError.chunkFailure(chunk, sql: error.sql ?? "", error))
            } else {
                end(id, with: error)
            }
        }
        for id in pass.done { finished(id, chunk: chunk) }
    }

    private enum Outcome {
        /// The statement ran to its end (or was stopped); the connection is free for the next one.
        case finished(SQLiteConnection?)
        /// The statement keeps the connection and finishes alone.
        case detached
        case failed(SQLiteConnection?, any Error)
    }

    private func runStatement(_ task: ChunkTask, of id: Int, _ member: Runner, on given: SQLiteConnection?) async -> Outcome {
        let worker = member.worker
        let batchRows = member.batchRows
        guard case .consumer(let deliver, let hasRoom) = member.sink else {
            return await runLocally(task, of: id, member, on: given)
        }
        // The cursor is registered (so that cancelling the query reaches it) before it steps;
        // opening and the first batch are one pool job, as most chunk statements of an
        // aggregate end within their first batch.
        let cursor: ChunkCursor
        var first: Result<(RowBatch, Bool), any Error>?
        do {
            (cursor, first) = try await pool.run(lane: .scan) { [self] in
                let cursor = try worker.openCursor(task, on: given)
                guard register(cursor, of: id) else { return (cursor, nil) }
                return (cursor, Result { try cursor.next(maxRows: batchRows) })
            }
        } catch {
            return .failed(given, error)
        }
        if first == nil { cursor.cancel() }
        member.stats?.chunkStarted()
        do {
            while true {
                let step: (RowBatch, Bool)
                if let ready = first {
                    first = nil
                    step = try ready.get()
                } else {
                    step = try await pool.run(lane: .scan) { try cursor.next(maxRows: batchRows) }
                }
                let (batch, done) = step
                if !batch.isEmpty {
                    // A consumer with no room is detached at once; otherwise the batch is
                    // taken at once too, unless another statement of the query filled the
                    // buffer meanwhile, which the stall limit covers.
                    let (delivery, delivered) =
                        hasRoom?() == false
                        ? (Task { try await deliver(batch) }, false)
                        : await Self.deliver(batch, to: deliver, within: stallLimit)
                    if !delivered {
                        worker.stats.detachedFromPass()
                        park(id, true)
                        Task { await self.finishDetached(cursor, delivery: delivery, done: done, task: task, of: id, member) }
                        return .detached
                    }
                    try await delivery.value
                }
                if done { break }
            }
            release(cursor, of: id, member)
            return .finished(cursor.connection)
        } catch {
            release(cursor, of: id, member)
            return error is CancellationError ? .finished(cursor.connection) : .failed(cursor.connection, error)
        }
    }

    /// A statement whose batches go to a `.local` sink: opened, stepped to its end and released
    /// in one pool job (no consumer can stall the pass).
    private func runLocally(_ task: ChunkTask, of id: Int, _ member: Runner, on given: SQLiteConnection?) async -> Outcome {
        (try? await pool.run(lane: .scan) { [self] in runLocallyHere(task, of: id, member, on: given) })
            ?? .finished(given)
    }

    /// `runLocally` on the calling (pool) thread.
    private func runLocallyHere(_ task: ChunkTask, of id: Int, _ member: Runner, on given: SQLiteConnection?) -> Outcome {
        guard case .local(let sink) = member.sink else { return .finished(given) }
        let cursor: ChunkCursor
        do {
            cursor = try member.worker.openCursor(task, on: given)
        } catch {
            return .failed(given, error)
        }
        if !register(cursor, of: id) { cursor.cancel() }
        member.stats?.chunkStarted()
        defer { release(cursor, of: id, member) }
        do {
            var done = false
            while !done {
                let batch: RowBatch
                (batch, done) = try cursor.next(maxRows: member.batchRows)
                if !batch.isEmpty { try sink(batch) }
            }
            return .finished(cursor.connection)
        } catch is CancellationError {
            return .finished(cursor.connection)
        } catch {
            return .failed(cursor.connection, error)
        }
    }

    /// The rest of a statement whose consumer stalled its pass, at the consumer's pace.
    private func finishDetached(
        _ cursor: ChunkCursor, delivery: Task<Void, any Error>, done: Bool, task: ChunkTask, of id: Int, _ member: Runner
    ) async {
        var failure: (any Error)?
        do {
            try await delivery.value
            var finished = done
            while !finished {
                let batchRows = member.batchRows
                let (batch, end) = try await pool.run(lane: .scan) { try cursor.next(maxRows: batchRows) }
                finished = end
                if !batch.isEmpty { try await member.sink.deliver(batch) }
            }
        } catch {
            if !(error is CancellationError) { failure = error }
        }
        release(cursor, of: id, member)
        member.worker.close(cursor, chunkId: task.chunkId)
        park(id, false)
        if let failure { end(id, with: failure) }
        finished(id, chunk: task.chunkId)
        pump()
    }

    /// Parks or unparks query `id` (see `Member.parked`).
    private func park(_ id: Int, _ parked: Bool) {
        state.withLock { s in
            guard var member = s.members[id], member.parked != parked else { return }
            member.parked = parked
            for chunk in member.pending.keys {
                if parked { s.removeDemand(chunk) } else { s.demand[chunk, default: 0] += 1 }
            }
            s.members[id] = member
        }
    }

    private func release(_ cursor: ChunkCursor, of id: Int, _ member: Runner) {
        cursor.statement.reset()
        member.stats?.chunkFinished()
        member.lifetime.chunkDone()
        state.withLock { _ = $0.members[id]?.cursors.removeValue(forKey: ObjectIdentifier(cursor)) }
    }

    /// One statement of query `id` is done: resumes the query when it was its last.
    private func finished(_ id: Int, chunk: Int) {
        let continuation = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            guard var member = s.members[id] else { return nil }
            member.inFlight -= 1
            let c = member.inFlight == 0 && member.pending.isEmpty ? member.continuation : nil
            if member.inFlight == 0 && (member.pending.isEmpty || member.continuation == nil) {
                s.members[id] = nil
            } else {
                if c != nil { member.continuation = nil }
                s.members[id] = member
            }
            return c
        }
        continuation?.resume()
    }

    /// Registers a statement's cursor with its query, unless the query has ended.
    private func register(_ cursor: ChunkCursor, of id: Int) -> Bool {
        state.withLock { s -> Bool in
            guard s.members[id]?.continuation != nil else { return false }
            s.members[id]?.cursors[ObjectIdentifier(cursor)] = cursor
            return true
        }
    }

    /// Delivers `batch` in a task of its own; returns that task and whether it finished
    /// within `limit` (it keeps running either way). The limit is watched by `DeadlineWatch`,
    /// not by a sleeping task per batch.
    static func deliver(
        _ batch: RowBatch, to deliver: @escaping Deliver, within limit: Duration
    ) async
        -> (Task<Void, any Error>, Bool)
    {
        let race = Race()
        let delivery = Task {
            defer { race.resolve(true) }
            try await deliver(batch)
        }
        let watch = DeadlineWatch.shared.add(after: limit) { race.resolve(false) }
        let delivered = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in race.arm(c) }
        DeadlineWatch.shared.cancel(watch)
        return (delivery, delivered)
    }

    /// The first of two outcomes wins.
    private final class Race: Sendable {
        private let state = Mutex<(CheckedContinuation<Bool, Never>?, Bool?)>((nil, nil))
        func arm(_ c: CheckedContinuation<Bool, Never>) {
            let ready = state.withLock { s -> Bool? in
                if let value = s.1 { return value }
                s.0 = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
        func resolve(_ value: Bool) {
            let c = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                if s.1 != nil { return nil }
                s.1 = value
                defer { s.0 = nil }
                return s.0
            }
            c?.resume(returning: value)
        }
    }
}

extension SharedScanScheduler.State {
    /// Takes the statements of `chunk` from every query that needs it (and is not parked).
    mutating func take(_ chunk: Int) -> [(id: Int, task: ChunkTask)] {
        var taken: [(id: Int, task: ChunkTask)] = []
        for id in members.keys.sorted() where members[id]?.parked == false {
            guard let task = members[id]?.pending.removeValue(forKey: chunk) else { continue }
            members[id]?.inFlight += 1
            removeDemand(chunk)
            taken.append((id, task))
        }
        if !taken.isEmpty {
            // Trimmed in halves, not by one entry per pass (which moved 4096 entries each time).
            if passLog.count >= 8192 { passLog.removeFirst(passLog.count - 4095) }
            passLog.append((chunk, taken.map(\.id)))
        }
        return taken
    }

    mutating func removeDemand(_ chunk: Int) {
        let left = (demand[chunk] ?? 1) - 1
        demand[chunk] = left > 0 ? left : nil
    }

    /// The next chunk in the circular order, from the current position, that a query needs and
    /// no pass is running over.
    mutating func nextChunk(in order: [Int]) -> Int? {
        if demand.isEmpty || order.isEmpty { return nil }
        for step in 0..<order.count {
            let index = (position + step) % order.count
            let chunk = order[index]
            if demand[chunk] != nil && !active.contains(chunk) {
                position = (index + 1) % order.count
                return chunk
            }
        }
        return nil
    }
}
