import Catalog
import Foundation
import Planner
import Synchronization
import Tabular
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

/// Cancellation reaching SQLite, and shared scans, on the engine tests' real catalog. Each test
/// builds its own pool, worker and executor so that their counters see its queries only.
/// The tests' time limits catch a hang; they are generous because the first test to run also
/// builds the shared catalog (`EngineFixture`), which on a loaded 2-core machine takes a minute.
@Suite(.serialized) struct SchedulingTests {
    let engine = EngineFixture.engine

    /// A chunk statement that does not end in any test's lifetime: counting the rows of a
    /// seven-way cross join of the chunk's Object table (≥ 50 rows make ≥ 7.8·10^11 combinations).
    static let endless =
        "SELECT COUNT(*) FROM " + ["a", "b", "c", "d", "e", "f", "g"].map { "\"Object\" AS \($0)" }.joined(separator: ", ")

    struct Rig {
        let pool: BlockingPool
        let worker: LocalShardWorker
        let executor: ScatterGatherExecutor

        init(
            _ engine: SkyShardEngine, passes: Int? = nil, stallLimit: Duration = .seconds(2),
            batchRows: Int = 1024, channelCapacity: Int = 8
        ) {
            pool = BlockingPool(threads: 2)
            worker = LocalShardWorker(
                version: engine.version, description: engine.catalog, pool: pool,
                concurrentPasses: passes, passStallLimit: stallLimit)
            executor = ScatterGatherExecutor(
                workers: [worker], pool: pool, batchRows: batchRows, channelCapacity: channelCapacity)
        }
    }

    func endlessPlan(interactive: Bool) throws -> DistributedPlan {
        var plan = try #require(try engine.plan("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object").distributed)
        plan.chunkSQL = Self.endless
        // The chunks must run this SQL: COUNT(*) alone would take the columnar path instead.
        plan.columnar = nil
        let chunk = try #require(engine.catalog.chunkRowCounts.filter { $0.value >= 50 }.keys.min())
        plan.target = .chunks([chunk])
        plan.merge = .concatenate(limit: nil, offset: 0)
        plan.interactive = interactive
        return plan
    }

    enum Stop: String, CaseIterable { case abort, clientGone, timeLimit }

    /// The query's statement is stepping when it is stopped and would never end by itself; the
    /// step returns SQLITE_INTERRUPT, the reader gets the right error, and the connection serves
    /// the next statement. (How soon after the stop is not asserted: wall-clock bounds fail on
    /// a loaded CI machine; the worker's interrupt latency is reported, not tested.)
    @Test(.timeLimit(.minutes(5)), arguments: Stop.allCases, [true, false])
    func stoppingAQueryInterruptsItsRunningStatement(_ stop: Stop, _ interactive: Bool) async throws {
        let rig = Rig(engine)
        defer { rig.pool.shutdown() }
        let plan = try endlessPlan(interactive: interactive)
        let clock = ContinuousClock()
        let limit = Duration.seconds(1)
        let started = clock.now
        let result = rig.executor.execute(plan, timeout: stop == .timeLimit ? limit : nil)
        let reader = Task { try await result.collect() }
        await rig.worker.stats.untilStepping()
        switch stop {
        case .abort: result.cancel()
        case .clientGone: reader.cancel()
        case .timeLimit: break
        }
        do {
            _ = try await reader.value
            Issue.record("the endless statement ended by itself")
        } catch let error as QueryError {
            #expect(error.code == (stop == .timeLimit ? .timeout : .cancelled))
        }
        if stop == .timeLimit {
            #expect(clock.now - started >= limit)
        }
        // The worker's own account: the step returned SQLITE_INTERRUPT.
        await rig.worker.stats.untilIdle()
        #expect(rig.worker.stats.statementsInterrupted == 1)
        print("stop \(stop) (interactive \(interactive)): interrupt latency \(rig.worker.stats.maxInterruptLatency)")

        // The connection (back in the idle pool) runs the chunk's next statement to the end.
        let chunk = plan.chunkIds[0]
        let rows = Mutex(RowBatch(columnCount: 1))
        try await rig.worker.run(
            ChunkTask(chunkId: chunk, sql: "SELECT COUNT(*) FROM \"Object\"", interactive: interactive), batchRows: 16
        ) { batch in rows.withLock { $0.append(contentsOf: batch) } }
        let count = rows.withLock { $0[0, 0].int64Value }
        #expect(count == Int64(try #require(engine.catalog.chunkRowCounts[chunk])))
    }

