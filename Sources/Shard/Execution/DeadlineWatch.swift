import Foundation

/// Time limits of queries, watched by one thread for the whole process.
///
/// A task per query that sleeps until the limit (and is cancelled when the query ends first)
/// cost a task start, a timer registration and a cancellation per query: tens of microseconds
/// of thread hand-overs for a lookup that takes less. Here starting and ending a limit is a
/// dictionary update under a lock; the thread wakes only when a limit expires, when a limit
/// earlier than the one it sleeps towards arrives, and, while no limit is set, once a second.
final class DeadlineWatch: @unchecked Sendable {
    static let shared = DeadlineWatch()

    /// How long the thread sleeps while no limit is set (a later limit then needs no wake-up).
    static let idleSleep: Duration = .seconds(1)

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var entries: [Int: (deadline: ContinuousClock.Instant, expire: @Sendable () -> Void)] = [:]
    private var nextId = 0
    private var started = false
    /// The instant the thread sleeps until; nil while it is awake.
    private var sleepingUntil: ContinuousClock.Instant?

    /// Calls `expire` (on the watch's thread) once `limit` has passed, unless `cancel` is called
    /// first with the returned id.
    func add(after limit: Duration, _ expire: @escaping @Sendable () -> Void) -> Int {
        let deadline = ContinuousClock.now + limit
        condition.lock()
        defer { condition.unlock() }
        let id = nextId
        nextId += 1
        entries[id] = (deadline, expire)
        if !started {
            started = true
            let thread = Thread { [self] in watch() }
            thread.name = "skyshard-deadlines"
            thread.start()
        } else if let until = sleepingUntil, deadline < until {
            condition.signal()
        }
        return id
    }

    func cancel(_ id: Int) {
        condition.lock()
        entries[id] = nil
        condition.unlock()
    }

    private func watch() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            let due = entries.filter { $0.value.deadline <= now }
            if !due.isEmpty {
                for id in due.keys { entries[id] = nil }
                condition.unlock()
                for entry in due.values { entry.expire() }
                condition.lock()
                continue
            }
            let until = entries.values.map(\.deadline).min() ?? now + Self.idleSleep
            sleepingUntil = until
            let (seconds, attoseconds) = (until - now).components
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) * 1e-18))
            sleepingUntil = nil
        }
    }
}
