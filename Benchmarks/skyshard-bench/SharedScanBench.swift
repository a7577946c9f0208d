import DemoData
import Foundation
import Ingest
import Planner
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

/// N concurrent full scans, with shared chunk passes and without (each query its own chunk
/// statements), timed in alternating rounds in one process so that load and cache drift affect
/// both alike. The figure to read is the ratio of the two medians.
public struct SharedScanMeasurement: Sendable {
    public var queries: [String]
    /// Wall time of one round (all queries started together, to the last row of the last one).
    public var shared: TimingStats
    public var separate: TimingStats
    /// Chunk passes and the chunk statements they ran, summed over the shared rounds.
    public var chunkPasses: Int
    public var chunkTasks: Int
    public var rounds: Int
    /// Whether every query gave the same answer both ways, in every round.
    public var agrees: Bool
    /// Separate time / shared time (medians): above 1, sharing is faster.
    public var speedup: Double { separate.median / shared.median }
}

public enum SharedScanBench {
    /// `count` different full scans of Object (aggregates, so that the client reads little).
    public static func queries(count: Int) -> [String] {
        (0..<count).map { i in
            "SELECT COUNT(*), AVG(r_cModelFlux), MAX(g_cModelFlux) FROM dp02_dc2_catalogs.Object "
                + "WHERE r_cModelFlux > \(100 * i) AND coord_dec > -89"
        }
    }

    public static func run(
        engine: SkyShardEngine, queries: [String], rounds: Int, log: @Sendable (String) -> Void
    ) async throws -> SharedScanMeasurement {
        let plans = try queries.map { adql -> DistributedPlan in
            guard let plan = try engine.plan(adql).distributed, !plan.interactive else {
                throw BenchError("not a scan-lane query: \(adql)")
            }
            return plan
        }
        let workers = engine.executor.workers
        let shared = ScatterGatherExecutor(workers: workers, pool: engine.pool, shareScans: true)
        let separate = ScatterGatherExecutor(workers: workers, pool: engine.pool, shareScans: false)
        let workerStats = workers.compactMap { ($0 as? LocalShardWorker)?.stats }
        func passCounts() -> (Int, Int) {
            (workerStats.map(\.chunkPasses).reduce(0, +), workerStats.map(\.chunkTasksInPasses).reduce(0, +))
        }
        var sharedTimes: [Double] = [], separateTimes: [Double] = []
        var reference: [ResultDigest]?
        var agrees = true
        var passes = 0, tasks = 0
        // One warm-up round of each, then the timed rounds.
        for round in 0...max(1, rounds) {
            for useShared in [true, false] {
                let executor = useShared ? shared : separate
                let before = passCounts()
                let start = BenchClock.now()
                let digests = try await withThrowingTaskGroup(of: (Int, ResultDigest).self) { group in
                    for (i, plan) in plans.enumerated() {
                        group.addTask {
                            let rows = try await executor.execute(plan).collect()
                            return (i, BenchRunner.digest(rows))
                        }
                    }
                    var out = [ResultDigest](repeating: ResultDigest(), count: plans.count)
                    for try await (i, digest) in group { out[i] = digest }
                    return out
                }
                let seconds = BenchClock.seconds(start, BenchClock.now())
                if let reference, reference != digests { agrees = false }
                reference = reference ?? digests
                guard round > 0 else { continue }
                if useShared {
                    sharedTimes.append(seconds)
                    let after = passCounts()
                    passes += after.0 - before.0
                    tasks += after.1 - before.1
                } else {
                    separateTimes.append(seconds)
                }
                log("shared scans: round \(round) \(useShared ? "shared" : "separate") \(BenchFormat.duration(seconds))")
            }
        }
        return SharedScanMeasurement(
            queries: queries, shared: TimingStats(sharedTimes), separate: TimingStats(separateTimes),
            chunkPasses: passes, chunkTasks: tasks, rounds: max(1, rounds), agrees: agrees)
    }

    /// The result as a markdown table row: N, medians, p90s, ratio, passes / statements.
    public static func markdownRow(_ m: SharedScanMeasurement) -> String {
        "| \(m.queries.count) | \(BenchFormat.duration(m.shared.median)) | \(BenchFormat.duration(m.shared.p90)) "
            + "| \(BenchFormat.duration(m.separate.median)) | \(BenchFormat.duration(m.separate.p90)) "
            + "| \(BenchFormat.ratio(m.speedup))× | \(m.chunkPasses) / \(m.chunkTasks) | \(m.agrees ? "same" : "DIFFERENT") |"
    }
}
