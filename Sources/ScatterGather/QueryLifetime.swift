import Synchronization
import Tabular

/// The one owner of a query's lifetime, from admission to its end.
///
/// Everything that can end a query goes through here: the rows running out (`finish`), the
/// client or an ABORT (`stop` with `cancelled`), the time limit (`stop` with `timeout`, from
/// `DeadlineWatch`), a failure. The parts that run the query register what to do when it is
/// stopped (`onStop`: interrupt a statement, close a channel) and when it ends (`onEnd`: give
/// back a user's slot). The first reason to stop is the one every reader sees.
///
/// The executor reports progress here as chunk statements are started and finish, so that a
/// job's owner can show "chunks done / total" while it runs.
public final class QueryLifetime: Sendable {
    /// Where the query is in its life.
    public enum Phase: Sendable, Equatable {
        case running
        /// The rows ran out, or the consumer took all it wanted.
        case finished
        /// Stopped before its end, with the reason every reader sees.
        case stopped(QueryError.Code)
    }

    private enum State {
        case running(stopActions: [@Sendable (QueryError) -> Void], endActions: [@Sendable () -> Void], deadline: Int?)
        case finished
        case stopped(QueryError)
    }

    /// The time limit, if any, counted from `init`.
    public let timeLimit: Duration?
    public let started: ContinuousClock.Instant
    private let state: Mutex<State>
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    /// A running query, stopped with `timeout` once `timeLimit` has passed unless it ends first.
    public init(timeLimit: Duration? = nil) {
        self.timeLimit = timeLimit
        self.started = .now
        self.state = Mutex(.running(stopActions: [], endActions: [], deadline: nil))
        guard let timeLimit else { return }
        let entry = DeadlineWatch.shared.add(after: timeLimit) { [weak self] in
            self?.stop(QueryError(.timeout, "the query ran longer than its time limit of \(timeLimit)"))
        }
        let ended = state.withLock { s -> Bool in
            guard case .running(let stop, let end, _) = s else { return true }
            s = .running(stopActions: stop, endActions: end, deadline: entry)
            return false
        }
        if ended { DeadlineWatch.shared.cancel(entry) }
    }

    /// Admits the query under `user`'s limit of concurrent queries (`UserQueryLimiter`): throws
    /// when the user is at the limit; otherwise the slot is given back when the query ends.
    public func admit(user: String, to limit: UserQueryLimiter) throws {
        try limit.acquire(user)
        onEnd { limit.release(user) }
    }

    public var phase: Phase {
        state.withLock { s in
            switch s {
            case .running: .running
            case .finished: .finished
            case .stopped(let error): .stopped(error.code)
            }
        }
    }

    /// Why the query was stopped, once it was.
    public var stopReason: QueryError? {
        state.withLock { s in
            if case .stopped(let error) = s { return error }
            return nil
        }
    }

    public var progress: QueryProgress {
        QueryProgress(chunksDone: done.load(ordering: .relaxed), chunksTotal: total.load(ordering: .relaxed))
    }

    /// `count` more chunk statements will run.
    public func chunksStarting(_ count: Int) { total.add(count, ordering: .relaxed) }

    /// One chunk statement has finished.
    public func chunkDone() { done.add(1, ordering: .relaxed) }

    /// Runs `action` with the reason when the query is stopped; at once if it has been.
    /// (Not after a normal end: nothing is left to stop then.)
    public func onStop(_ action: @escaping @Sendable (QueryError) -> Void) {
        let reason = state.withLock { s -> QueryError? in
            switch s {
            case .running(var stop, let end, let deadline):
                stop.append(action)
                s = .running(stopActions: stop, endActions: end, deadline: deadline)
                return nil
            case .finished: return nil
            case .stopped(let error): return error
            }
        }
        if let reason { action(reason) }
    }

    /// Runs `action` once when the query ends, however it ends; at once if it has.
    public func onEnd(_ action: @escaping @Sendable () -> Void) {
        let ended = state.withLock { s -> Bool in
            guard case .running(let stop, var end, let deadline) = s else { return true }
            end.append(action)
            s = .running(stopActions: stop, endActions: end, deadline: deadline)
            return false
        }
        if ended { action() }
    }

    /// Stops the query with `reason` unless it has ended: what runs it is interrupted, and its
    /// readers see `reason`. Safe from any thread, more than once (the first reason stays).
    public func stop(_ reason: QueryError) {
        let actions = state.withLock {
            s -> (stop: [@Sendable (QueryError) -> Void], end: [@Sendable () -> Void], deadline: Int?)? in
            guard case .running(let stop, let end, let deadline) = s else { return nil }
            s = .stopped(reason)
            return (stop, end, deadline)
        }
        guard let actions else { return }
        if let deadline = actions.deadline { DeadlineWatch.shared.cancel(deadline) }
        for action in actions.stop { action(reason) }
        for action in actions.end { action() }
    }

    /// The query has ended normally (its rows ran out, or its reader has all it wants).
    public func finish() {
        let actions = state.withLock { s -> (end: [@Sendable () -> Void], deadline: Int?)? in
            guard case .running(_, let end, let deadline) = s else { return nil }
            s = .finished
            return (end, deadline)
        }
        guard let actions else { return }
        if let deadline = actions.deadline { DeadlineWatch.shared.cancel(deadline) }
        for action in actions.end { action() }
    }

    /// The error a reader should see for `error`, which ended its part of the query: the
    /// reason the query was stopped, when it was (a cancellation caused by a time limit is
    /// reported as the time limit).
    public func reported(_ error: any Error) -> any Error {
        if let reason = stopReason { return reason }
        if error is CancellationError { return QueryError(.cancelled, "the query was cancelled") }
        return error
    }

    /// `result` as the whole of this query: reading it to its end finishes the lifetime, an
    /// error that ends it stops the lifetime with that error, and `cancel()` stops it.
    public func owning(_ result: QueryResult) -> QueryResult {
        let iterator = result.batches.makeAsyncIterator()
        let sequence = RowBatchSequence { [self] in
            var it = iterator
            do {
                let next = try await it.next()
                if next == nil { finish() }
                return next
            } catch {
                let reported = reported(error)
                stop(reported as? QueryError ?? QueryError(.internal, "the query failed: \(reported)", cause: reported))
                throw reported
            }
        }
        return QueryResult(fields: result.fields, batches: sequence) { result.cancel() }
    }
}