    /// An aggregate's chunk statements run to their end in one pool job each (their rows go to
    /// the merge table's buffer): cancelling the query still interrupts a running one.
    @Test(.timeLimit(.minutes(5)), arguments: [true, false])
    func cancellingAnAggregateInterruptsItsChunkStatement(_ interactive: Bool) async throws {
        let rig = Rig(engine)
        defer { rig.pool.shutdown() }
        var plan = try endlessPlan(interactive: interactive)
        plan.merge = try #require(try engine.plan("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object").distributed).merge
        let result = rig.executor.execute(plan)
        let reader = Task { try await result.collect() }
        await rig.worker.stats.untilStepping()
        reader.cancel()
        do {
            _ = try await reader.value
            Issue.record("the endless statement ended by itself")
        } catch let error as QueryError {
            #expect(error.code == .cancelled)
        }
        await rig.worker.stats.untilIdle()
        #expect(rig.worker.stats.statementsInterrupted == 1)
    }

    /// A full-scan aggregate's chunk passes are chained on pool threads (every statement has a
    /// local sink): every chunk is passed over once and the merged answer is exact.
    @Test(.timeLimit(.minutes(5))) func chainedAggregatePassesCoverEveryChunkOnce() async throws {
        let rig = Rig(engine)
        defer { rig.pool.shutdown() }
        var plan = try #require(try engine.plan("SELECT COUNT(*), MAX(objectId) FROM dp02_dc2_catalogs.Object").distributed)
        plan.interactive = false
        // The passes are SQLite's: the columnar path (which reads column files, no pass) is off.
        plan.columnar = nil
        let chunks = plan.chunkIds.count
        #expect(chunks > 1)
        let rows = try await rig.executor.execute(plan).collect()
        let expected = engine.catalog.chunkRowCounts.filter { plan.chunkIds.contains($0.key) }.values.reduce(0, +)
        #expect(rows[0, 0].int64Value == Int64(expected))
        #expect(rig.worker.stats.chunkPasses == chunks)
        #expect(rig.worker.stats.chunkTasksInPasses == chunks)
        #expect(rig.executor.stats.chunksRun == chunks)
    }

    /// A one-chunk interactive plan is read straight from its statement, batch by batch: every
    /// row arrives, TOP stops it early, and either way no statement is left stepping and the
    /// executor counts the chunk as finished.
    @Test(.timeLimit(.minutes(5))) func oneChunkPlansStreamEveryRowAndStopAtTheirLimit() async throws {
        let rig = Rig(engine, batchRows: 16)
        defer { rig.pool.shutdown() }
        var plan = try #require(try engine.plan("SELECT objectId FROM dp02_dc2_catalogs.Object").distributed)
        let (chunk, rows) = try #require(engine.catalog.chunkRowCounts.filter { $0.value > 40 }.min { $0.key < $1.key })
        plan.target = .chunks([chunk])
        plan.interactive = true
        let all = try await rig.executor.execute(plan).collect()
        #expect(all.rowCount == rows)
        #expect(Set(all.values).count == rows)
        plan.merge = .concatenate(limit: 20, offset: 5)
        let top = try await rig.executor.execute(plan).collect()
        #expect(top.values == Array(all.values[5..<25]))
        await rig.worker.stats.untilIdle()
        #expect(rig.executor.stats.chunksRun == 2)
    }

    /// Two full scans, the second arriving while the first is mid-scan (held at its second
    /// chunk by the pass hook): the second joins the scan at that chunk, wraps around, and
    /// both answers are complete, with fewer chunk passes than chunk statements.
    @Test(.timeLimit(.minutes(5))) func concurrentScansShareChunkPasses() async throws {
        let rig = Rig(engine, passes: 1)
        defer { rig.pool.shutdown() }
        let scheduler = rig.worker.sharedScans
        let planA = try #require(try engine.plan("SELECT objectId, coord_ra FROM dp02_dc2_catalogs.Object").distributed)
        var planB = try #require(
            try engine.plan(
                "SELECT COUNT(*), MIN(coord_dec) FROM dp02_dc2_catalogs.Object"
            ).distributed)
        // An aggregate with a columnar plan reads column files and never joins a pass.
        planB.columnar = nil
        #expect(!planA.interactive && !planB.interactive)
        #expect(planA.chunkIds.count > 3)

        let midScan = Latch(), resume = Latch()
        let passes = Atomic<Int>(0)
        scheduler.setBeforePass { _ in
            if passes.add(1, ordering: .relaxed).newValue == 2 {
                midScan.open()
                await resume.wait()
            }
        }
        let a = rig.executor.execute(planA)
        let readA = Task { try await a.collect() }
        await midScan.wait()
        let b = rig.executor.execute(planB)
        let readB = Task { try await b.collect() }
        await scheduler.untilMembers(2)
        resume.open()
        let rowsA = try await readA.value, rowsB = try await readB.value

