import Synchronization
import Tabular

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sync queries in flight, and the gate that admits new queries.
///
/// A sync query is registered before the engine starts it and removed when its response has
/// ended, however it ended. The admin view lists the entries and cancels one by its id; a
/// shutdown closes the gate (new queries are refused), waits for the registry to empty and
/// stops what is left. Gate and entries share one lock, so that no query slips in after a
/// shutdown has counted what it waits for. (Async jobs are the `JobManager`'s; they are not
/// kept here.)
final class QueryRegistry: Sendable {
    /// One query in flight.
    struct Entry: Sendable {
        let id: String
        let user: String?
        let adql: String
        /// When it was admitted: wall clock for display, monotonic clock for the elapsed time.
        let started: Date
        let clock: ContinuousClock.Instant
        /// Set once the engine has started the query.
        var progress: (@Sendable () -> QueryProgress)?
        var stop: (@Sendable (QueryError) -> Void)?
        /// Why the query was stopped, once it was (by an administrator, by a shutdown). A stop
        /// asked for before the engine had started the query is applied when it has.
        var stopReason: QueryError?
    }

    /// Sync queries in flight at most; one more is refused (`register` answers `.full`).
    let capacity: Int

    init(capacity: Int = 256) { self.capacity = max(1, capacity) }

    /// What `register` decided.
    enum Admission: Sendable, Equatable {
        case admitted
        /// A shutdown has begun.
        case closed
        /// `capacity` queries are in flight already.
        case full
    }

    private struct State {
        var accepting = true
        var entries: [String: Entry] = [:]
        var emptyWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Whether new queries (sync ones and async job runs) are admitted.
    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// Queries in flight now.
    var count: Int { state.withLock { $0.entries.count } }

    /// The entries, oldest first.
    var entries: [Entry] { state.withLock { Array($0.entries.values) }.sorted { $0.clock < $1.clock } }

    /// Admits a query, or refuses it (and registers nothing) once the gate is closed or
    /// `capacity` queries are in flight: the registry, and the work behind it, stay bounded
    /// however many clients come at once.
    func register(id: String, user: String?, adql: String) -> Admission {
        state.withLock { s in
            guard s.accepting else { return .closed }
            guard s.entries.count < capacity else { return .full }
            s.entries[id] = Entry(id: id, user: user, adql: adql, started: Date(), clock: .now)
            return .admitted
        }
    }

    /// Gives the entry its running query's progress and stop; a stop asked for meanwhile is
    /// applied now.
    func attach(_ id: String, _ running: TAPRunningQuery) {
        let stop = Self.stopAction(of: running)
        let pending = state.withLock { s -> QueryError? in
            s.entries[id]?.progress = running.progress
            s.entries[id]?.stop = stop
            return s.entries[id]?.stopReason
        }
        if let pending { stop(pending) }
    }

    /// Removes a query that has ended.
    func remove(_ id: String) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.entries[id] = nil
            guard s.entries.isEmpty else { return [] }
            defer { s.emptyWaiters = [:] }
            return Array(s.emptyWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops the query `id` with `reason` (its client sees the reason); false if no such query runs.
    func stop(_ id: String, reason: QueryError) -> Bool {
        let action = state.withLock { s -> (@Sendable (QueryError) -> Void)?? in
            guard let entry = s.entries[id] else { return nil }
            guard entry.stopReason == nil else { return .some(nil) }  // the first reason stays
            s.entries[id]?.stopReason = reason
            return .some(entry.stop)
        }
        guard let action else { return false }
        action?(reason)
        return true
    }

    /// Why the query `id` was stopped, if it was.
    func stopReason(_ id: String) -> QueryError? { state.withLock { $0.entries[id]?.stopReason } }

    /// Stops every query in flight with `reason`; returns how many.
    @discardableResult
    func stopAll(reason: QueryError) -> Int {
        let ids = state.withLock { Array($0.entries.keys) }
        return ids.filter { stop($0, reason: reason) }.count
    }

    /// Closes the gate: from now on `register` refuses.
    func closeAdmission() { state.withLock { $0.accepting = false } }

    /// Returns once no query is in flight, or when the waiting task is cancelled.
    func untilEmpty() async {
        let token = state.withLock { s -> Int in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.entries.isEmpty || Task.isCancelled { return true }
                    s.emptyWaiters[token] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.emptyWaiters.removeValue(forKey: token) }?.resume()
        }
    }

    /// How to stop a running query with a reason: the engine's own stop, else a cancel of its
    /// result (the reader then sees its rows end early).
    static func stopAction(of running: TAPRunningQuery) -> @Sendable (QueryError) -> Void {
        if let stop = running.stop { return stop }
        let result = running.result
        return { _ in result.cancel() }
    }
}
