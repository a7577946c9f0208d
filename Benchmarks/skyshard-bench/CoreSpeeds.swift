import CPUAffinity
import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather

/// How fast each core of this machine runs an SQLite scan right now, each alone and all at
/// once: the ceiling of any speedup that threads on these cores can show over one thread.
///
/// On a virtual machine the cores are not always equal: a virtual CPU whose host core is busy
/// with another guest runs the same work slower, and one core may take noticeably longer than
/// another for the same statement. SQLite's single thread then runs on whichever core the
/// kernel gives it, and SkyShard's threads on both, so the speedup of a full scan can be no
/// more than (speed of both cores together) / (speed of the fastest alone), whatever the
/// engine does. The benchmark measures that ceiling next to each
/// full-scan run, so that a ratio is read against what the machine allowed at the time.
///
/// The work is the same on every core: an SQLite statement that sums a column of an in-memory
/// table of 20,000 rows with a filter (short, so that measuring every core costs little), run
/// `passes` times. Each thread is pinned to its core with `sched_setaffinity`.
public struct CoreSpeeds: Sendable {
    /// The CPUs the process may run on (the benchmark's threads run on these).
    public var cpus: [Int32]
    /// Passes per second of each CPU running alone.
    public var alone: [Double]
    /// Passes per second of each CPU while all run at once.
    public var together: [Double]

    /// Speed of all cores together over the fastest core alone: the most that threads on every
    /// core can gain over one thread on the best of them.
    public var ceiling: Double {
        guard let best = alone.max(), best > 0 else { return 1 }
        return together.reduce(0, +) / best
    }

    /// Slowest over fastest core alone (1 when the cores are equal).
    public var balance: Double {
        guard let best = alone.max(), let worst = alone.min(), best > 0 else { return 1 }
        return worst / best
    }

    /// Measures every allowed CPU alone, one after the other, then all at once. Nil when the
    /// process cannot pin threads (not Linux) or has a single CPU.
    public static func measure(passes: Int = 8) -> CoreSpeeds? {
        #if os(Linux)
        let cpus = allowedCPUs()
        guard cpus.count > 1 else { return nil }
        var alone: [Double] = []
        for cpu in cpus {
            guard let rate = runPinned([cpu], passes: passes).first else { return nil }
            alone.append(rate)
        }
        let together = runPinned(cpus, passes: passes)
        guard together.count == cpus.count else { return nil }
        return CoreSpeeds(cpus: cpus, alone: alone, together: together)
        #else
        return nil
        #endif
    }

    #if os(Linux)
    static func allowedCPUs() -> [Int32] {
        var bytes = [UInt8](repeating: 0, count: 128)
        let n = bytes.withUnsafeMutableBufferPointer { skyshard_allowed_cpu_mask($0.baseAddress) }
        guard n > 0 else { return [] }
        var out: [Int32] = []
        for (i, byte) in bytes.prefix(Int(n)).enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (1 << bit) != 0 { out.append(Int32(i * 8 + bit)) }
        }
        return out
    }

    /// Pins the calling thread to `cpu`.
    static func pin(to cpu: Int32) -> Bool {
        skyshard_pin_thread_to_cpu(cpu) == 0
    }

    /// The CPU the calling thread runs on (-1 if unknown).
    static func currentCPU() -> Int32 { skyshard_current_cpu() }

    /// One thread per CPU in `cpus`, each pinned, each preparing its own table, then all
    /// starting the timed passes together; the passes per second of each (empty on failure).
    static func runPinned(_ cpus: [Int32], passes: Int) -> [Double] {
        let results = ResultBox(count: cpus.count)
        let ready = DispatchGroup(), done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for (i, cpu) in cpus.enumerated() {
            ready.enter()
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                guard pin(to: cpu), let work = try? Workload() else {
                    ready.leave()
                    return
                }
                _ = try? work.pass()  // warm
                ready.leave()
                start.wait()
                let t0 = BenchClock.now()
                for _ in 0..<passes { _ = try? work.pass() }
                let seconds = BenchClock.seconds(t0, BenchClock.now())
                // A thread the kernel moved despite the pin measured some other core.
                results.set(i, seconds > 0 && currentCPU() == cpu ? Double(passes) / seconds : 0)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        for _ in cpus { start.signal() }
        done.wait()
        let rates = results.values
        return rates.contains(where: { $0 <= 0 }) ? [] : rates
    }

    /// An in-memory table and the statement that scans it.
    final class Workload {
        let connection: SQLiteConnection
        init() throws {
            connection = try SQLiteConnection(path: ":memory:", mode: .memory)
            try connection.execute(
                "CREATE TABLE t AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                    + "SELECT i AS x, i * 0.37 AS y FROM n")
        }
        func pass() throws -> Double {
            try connection.query("SELECT sum(y) FROM t WHERE x % 3 <> 0").first?.first?.doubleValue ?? 0
        }
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var rates: [Double]
        init(count: Int) { rates = Array(repeating: 0, count: count) }
        func set(_ i: Int, _ rate: Double) { lock.withLock { rates[i] = rate } }
        var values: [Double] { lock.withLock { rates } }
    }
    #endif
}
