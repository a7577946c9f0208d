import Foundation
import Synchronization

/// A fixed set of threads for blocking work (SQLite calls), so that it never occupies Swift's
/// cooperative thread pool. Jobs come in two lanes: `interactive` jobs (queries that touch few
/// chunks) are always taken before `scan` jobs, so small queries never wait behind full scans.
public final class BlockingPool: Sendable {
    public enum Lane: Sendable { case interactive, scan }

    private struct State {
        var interactive: [@Sendable () -> Void] = []
        var interactiveHead = 0
        var scan: [@Sendable () -> Void] = []
        var scanHead = 0
        var shuttingDown = false

        mutating func take() -> (@Sendable () -> Void)? {
            if interactiveHead < interactive.count {
                defer {
                    interactiveHead += 1
                    if interactiveHead == interactive.count {
                        interactive.removeAll(keepingCapacity: true)
                        interactiveHead = 0
                    }
                }
                return interactive[interactiveHead]
            }
            if scanHead < scan.count {
                defer {
                    scanHead += 1
                    if scanHead == scan.count {
                        scan.removeAll(keepingCapacity: true)
                        scanHead = 0
                    }
                }
                return scan[scanHead]
            }
            return nil
        }
    }

    private let state = Mutex(State())
    private let condition = NSConditionBox()
    public let threadCount: Int

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threadCount = max(1, threads)
        for i in 0..<threadCount {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "skyshard-sqlite-\(i)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Stops the threads once the queued jobs are done.
    public func shutdown() {
        state.withLock { $0.shuttingDown = true }
        condition.broadcast()
    }

    private func workLoop() {
        while true {
            condition.lock()
            var job: (@Sendable () -> Void)?
            while true {
                let (next, stop) = state.withLock { s in (s.take(), s.shuttingDown) }
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
        condition.signal()
        condition.unlock()
    }

    /// Whether interactive jobs wait for a thread (long scan-lane jobs check it between chunks).
    public var interactiveJobsWaiting: Bool {
        state.withLock { $0.interactiveHead < $0.interactive.count }
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