        let all = EngineFixture.allObjects
        #expect(Set((0..<rowsA.rowCount).map { rowsA[$0, 0].int64Value! }) == Set(all.map(\.id)))
        #expect(rowsA.rowCount == all.count)
        #expect(rowsB.rowCount == 1)
        #expect(rowsB[0, 0].int64Value == Int64(all.count))
        #expect(rowsB[0, 1].doubleValue == all.map(\.dec).min())

        let stats = rig.worker.stats
        #expect(stats.chunkTasksInPasses == planA.chunkIds.count + planB.chunkIds.count)
        #expect(stats.chunkPasses < stats.chunkTasksInPasses)
        #expect(rig.executor.stats.chunksRun == planA.chunkIds.count + planB.chunkIds.count)
        // The second query started at the chunk the first was held at and wrapped around.
        let log = scheduler.passLog
        let held = log[1]
        #expect(held.members.count == 2)
        let idB = try #require(held.members.max())
        let chunksB = log.filter { $0.members.contains(idB) }.map(\.chunk)
        let order = planB.chunkIds.sorted()
        let start = try #require(order.firstIndex(of: held.chunk))
        #expect(start > 0)
        #expect(chunksB == Array(order[start...] + order[..<start]))
    }

    /// A query whose reader takes nothing does not hold up the others' scan: its statement is
    /// detached from the pass as soon as its buffer is full — not after the stall limit, which
    /// here is 20 ms or an hour — and it still gets every row later (stepped one batch per pool
    /// job as it takes them).
    @Test(.timeLimit(.minutes(5)), arguments: [Duration.milliseconds(20), .seconds(3600)])
    func aStalledReaderDoesNotStallTheSharedScan(_ stallLimit: Duration) async throws {
        let rig = Rig(engine, passes: 1, stallLimit: stallLimit, batchRows: 16, channelCapacity: 1)
        defer { rig.pool.shutdown() }
        let plan = try #require(try engine.plan("SELECT objectId FROM dp02_dc2_catalogs.Object").distributed)
        let stalled = rig.executor.execute(plan)
        let other = rig.executor.execute(plan)
        let otherRows = try await other.collect()
        #expect(otherRows.rowCount == EngineFixture.allObjects.count)
        #expect(rig.worker.stats.detachedFromPasses >= 1)
        let stalledRows = try await stalled.collect()
        #expect(
            Set((0..<stalledRows.rowCount).map { stalledRows[$0, 0].int64Value! })
                == Set(EngineFixture.allObjects.map(\.id)))
        #expect(stalledRows.rowCount == EngineFixture.allObjects.count)
    }

    /// A chunk statement that fails in a shared pass fails its query (never a partial result),
    /// also when it was the query's last chunk.
    @Test(.timeLimit(.minutes(5))) func aFailingChunkStatementFailsTheSharedScanQuery() async throws {
        let rig = Rig(engine, passes: 1)
        defer { rig.pool.shutdown() }
        var plan = try endlessPlan(interactive: false)
        // Integer overflow: an error SQLite raises while stepping, not while preparing.
        plan.chunkSQL = "SELECT abs(-9223372036854775807 - 1) FROM \"Object\""
        do {
            _ = try await rig.executor.execute(plan).collect()
            Issue.record("expected the chunk's error")
        } catch let error as QueryError {
            #expect(error.code == .internal)
            #expect(error.message.contains("overflow"))
        }
        #expect(rig.worker.stats.chunkTasksInPasses == 1)
    }

    /// A query finished at the coordinator whose finishing statement runs long: the time limit
    /// interrupts it and the error says so; without a limit, cancelling the reading task does.
    @Test(.timeLimit(.minutes(5))) func coordinatorStatementsObeyTheTimeLimitAndCancellation() async throws {
        let derived = "(SELECT objectId FROM dp02_dc2_catalogs.Object)"
        let query = "SELECT COUNT(*) FROM \(derived) AS x, \(derived) AS y, \(derived) AS z"
        guard case .coordinated = try engine.plan(query) else {
            Issue.record("expected a coordinator plan")
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await engine.execute(query, timeout: .milliseconds(500)).collect()
            Issue.record("expected the time limit")
        } catch let error as QueryError {
            #expect(error.code == .timeout)
        }
        #expect(clock.now - start >= .milliseconds(500))

        let reader = Task { try await engine.execute(query, timeout: nil).collect() }
        reader.cancel()
        do {
            _ = try await reader.value
            Issue.record("expected the cancellation")
        } catch let error as QueryError {
            #expect(error.code == .cancelled)
        }
    }

    /// An interactive query is answered while a shared scan is held mid-pass.
    @Test(.timeLimit(.minutes(5))) func interactiveQueriesDoNotWaitForScans() async throws {
        let rig = Rig(engine, passes: 1)
        defer { rig.pool.shutdown() }
        let held = Latch(), resume = Latch()
        rig.worker.sharedScans.setBeforePass { _ in
            held.open()
            await resume.wait()
        }
        let scan = rig.executor.execute(
            try #require(try engine.plan("SELECT objectId FROM dp02_dc2_catalogs.Object").distributed))
        let readScan = Task { try await scan.collect() }
        await held.wait()
        let probe = EngineFixture.allObjects[17]
        let lookup = try #require(
            try engine.plan(
                "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = \(probe.id)"
            ).distributed)
        #expect(lookup.interactive)
        let rows = try await rig.executor.execute(lookup).collect()
        #expect(rows.rowCount == 1 && rows[0, 0].int64Value == probe.id)
        resume.open()
        #expect(try await readScan.value.rowCount == EngineFixture.allObjects.count)
    }
}

