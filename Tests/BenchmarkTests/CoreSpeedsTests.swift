import Foundation
import Testing

@testable import skyshard_bench

/// The benchmark's measure of what the cores allow (`CoreSpeeds`): its arithmetic, and that
/// its threads really run where they are pinned. No speed is asserted.
@Suite struct CoreSpeedsTests {
    @Test func ceilingIsBothCoresTogetherOverTheFastestAlone() {
        let speeds = CoreSpeeds(cpus: [0, 1], alone: [100, 60], together: [90, 54])
        #expect(abs(speeds.ceiling - 1.44) < 1e-12)
        #expect(abs(speeds.balance - 0.6) < 1e-12)
        #expect(CoreSpeeds(cpus: [0, 1], alone: [0, 0], together: [1, 1]).ceiling == 1)
    }

    /// The report's split of a benchmark's rounds by the ceiling measured before each.
    @Test func roundsAreSplitByWhetherTheirCeilingReachedTheGoal() {
        let rounds = [
            BenchRound(ceiling: 1.95, speedup: 2.1), BenchRound(ceiling: 1.4, speedup: 1.5),
            BenchRound(ceiling: nil, speedup: 3), BenchRound(ceiling: 1.8, speedup: 1.7),
        ]
        let (high, low) = BenchReport.splitRounds(rounds, goal: 1.8)
        #expect(high == [2.1, 1.7])
        #expect(low == [1.5])
    }

    #if os(Linux)
    @Test func threadsRunOnTheCoreTheyArePinnedTo() throws {
        let cpus = CoreSpeeds.allowedCPUs()
        #expect(cpus.count == ProcessInfo.processInfo.activeProcessorCount)
        for cpu in cpus {
            let seen = ObservedCPU()
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                seen.pinned = CoreSpeeds.pin(to: cpu)
                seen.cpu = CoreSpeeds.currentCPU()
                done.signal()
            }
            thread.start()
            done.wait()
            #expect(seen.pinned)
            #expect(seen.cpu == cpu)
        }
    }

    @Test func measuresEveryCore() throws {
        let cpus = CoreSpeeds.allowedCPUs()
        guard cpus.count > 1 else { return }
        let speeds = try #require(CoreSpeeds.measure(passes: 2))
        #expect(speeds.cpus == cpus)
        #expect(speeds.alone.count == cpus.count && speeds.together.count == cpus.count)
        #expect(speeds.alone.allSatisfy { $0 > 0 } && speeds.together.allSatisfy { $0 > 0 })
    }
    #endif
}

final class ObservedCPU: @unchecked Sendable {
    var pinned = false
    var cpu: Int32 = -1
}
