import Foundation
import SQLiteKit
import Synchronization
import Tabular

/// A statement in progress on a checked-out connection: stepped by one pool thread at a time,
/// cancellable from any thread.
///
/// `cancel()` is event-driven: it interrupts the connection at once when a step is running
/// (and makes the next `next` fail when none is). The interrupt is issued under the same lock
/// that `next` holds to mark the start and end of stepping, so it can reach only this cursor's
/// statement, never a statement that runs later on the same (reused) connection.
package final class ChunkCursor: @unchecked Sendable {
    let connection: SQLiteConnection
    package let statement: SQLiteStatement
    private let stats: WorkerStats?

    private struct Control {
        var stepping = false
        var cancelledAt: ContinuousClock.Instant?
    }
    private let control = Mutex(Control())

    package init(connection: SQLiteConnection, statement: SQLiteStatement, stats: WorkerStats? = nil) {
        self.connection = connection
        self.statement = statement
        self.stats = stats
        // A request left over from a statement cancelled earlier on this connection.
        connection.clearInterruptRequest()
    }

    var isCancelled: Bool { control.withLock { $0.cancelledAt != nil } }

    /// Stops the statement: interrupts the connection if a step is running. Safe from any thread,
    /// more than once.
    package func cancel() {
        control.withLock { c in
            if c.cancelledAt == nil { c.cancelledAt = .now }
            if c.stepping { connection.requestInterrupt() }
        }
    }

    /// Steps up to `maxRows` rows; returns them and whether the statement is finished. Throws
    /// CancellationError once the cursor is cancelled.
    package func next(maxRows: Int) throws -> (RowBatch, Bool) {
        guard beginStepping() else { throw CancellationError() }
        // Room for a few thousand values up front: a wide row (157 columns) must not cost a
        // megabyte of reservation per statement; longer results grow the batch as they come.
        let columns = statement.columnCount
        var batch = RowBatch(columnCount: columns, reservingRows: min(maxRows, max(1, 4096 / max(1, columns))))
        let outcome = Result { () throws(SQLiteError) -> Bool in try step(into: &batch, maxRows: maxRows) }
        if case .failure(let error) = outcome, error.isInterrupt { recordInterrupt() }
        endStepping()
        switch outcome {
        case .success(let finished):
            return (batch, finished)
        case .failure(let error) where error.isInterrupt:
            throw CancellationError()
        case .failure(let error):
            throw error
        }
    }

    private func beginStepping() -> Bool {
        let cancelled = control.withLock { c -> Bool in
            if c.cancelledAt != nil { return true }
            c.stepping = true
            return false
        }
        if !cancelled { stats?.steppingStarted() }
        return !cancelled
    }

    private func endStepping() {
        control.withLock { $0.stepping = false }
        stats?.steppingEnded()
    }

    private func step(into batch: inout RowBatch, maxRows: Int) throws(SQLiteError) -> Bool {
        var rows = 0
        while rows < maxRows {
            guard try statement.step() else { return true }
            statement.appendRow(to: &batch)
            rows += 1
        }
        return false
    }

    private func recordInterrupt() {
        let at = control.withLock { $0.cancelledAt }
        if let at { stats?.interrupted(after: .now - at) }
    }
}

/// Counters of a worker's statements and shared scans, for monitoring and for the tests.
public final class WorkerStats: Sendable {
    private struct Stepping {
        var count = 0
        /// Waiting for some statement to step (true) or for none to (false).
        var waiters: [(busy: Bool, continuation: CheckedContinuation<Void, Never>)] = []

        mutating func ready() -> [CheckedContinuation<Void, Never>] {
            let busy = count > 0
            let ready = waiters.filter { $0.busy == busy }.map(\.continuation)
            waiters.removeAll { $0.busy == busy }
            return ready
        }
    }
    private let stepping = Mutex(Stepping())
    private let interrupts = Atomic<Int>(0)
    private let maxInterruptNanos = Atomic<Int>(0)
    private let passes = Atomic<Int>(0)
    private let passTasks = Atomic<Int>(0)
    private let detached = Atomic<Int>(0)

    /// Statements being stepped on a pool thread now.
    public var statementsStepping: Int { stepping.withLock { $0.count } }
    /// Statements stopped by a cancellation (SQLITE_INTERRUPT).
    public var statementsInterrupted: Int { interrupts.load(ordering: .relaxed) }
    /// The longest time from a cancellation to the interrupted step's return.
    public var maxInterruptLatency: Duration { .nanoseconds(maxInterruptNanos.load(ordering: .relaxed)) }
    /// Shared-scan passes over a chunk (one connection, the chunk's pages read while hot).
    public var chunkPasses: Int { passes.load(ordering: .relaxed) }
    /// Chunk statements that ran in shared-scan passes; more than `chunkPasses` when passes
    /// served several queries.
    public var chunkTasksInPasses: Int { passTasks.load(ordering: .relaxed) }
    /// Queries handed their statement to finish alone because their consumer stalled a pass.
    public var detachedFromPasses: Int { detached.load(ordering: .relaxed) }

    /// Returns once at least one statement is being stepped (at once if one is now).
    public func untilStepping() async { await until(busy: true) }

    /// Returns once no statement is being stepped (at once if none is now).
    public func untilIdle() async { await until(busy: false) }

    private func until(busy: Bool) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = stepping.withLock { s in
                if (s.count > 0) == busy { return true }
                s.waiters.append((busy, c))
                return false
            }
            if now { c.resume() }
        }
    }

    func steppingStarted() { changeStepping(by: 1) }

    func steppingEnded() { changeStepping(by: -1) }

    private func changeStepping(by delta: Int) {
        let ready = stepping.withLock { s in
            s.count += delta
            return s.ready()
        }
        for c in ready { c.resume() }
    }

    func interrupted(after latency: Duration) {
        interrupts.add(1, ordering: .relaxed)
        let (s, atto) = latency.components
        let nanos = Int(s) * 1_000_000_000 + Int(atto / 1_000_000_000)
        maxInterruptNanos.raise(to: nanos)
    }

    func passFinished(tasks: Int) {
        passes.add(1, ordering: .relaxed)
        passTasks.add(tasks, ordering: .relaxed)
    }

    func detachedFromPass() { detached.add(1, ordering: .relaxed) }
}

extension Atomic where Value == Int {
    /// Stores `value` if it is larger than the value held (a running maximum).
    func raise(to value: Int) {
        var seen = load(ordering: .relaxed)
        while value > seen {
            let (exchanged, original) = compareExchange(expected: seen, desired: value, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }
}
