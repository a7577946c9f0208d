import Synchronization
import Tabular

/// Caps the queries one user may have running at once, so that one user's burst cannot take
/// every worker thread from the others.
public final class UserQueryLimiter: Sendable {
    public let limit: Int
    private let running = Mutex<[String: Int]>([:])

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot for `user`, or throws when the user is at the limit (an `unavailable` error
    /// whose context `admission` is `queries-per-user`: the service counts it as a refusal).
    func acquire(_ user: String) throws {
        let admitted = running.withLock { counts -> Bool in
            let now = counts[user, default: 0]
            guard now < limit else { return false }
            counts[user] = now + 1
            return true
        }
        if !admitted {
            throw QueryError(
                .quotaExceeded,
                "quota of queries per user reached: you already have \(limit) queries running (sync and async), "
                    + "the most one user may run at once; wait for one to finish",
                context: ["admission": "queries-per-user"])
        }
    }

    func release(_ user: String) {
        running.withLock { counts in
            let now = (counts[user] ?? 1) - 1
            counts[user] = now > 0 ? now : nil
        }
    }

    /// Queries running for `user` now.
    public func running(for user: String) -> Int { running.withLock { $0[user, default: 0] } }
}
