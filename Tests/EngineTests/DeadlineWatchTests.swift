import Foundation
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

/// The thread that watches query time limits, and its monotonic condition.
@Suite struct DeadlineWatchTests {
    #if os(Linux)
    @Test func deadlinesAddUpAndCarryIntoSeconds() {
        let start = timespec(tv_sec: 5, tv_nsec: 999_999_999)
        let a = MonotonicCondition.adding(.nanoseconds(1), to: start)
        #expect(a.tv_sec == 6 && a.tv_nsec == 0)
        let b = MonotonicCondition.adding(.milliseconds(1500), to: start)
        #expect(b.tv_sec == 7 && b.tv_nsec == 499_999_999)
        let c = MonotonicCondition.adding(.seconds(-3), to: start)
        #expect(c.tv_sec == 5 && c.tv_nsec == 999_999_999)
        let d = MonotonicCondition.adding(.zero, to: start)
        #expect(d.tv_sec == 5 && d.tv_nsec == 999_999_999)
    }
    #endif

    /// A wait nobody signals runs out, and not before its time on the monotonic clock.
    @Test func anUnsignalledWaitTimesOutAfterItsDuration() {
        let condition = MonotonicCondition()
        let limit = Duration.milliseconds(30)
        let start = ContinuousClock.now
        condition.lock()
        var timedOut = false
        // A condition wait may end early without a signal; such ends wait again for the rest.
        while !timedOut {
            let left = limit - (ContinuousClock.now - start)
            timedOut = !condition.wait(for: max(left, .nanoseconds(1)))
        }
        condition.unlock()
        #expect(ContinuousClock.now - start >= limit)
    }

    /// A signal ends a wait that would otherwise last a minute.
    @Test func aSignalEndsTheWait() {
        let condition = MonotonicCondition()
        let flag = Flag()
        let thread = Thread {
            condition.lock()
            flag.value = true
            condition.signal()
            condition.unlock()
        }
        condition.lock()
        thread.start()
        var signalled = false
        while !flag.value {
            signalled = condition.wait(for: .seconds(60))
        }
        condition.unlock()
        #expect(flag.value)
        #expect(signalled, "the last wait ended by the signal, not by running out")
    }

    @Test func anExpiredLimitCallsItsHandlerAndACancelledOneDoesNot() {
        let fired = DispatchSemaphore(value: 0)
        let cancelledRan = Flag()
        let cancelled = DeadlineWatch.shared.add(after: .milliseconds(5)) { cancelledRan.value = true }
        DeadlineWatch.shared.cancel(cancelled)
        _ = DeadlineWatch.shared.add(after: .milliseconds(5)) { fired.signal() }
        #expect(fired.wait(timeout: .now() + 30) == .success)
        // The kept limit, set after the cancelled one, has run: the watch is past the cancelled
        // one's deadline, and did not call it.
        #expect(!cancelledRan.value)
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var _value = false
        var value: Bool {
            get { lock.lock(); defer { lock.unlock() }; return _value }
            set { lock.lock(); _value = newValue; lock.unlock() }
        }
    }
}
