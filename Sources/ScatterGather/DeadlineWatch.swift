import Foundation
import SQLiteKit

/// Time limits of queries, watched by one thread for the whole process.
///
/// A task per query that sleeps until the limit (and is cancelled when the query ends first)
/// would cost a task start, a timer registration and a cancellation per query: thread
/// hand-overs that can outweigh a short lookup. Here starting and ending a limit is a
/// dictionary update under a lock; the thread wakes only when a limit expires, when a limit
/// earlier than the one it sleeps towards arrives, and, while no limit is set, once a second.
final class DeadlineWatch: @unchecked Sendable {
    static let shared = DeadlineWatch()

    /// How long the thread sleeps while no limit is set (a later limit then needs no wake-up).
    static let idleSleep: Duration = .seconds(1)

    private let condition = MonotonicCondition()
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
            _ = condition.wait(for: until - now)
            sleepingUntil = nil
        }
    }
}

/// A lock and a condition whose timed wait runs on the monotonic clock.
///
/// `NSCondition.wait(until:)` takes a `Date`: the wait ends at a wall-clock time, so a step of
/// the wall clock backwards (an NTP correction, a virtual machine resumed) during the wait
/// would stretch it by the size of the step, and a query's time limit with it. Here the
/// deadline is on `CLOCK_MONOTONIC` (where the platform lets a condition use it).
final class MonotonicCondition: @unchecked Sendable {
    #if os(Linux)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(cond) }

    /// With the lock held: waits for `signal` or until `duration` has passed on the monotonic
    /// clock. False when the time ran out. (Like any condition wait it may also end early.)
    func wait(for duration: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        var deadline = Self.adding(duration, to: now)
        return pthread_cond_timedwait(cond, mutex, &deadline) == 0
    }

    /// `start` + `duration` as a normalised timespec (a negative duration counts as zero).
    static func adding(_ duration: Duration, to start: timespec) -> timespec {
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return start }
        var sec = Int(start.tv_sec) + Int(seconds)
        var nsec = Int(start.tv_nsec) + Int(attoseconds / 1_000_000_000)
        if nsec >= 1_000_000_000 {
            sec += 1
            nsec -= 1_000_000_000
        }
        return timespec(tv_sec: sec, tv_nsec: nsec)
    }
    #else
    private let condition = NSCondition()
    func lock() { condition.lock() }
    func unlock() { condition.unlock() }
    func signal() { condition.signal() }
    func wait(for duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        return condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) * 1e-18))
    }
    #endif
}
