import Foundation
import SQLiteKit
import Synchronization

/// A fixed set of threads for blocking work (SQLite calls), so that it never occupies Swift's
/// cooperative thread pool. Jobs come in two lanes: `interactive` jobs (queries that touch few
/// chunks) are always taken before `scan` jobs. A scan job may run a whole chunk statement
/// (an aggregate steps its chunk to the end), so taking interactive jobs first is not enough:
/// `interactiveThreads` more threads take interactive jobs only, so a small query starts at
/// once even while every other thread is inside a long scan statement.
public final class BlockingPool: Sendable {
    public enum Lane: Sendable { case interactive, scan }

    /// Jobs in arrival order; taken from the front without moving the rest.
    private struct JobQueue {
        private var jobs: [@Sendable () -> Void] = []
        private var head = 0

        var isEmpty: Bool { head == jobs.count }

        mutating func append(_ job: @escaping @Sendable () -> Void) { jobs.append(job) }

        mutating func popFirst() -> (@Sendable () -> Void)? {
            guard head < jobs.count else { return nil }
            defer {
                head += 1
                // Emptied: the storage is reused rather than trimmed job by job.
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
            }
            return jobs[head]
        }
    }

    private struct State {
        var interactive = JobQueue()
        var scan = JobQueue()
        var shuttingDown = false

        mutating func take(interactiveOnly: Bool) -> (@Sendable () -> Void)? {
            if let job = interactive.popFirst() { return job }
            return interactiveOnly ? nil : scan.popFirst()
        }
    }

    private let state = Mutex(State())
    private let condition = NSConditionBox()
    /// Threads that take jobs of both lanes (scans use this many at once).
    public let threadCount: Int
    /// Threads that take interactive jobs only.
    public let interactiveThreads: Int

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, interactiveThreads: Int = 1) {
        self.threadCount = max(1, threads)
        self.interactiveThreads = max(0, interactiveThreads)
        for i in 0..<(threadCount + self.interactiveThreads) {
            let interactiveOnly = i >= threadCount
            let thread = Thread { [self] in self.workLoop(interactiveOnly: interactiveOnly) }
            thread.name = interactiveOnly ? "skyshard-sqlite-i\(i - threadCount)" : "skyshard-sqlite-\(i)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Stops the threads once the queued jobs are done.
    public func shutdown() {
        state.withLock { $0.shuttingDown = true }
        condition.broadcast()
    }

    private func workLoop(interactiveOnly: Bool) {
        while true {
            condition.lock()
            var job: (@Sendable () -> Void)?
            while true {
                let (next, stop) = state.withLock { s in (s.take(interactiveOnly: interactiveOnly), s.shuttingDown) }
                if let next {
                    job = next
                    break
                }
                if stop {
                    condition.unlock()
                    return
                }
                condition.wait()
            }
            condition.unlock()
            job?()
        }
    }

    private func enqueue(_ lane: Lane, _ job: @escaping @Sendable () -> Void) {
        condition.lock()
        state.withLock { s in
            switch lane {
            case .interactive: s.interactive.append(job)
            case .scan: s.scan.append(job)
            }
        }
        // Any thread takes an interactive job; a scan job must not wake only an
        // interactive-only thread (which would leave it queued), so it wakes them all.
        if lane == .scan && interactiveThreads > 0 { condition.broadcast() } else { condition.signal() }
        condition.unlock()
    }

    /// Whether interactive jobs wait for a thread (long scan-lane jobs check it between chunks).
    public var interactiveJobsWaiting: Bool {
        state.withLock { !$0.interactive.isEmpty }
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(
        lane: Lane = .interactive, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue(lane) {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// NSCondition is not Sendable in corelibs-foundation; this box documents that it is used only
/// through its own locking.
final class NSConditionBox: @unchecked Sendable {
    private let condition = NSCondition()
    func lock() { condition.lock() }
    func unlock() { condition.unlock() }
    func wait() { condition.wait() }
    func signal() { condition.signal() }
    func broadcast() { condition.broadcast() }
}