extension SchedulingTests {
    /// Every thread that takes scan jobs is inside a long scan-lane job (an aggregate steps a
    /// whole chunk in one job): an objectId lookup is still answered, by the pool's
    /// interactive-only thread, before any scan job ends.
    @Test(.timeLimit(.minutes(5))) func aLookupRunsWhileEveryScanThreadIsBusy() async throws {
        let rig = Rig(engine)
        defer { rig.pool.shutdown() }
        #expect(rig.pool.interactiveThreads >= 1)
        let pool = rig.pool, busy = rig.pool.threadCount
        let allBusy = Latch(), entered = Counter()
        let release = DispatchSemaphore(value: 0)
        let scanJobs = (0..<busy).map { _ in
            Task {
                try await pool.run(lane: .scan) {
                    if entered.increment() == busy { allBusy.open() }
                    release.wait()
                }
            }
        }
        await allBusy.wait()
        let probe = EngineFixture.allObjects[23]
        let lookup = try #require(
            try engine.plan(
                "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = \(probe.id)"
            ).distributed)
        let rows = try await rig.executor.execute(lookup).collect()
        // The scan jobs are all still blocked: none can have finished before being released.
        #expect(entered.value == busy)
        #expect(rows.rowCount == 1 && rows[0, 0].int64Value == probe.id)
        for _ in 0..<busy { release.signal() }
        for job in scanJobs { try await job.value }
    }
}

/// A count shared by jobs on several threads.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() -> Int {
        count.withLock {
            $0 += 1; return $0
        }
    }
    var value: Int { count.withLock { $0 } }
}

/// Opens once; every waiter, earlier or later, goes on.
final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

extension SchedulingTests {
    /// One large columnar aggregate keeps both scan threads (both cores) busy with its chunks,
    /// and an objectId lookup is answered by the interactive lane meanwhile: the aggregate's
    /// first two chunk statements are held inside their pool jobs until the lookup is done.
    @Test(.timeLimit(.minutes(5))) func aColumnarAggregateUsesBothScanThreadsAndLeavesTheInteractiveLane() async throws {
        let rig = Rig(engine)
        defer { rig.pool.shutdown() }
        let busy = rig.pool.threadCount
        #expect(busy >= 2)
        let plan = try #require(
            try engine.plan("SELECT tract, patch, COUNT(*), AVG(r_psfFlux) FROM dp02_dc2_catalogs.Object GROUP BY tract, patch")
                .distributed)
        #expect(plan.columnar != nil && !plan.interactive && plan.chunkIds.count > busy)
        let allBusy = Latch(), entered = Counter()
        let release = DispatchSemaphore(value: 0)
        rig.worker.beforeColumnarChunk.withLock {
            $0 = { _ in
                if entered.increment() <= busy {
                    if entered.value == busy { allBusy.open() }
                    release.wait()
                }
            }
        }
        let aggregate = rig.executor.execute(plan)
        let readAggregate = Task { try await aggregate.collect() }
        await allBusy.wait()
        let probe = EngineFixture.allObjects[29]
        let lookup = try #require(
            try engine.plan("SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = \(probe.id)").distributed)
        let rows = try await rig.executor.execute(lookup).collect()
        #expect(rows.rowCount == 1 && rows[0, 0].int64Value == probe.id)
        // Both held chunk statements were still inside their scan-lane jobs.
        #expect(entered.value == busy)
        for _ in 0..<busy { release.signal() }
        let result = try await readAggregate.value
        #expect(result.rowCount > 0)
        #expect(rig.worker.columnarStats.columnarChunks == plan.chunkIds.count)
    }
}
