import ADQL
import Catalog
import DemoData
import Foundation
import Ingest
import Planner
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

/// What generating and ingesting the benchmark catalog cost (measured on child processes).
public struct IngestMeasurement: Sendable, Codable {
    public var objects: Int
    public var tables: [String]
    public var generateSeconds: Double
    public var generateMaxRSSBytes: Int
    public var csvBytes: Int64
    public var ingestSeconds: Double
    public var ingestMaxRSSBytes: Int
    /// Rows loaded per table (overlap rows excluded).
    public var tableRows: [String: Int]
    public var chunks: Int
    public var catalogBytes: Int64
    public var baselineSeconds: Double?
    public var baselineBytes: Int64?

    public var totalRows: Int { tableRows.values.reduce(0, +) }

    public init(
        objects: Int, tables: [String], generateSeconds: Double, generateMaxRSSBytes: Int, csvBytes: Int64,
        ingestSeconds: Double, ingestMaxRSSBytes: Int, tableRows: [String: Int], chunks: Int, catalogBytes: Int64,
        baselineSeconds: Double? = nil, baselineBytes: Int64? = nil
    ) {
        self.objects = objects
        self.tables = tables
        self.generateSeconds = generateSeconds
        self.generateMaxRSSBytes = generateMaxRSSBytes
        self.csvBytes = csvBytes
        self.ingestSeconds = ingestSeconds
        self.ingestMaxRSSBytes = ingestMaxRSSBytes
        self.tableRows = tableRows
        self.chunks = chunks
        self.catalogBytes = catalogBytes
        self.baselineSeconds = baselineSeconds
        self.baselineBytes = baselineBytes
    }
}

/// One round of a query benchmark: a SkyShard run and an SQLite run when alternating, a block
/// of each in blocks, with the cores' ceiling measured before it (blocks: the median of the
/// two measured before the blocks).
public struct BenchRound: Sendable {
    public var ceiling: Double?
    /// SQLite's time over SkyShard's (medians of the blocks).
    public var speedup: Double
}

/// The outcome of one query benchmark.
public struct QueryMeasurement: Sendable {
    public var query: BenchQuery
    public var skyshard: TimingStats
    public var sqlite: TimingStats
    /// Median of `engine.plan` alone (parse, bind, plan), part of the SkyShard time.
    public var planSeconds: Double
    /// Chunks the plan touches ("coordinator" plans: -1).
    public var chunks: Int
    public var skyshardDigest: ResultDigest
    public var sqliteDigest: ResultDigest
    public var repeats: Int
    /// For a speedup goal: the two-core ceiling (`CoreSpeeds.ceiling`) measured before each
    /// round (empty when it could not be measured).
    public var ceilings: [Double] = []
    /// What each side used during its timed runs, summed (warm-ups left out): storage reads
    /// and CPU time (`RunCounters`); nil where the counters are not available.
    public var skyshardCounters: RunCounters?
    public var sqliteCounters: RunCounters?
    /// SkyShard's CPU time over SQLite's for the same runs: the work it spends on top of
    /// SQLite's for the answer (1.00: none), whatever the cores' speeds.
    public var cpuRatio: Double? {
        guard let e = skyshardCounters, let s = sqliteCounters, s.cpuSeconds > 0 else { return nil }
        return e.cpuSeconds / s.cpuSeconds
    }
    /// SkyShard's CPU time over its wall time: how many cores its runs kept busy on average.
    public var skyshardBusyCores: Double? {
        guard let e = skyshardCounters, skyshard.total > 0 else { return nil }
        return e.cpuSeconds / skyshard.total
    }
    /// The runs were in rounds of blocks, not alternating (`BenchRunner.run`).
    public var inBlocks = false
    public var rounds: [BenchRound] = []

    public var agrees: Bool { skyshardDigest == sqliteDigest }
    /// Median of `ceilings`.
    public var ceiling: Double? { ceilings.isEmpty ? nil : TimingStats(ceilings).median }
    /// SkyShard time / SQLite time (medians): below 1 is faster.
    public var ratio: Double { skyshard.median / sqlite.median }
    public var speedup: Double { sqlite.median / skyshard.median }

    public var goalMet: Bool? {
        guard let goal = query.goal, agrees else { return query.goal == nil ? nil : false }
        switch goal {
        case .speedup(let x): return speedup >= x
        case .engineTime(let s, _): return skyshard.median <= s
        }
    }
}

/// The outcome of one parse / bind / plan benchmark.
public struct PlanMeasurement: Sendable {
    public var name: String
    public var adql: String
    public var parse: TimingStats
    public var plan: TimingStats
    public var iterations: Int
    public var error: String?
    public var ratio: Double { plan.median / parse.median }
}

/// Runs the query and planning benchmarks against an engine and the baseline file, in one
/// process: for each query a warm-up of each side, then `repeats` rounds that alternate
/// SkyShard and SQLite, so that drift (page cache, frequency) affects both alike.
///
/// When the catalog and the baseline together do not fit in the machine's memory, alternating
/// would make every full scan on either side read its pages back from the disk, evicted by the
/// other side's last run: both sides would measure the disk. The runs are then in blocks
/// instead, each after its own warm-up: SkyShard's runs, then SQLite's, in up to three rounds,
/// so that each side runs from the page cache like a service whose data fit in memory
/// (`blocks` is then true). Only for the queries that need it: a query whose pages on both
/// sides stay cached together (a scan of a narrow index, a cone) still alternates, so that the
/// machine's phases fall on both sides alike (`pagesStayCachedTogether`).
public final class BenchRunner: @unchecked Sendable {
    public let engine: SkyShardEngine
    /// Used from one thread at a time (the runner runs one thing at a time).
    var baseline: SQLiteConnection
    let baselineFile: URL
    public var repeats: Int
    /// After the warm-up, repeats are cut so that one benchmark takes about this long.
    public var budgetSeconds: Double
    public var timeout: Duration
    public var log: @Sendable (String) -> Void
    /// The catalog and the baseline may not fit in the page cache together: a query's runs are
    /// then in rounds of two blocks (SkyShard's, then SQLite's) unless its own pages on both
    /// sides stay cached together.
    public var blocks: Bool
    /// Storage reads by one run of each side, both warm, up to which their pages count as
    /// cached together (small, but not zero: a virtual machine's host may reclaim a little page
    /// cache now and then).
    static let cachedReadAllowance: Int64 = 16 << 20

    public init(
        engine: SkyShardEngine, baselineFile: URL, repeats: Int, budgetSeconds: Double = 60,
        timeout: Duration = .seconds(1800), log: @escaping @Sendable (String) -> Void
    ) throws {
        self.engine = engine
        self.baseline = try BaselineDatabase.open(baselineFile)
        self.baselineFile = baselineFile
        self.repeats = max(1, repeats)
        self.budgetSeconds = budgetSeconds
        self.timeout = timeout
        self.log = log
        self.blocks = Self.exceedsMemory(catalog: engine.version.directory, baseline: baselineFile)
    }

    /// In blocks: the other side's file pages out of the page cache before a side's block, so
    /// that each side's warm-up leaves its own pages cached (the kernel keeps pages read twice
    /// on its active list; the other side's would otherwise crowd out a large scan's pages). Mapped
    /// pages cannot be dropped, so the side's connections are closed first.
    func evictOtherSide(before side: BenchSide) throws {
        switch side {
        case .skyshard:
            baseline = try BaselineDatabase.open(baselineFile)  // the old connection unmaps as it goes
            Self.dropCachedPages(of: baselineFile)
        case .sqlite:
            for case let worker as LocalShardWorker in engine.executor.workers { worker.closeIdleConnections() }
            let fm = FileManager.default
            for file in (try? fm.contentsOfDirectory(at: engine.version.chunksDirectory, includingPropertiesForKeys: nil)) ?? [] {
                Self.dropCachedPages(of: file)
            }
        }
    }

    enum BenchSide { case skyshard, sqlite }

    /// After the warm-ups of blocks (SQLite's last, after SkyShard's pages were dropped): one
    /// run of SkyShard to read its pages back, then one run of each side, counted. True when
    /// those two read from storage no more than `cachedReadAllowance`, so that alternating
    /// measures no disk; false when it cannot be told.
    func pagesStayCachedTogether(_ adql: String, _ sql: String) async throws -> Bool {
        guard RunCounters.now() != nil else { return false }
        _ = try await runSkyShard(adql)
        guard let before = RunCounters.now() else { return false }
        _ = try await runSkyShard(adql)
        _ = try runSQLite(sql)
        guard let after = RunCounters.now() else { return false }
        return (after - before).readBytes <= Self.cachedReadAllowance
    }

    /// `posix_fadvise(DONTNEED)` over the whole file: its clean, unmapped pages leave the cache.
    static func dropCachedPages(of file: URL) {
        let fd = open(file.path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
    }

    /// True when the catalog's files and the baseline file together are larger than 80 % of
    /// physical memory (the rest is left to processes and the kernel).
    static func exceedsMemory(catalog: URL, baseline: URL) -> Bool {
        func bytes(_ url: URL) -> Int64 {
            let fm = FileManager.default
            var total: Int64 = 0
            if let files = fm.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) {
                for case let file as URL in files {
                    total += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
                }
            }
            let own = (try? fm.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            return total + ((try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true ? own : 0)
        }
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        return Double(bytes(catalog) + bytes(baseline)) > 0.8 * memory
    }

    /// Parameters chosen from the data: an objectId in the middle of the file's order.
    public func parameters() throws -> BenchParameters {
        var p = BenchParameters()
        let rows = try baseline.query("SELECT objectId FROM \"Object\" WHERE rowid = (SELECT max(rowid) / 2 FROM \"Object\")")
        p.objectId = rows.first?.first?.int64Value ?? 0
        return p
    }

    public var tables: Set<String> { Set(engine.catalog.tables.map(\.name)) }

    func runSkyShard(_ adql: String) async throws -> (Double, RowBatch) {
        let start = BenchClock.now()
        let result = try await engine.execute(adql, timeout: timeout)
        let batch = try await result.collect()
        return (BenchClock.seconds(start, BenchClock.now()), batch)
    }

    func runSQLite(_ sql: String) throws -> (Double, RowBatch) {
        let start = BenchClock.now()
        let statement = try baseline.cachedStatement(sql)
        var batch = RowBatch(columnCount: statement.columnCount)
        while try statement.step() { statement.appendRow(to: &batch) }
        statement.reset()
        return (BenchClock.seconds(start, BenchClock.now()), batch)
    }

    static func digest(_ batch: RowBatch) -> ResultDigest {
        var d = ResultDigest()
        d.add(batch: batch)
        return d
    }

    public func run(_ query: BenchQuery) async throws -> QueryMeasurement {
        let sql = try BaselineDatabase.render(query.baselineADQL)
        var chunks = -1
        if case .distributed(let plan) = try engine.plan(query.adql) { chunks = plan.chunkIds.count }
        var planTimes: [Double] = []
        for _ in 0..<20 {
            let t0 = BenchClock.now()
            _ = try engine.plan(query.adql)
            planTimes.append(BenchClock.seconds(t0, BenchClock.now()))
        }
        // Warm-up: one run of each; also the answers that are compared. In blocks, each side's
        // warm-up follows the eviction of the other side's pages.
        if blocks { try evictOtherSide(before: .skyshard) }
        let (warmEngine, engineBatch) = try await runSkyShard(query.adql)
        if blocks { try evictOtherSide(before: .sqlite) }
        let (warmSQLite, sqliteBatch) = try runSQLite(sql)
        let engineDigest = Self.digest(engineBatch)
        let sqliteDigest = Self.digest(sqliteBatch)
        if engineDigest != sqliteDigest {
            log("  MISMATCH \(query.name): SkyShard \(engineDigest), SQLite \(sqliteDigest)")
        }
        var e: [Double] = [], s: [Double] = []
        // A speedup over one thread is bounded by the cores' speeds at the time: measured
        // before each round (before each block when in blocks).
        var ceilings: [Double] = []
        func measureCores() {
            guard case .speedup = query.goal, let speeds = CoreSpeeds.measure() else { return }
            ceilings.append(speeds.ceiling)
        }
        // Storage reads and CPU time during the timed runs, by side: a run that read from the
        // disk measured the disk too (on the development VM the host reclaims page cache it
        // deems cold); CPU time tells the engine's work from the cores' speed.
        var countersE = RunCounters.now().map { _ in RunCounters.zero }
        var countersS = countersE
        func timedSkyShard() async throws {
            let (run, used) = try await RunCounters.measure { try await runSkyShard(query.adql) }
            e.append(run.0)
            countersE = used.flatMap { u in countersE.map { $0 + u } }
        }
        func timedSQLite() async throws {
            let (run, used) = try await RunCounters.measure { try runSQLite(sql) }
            s.append(run.0)
            countersS = used.flatMap { u in countersS.map { $0 + u } }
        }
        let perRound = warmEngine + warmSQLite
        var n = perRound > 0 ? min(repeats, max(1, Int(budgetSeconds / perRound))) : repeats
        var roundList: [BenchRound] = []
        func round(ceilings c: ArraySlice<Double>, e: ArraySlice<Double>, s: ArraySlice<Double>) -> BenchRound {
            BenchRound(
                ceiling: c.isEmpty ? nil : TimingStats(Array(c)).median,
                speedup: TimingStats(Array(s)).median / TimingStats(Array(e)).median)
        }
        var inBlocks = blocks
        if blocks, try await pagesStayCachedTogether(query.adql, sql) {
            inBlocks = false
            log("  \(query.name): both sides' pages stay cached together; alternating")
        }
        if inBlocks {
            // Up to three rounds of a SkyShard block and an SQLite block, each block after the
            // other side's eviction and its own warm-up: the machine's slow and fast phases
            // then fall on both sides more evenly than in one block each.
            let rounds = min(3, n)
            let perBlock = (n + rounds - 1) / rounds
            for _ in 0..<rounds {
                let c0 = ceilings.count, e0 = e.count, s0 = s.count
                defer { roundList.append(round(ceilings: ceilings[c0...], e: e[e0...], s: s[s0...])) }
                try evictOtherSide(before: .skyshard)
                _ = try await runSkyShard(query.adql)
                measureCores()
                for _ in 0..<perBlock { try await timedSkyShard() }
                try evictOtherSide(before: .sqlite)
                _ = try runSQLite(sql)
                measureCores()
                for _ in 0..<perBlock { try await timedSQLite() }
            }
            n = rounds * perBlock
        } else {
            for _ in 0..<n {
                let c0 = ceilings.count, e0 = e.count, s0 = s.count
                measureCores()
                try await timedSkyShard()
                try await timedSQLite()
                roundList.append(round(ceilings: ceilings[c0...], e: e[e0...], s: s[s0...]))
            }
        }
        var m = QueryMeasurement(
            query: query, skyshard: TimingStats(e), sqlite: TimingStats(s), planSeconds: TimingStats(planTimes).median,
            chunks: chunks, skyshardDigest: engineDigest, sqliteDigest: sqliteDigest, repeats: n)
        m.ceilings = ceilings
        m.skyshardCounters = countersE
        m.sqliteCounters = countersS
        m.inBlocks = inBlocks
        m.rounds = roundList
        return m
    }

    /// Times `SkyShardEngine.parse` (the baseline) and `engine.plan` (parse + bind + plan) of a
    /// query, `iterations` calls each after a warm-up, each call timed on its own.
    public func plan(name: String, adql: String, iterations: Int) -> PlanMeasurement {
        do {
            for _ in 0..<10 {
                _ = try SkyShardEngine.parse(adql)
                _ = try engine.plan(adql)
            }
            var parse: [Double] = [], plan: [Double] = []
            parse.reserveCapacity(iterations)
            plan.reserveCapacity(iterations)
            for _ in 0..<iterations {
                let t0 = BenchClock.now()
                let q = try SkyShardEngine.parse(adql)
                let t1 = BenchClock.now()
                withExtendedLifetime(q) {}
                let p = try engine.plan(adql)
                let t2 = BenchClock.now()
                withExtendedLifetime(p) {}
                parse.append(BenchClock.seconds(t0, t1))
                plan.append(BenchClock.seconds(t1, t2))
            }
            return PlanMeasurement(
                name: name, adql: adql, parse: TimingStats(parse), plan: TimingStats(plan),
                iterations: iterations)
        } catch {
            return PlanMeasurement(
                name: name, adql: adql, parse: TimingStats([]), plan: TimingStats([]),
                iterations: 0, error: "\(error)")
        }
    }
}

/// The report: a plain table for the terminal and a markdown section for BENCHMARKS.md.
public struct BenchReport: Sendable {
    public var machine: MachineInfo
    public var objects: Int
    public var threads: Int
    public var repeats: Int
    public var ingest: IngestMeasurement?
    public var ingestReused: Bool
    public var queries: [QueryMeasurement]
    public var plans: [PlanMeasurement]
    public var skipped: [String]
    /// The runs of each query were in rounds of blocks, not alternating (`BenchRunner.blocks`).
    public var blocks = false

    public init(
        machine: MachineInfo, objects: Int, threads: Int, repeats: Int, ingest: IngestMeasurement?,
        ingestReused: Bool, queries: [QueryMeasurement], plans: [PlanMeasurement], skipped: [String]
    ) {
        self.machine = machine
        self.objects = objects
        self.threads = threads
        self.repeats = repeats
        self.ingest = ingest
        self.ingestReused = ingestReused
        self.queries = queries
        self.plans = plans
        self.skipped = skipped
    }

    static func goalText(_ m: QueryMeasurement) -> String {
        guard let goal = m.query.goal else { return "—" }
        if !m.agrees { return "WRONG ANSWER" }
        let met = m.goalMet == true ? "met" : "missed"
        guard let ceiling = m.ceiling else { return "\(met) (\(goal))" }
        return "\(met) (\(goal)); cores' ceiling \(BenchFormat.ratio(ceiling))×"
    }

    /// The speedups of the rounds whose measured ceiling reached `goal`, and of those whose
    /// ceiling fell short (rounds without a ceiling are left out).
    static func splitRounds(_ rounds: [BenchRound], goal: Double) -> (high: [Double], low: [Double]) {
        var high: [Double] = [], low: [Double] = []
        for r in rounds {
            guard let c = r.ceiling else { continue }
            if c >= goal { high.append(r.speedup) } else { low.append(r.speedup) }
        }
        return (high, low)
    }

    /// Per query with CPU counters: CPU time per run of each side, their ratio, and SkyShard's
    /// busy cores.
    var workLines: [String] {
        queries.compactMap { m in
            guard let ratio = m.cpuRatio, let busy = m.skyshardBusyCores, let e = m.skyshardCounters,
                let s = m.sqliteCounters
            else { return nil }
            let n = Double(max(m.repeats, 1))
            return "\(m.query.name): SkyShard \(BenchFormat.duration(e.cpuSeconds / n)), SQLite "
                + "\(BenchFormat.duration(s.cpuSeconds / n)), ratio \(BenchFormat.ratio(ratio)); "
                + "SkyShard busy cores \(BenchFormat.ratio(busy))"
        }
    }

    /// The queries whose timed runs read from storage, one line each ("name: SkyShard …;
    /// SQLite …", per timed run); empty when none did or nothing was measured.
    var storageReadLines: [String] {
        func side(_ r: RunCounters, runs: Int) -> String {
            let n = Int64(max(runs, 1))
            return "\(BenchFormat.bytes(Int(r.readBytes / n))) and \(r.majorFaults / n) major faults per run"
        }
        return queries.compactMap { m in
            guard let e = m.skyshardCounters, let s = m.sqliteCounters, e.readFromStorage || s.readFromStorage else { return nil }
            return "\(m.query.name): SkyShard \(side(e, runs: m.repeats)); SQLite \(side(s, runs: m.repeats))"
        }
    }

    /// A fixed-width table for the terminal.
    public var text: String {
        var lines: [String] = []
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        lines.append(
            "SkyShard bench: \(BenchFormat.count(objects)) objects, \(threads) engine threads, "
                + "\(machine.buildConfiguration) build, \(machine.cores) cores, \(machine.cpuModel)")
        let header =
            pad("query", 22) + lpad("chunks", 7) + lpad("rows", 9) + lpad("SkyShard p50", 14) + lpad("p90", 11)
            + lpad("SQLite p50", 12) + lpad("p90", 11) + lpad("Sky/SQL", 9) + lpad("speedup", 9) + "  answer  goal"
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count + 20))
        for m in queries {
            lines.append(
                pad(m.query.name, 22) + lpad(m.chunks < 0 ? "coord" : "\(m.chunks)", 7) + lpad("\(m.skyshardDigest.rows)", 9)
                    + lpad(BenchFormat.duration(m.skyshard.median), 14) + lpad(BenchFormat.duration(m.skyshard.p90), 11)
                    + lpad(BenchFormat.duration(m.sqlite.median), 12) + lpad(BenchFormat.duration(m.sqlite.p90), 11)
                    + lpad(BenchFormat.ratio(m.ratio), 9) + lpad(BenchFormat.ratio(m.speedup), 9)
                    + "  " + pad(m.agrees ? "same" : "DIFFER", 6) + "  " + Self.goalText(m))
        }
        let work = workLines
        if !work.isEmpty {
            lines.append("CPU per run (all threads): SkyShard's over SQLite's, and the cores SkyShard kept busy:")
            lines.append(contentsOf: work.map { "  " + $0 })
        }
        let blocked = queries.filter(\.inBlocks).map(\.query.name)
        if !blocked.isEmpty {
            lines.append("in blocks (their two sides' pages do not stay cached together): \(blocked.joined(separator: ", "))")
        }
        let reads = storageReadLines
        if !reads.isEmpty {
            lines.append("read from storage during timed runs (a disk in the measure):")
            lines.append(contentsOf: reads.map { "  " + $0 })
        }
        if !plans.isEmpty {
            lines.append("")
            lines.append(
                pad("plan query", 22) + lpad("parse p50", 11) + lpad("plan p50", 11) + lpad("plan p90", 11)
                    + lpad("plan/parse", 12) + "  goal < 50 µs")
            for p in plans {
                if let error = p.error {
                    lines.append(pad(p.name, 22) + "  error: \(error)")
                    continue
                }
                lines.append(
                    pad(p.name, 22) + lpad(BenchFormat.duration(p.parse.median), 11)
                        + lpad(BenchFormat.duration(p.plan.median), 11) + lpad(BenchFormat.duration(p.plan.p90), 11)
                        + lpad(BenchFormat.ratio(p.ratio), 12) + "  " + (p.plan.median < 50e-6 ? "met" : "missed"))
            }
        }
        if let i = ingest {
            lines.append("")
            lines.append(ingestLines(i).joined(separator: "\n"))
        }
        for s in skipped { lines.append("skipped: \(s)") }
        return lines.joined(separator: "\n")
    }

    func ingestLines(_ i: IngestMeasurement) -> [String] {
        let objectsPerSecond = i.generateSeconds > 0 ? Double(i.objects) / i.generateSeconds : 0
        let rowsPerSecond = i.ingestSeconds > 0 ? Double(i.totalRows) / i.ingestSeconds : 0
        var lines = [
            "generate: \(BenchFormat.count(i.objects)) objects (\(i.tables.joined(separator: ", "))) in "
                + String(format: "%.1f s", i.generateSeconds) + ": \(BenchFormat.rate(objectsPerSecond)) Object rows, "
                + "\(BenchFormat.rate(Double(i.totalRows) / max(i.generateSeconds, 1e-9))) rows of all tables, "
                + "\(BenchFormat.bytes(Int(i.csvBytes))) CSV, peak RSS \(BenchFormat.bytes(i.generateMaxRSSBytes))",
            "ingest: \(i.totalRows) rows into \(i.chunks) chunks in " + String(format: "%.1f s", i.ingestSeconds)
                + ": \(BenchFormat.rate(rowsPerSecond)) rows, \(BenchFormat.bytes(Int(i.catalogBytes))) on disk, "
                + "peak RSS \(BenchFormat.bytes(i.ingestMaxRSSBytes))",
        ]
        if let s = i.baselineSeconds, let b = i.baselineBytes {
            lines.append("baseline file: built in " + String(format: "%.1f s", s) + ", \(BenchFormat.bytes(Int(b)))")
        }
        if ingestReused { lines.append("(catalog reused: generate/ingest figures are from the run that built it)") }
        return lines
    }

    /// The markdown section for BENCHMARKS.md.
    public var markdown: String {
        var md: [String] = []
        md.append("### \(BenchFormat.count(objects)) objects — \(machine.date)")
        md.append("")
        md.append(
            "Machine: \(machine.cores) cores (`nproc`), \(machine.cpuModel), "
                + "\(BenchFormat.bytes(machine.memoryBytes)) RAM, Linux \(machine.kernel); \(machine.swiftVersion); "
                + "\(machine.buildConfiguration) build; engine threads \(threads); "
                + "\(repeats) timed runs per query after one warm-up (fewer when a run is slow)"
                + (blocks
                    ? "; the catalog and the baseline together exceed 80 % of RAM, so a query whose pages on both "
                        + "sides did not stay in the page cache together (more than "
                        + "\(BenchFormat.bytes(Int(BenchRunner.cachedReadAllowance))) read from storage by a run of each, warm) "
                        + "ran in up to three rounds of two blocks, SkyShard's then SQLite's, each after dropping the other "
                        + "side's files from the page cache and its own warm-up, instead of alternating: "
                        + (queries.contains(where: \.inBlocks)
                            ? queries.filter(\.inBlocks).map { "`\($0.query.name)`" }.joined(separator: ", ") : "none")
                        + "." : "."))
        md.append("")
        md.append(
            "| query | chunks | rows | SkyShard p50 | p90 | SQLite p50 | p90 | SkyShard/SQLite | speedup | plan p50 | runs | answers | goal |"
        )
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
        for m in queries {
            md.append(
                "| `\(m.query.name)` | \(m.chunks < 0 ? "coord." : "\(m.chunks)") | \(m.skyshardDigest.rows) | "
                    + "\(BenchFormat.duration(m.skyshard.median)) | \(BenchFormat.duration(m.skyshard.p90)) | "
                    + "\(BenchFormat.duration(m.sqlite.median)) | \(BenchFormat.duration(m.sqlite.p90)) | "
                    + "\(BenchFormat.ratio(m.ratio)) | \(BenchFormat.ratio(m.speedup))× | \(BenchFormat.duration(m.planSeconds)) | "
                    + "\(m.repeats) | \(m.agrees ? "same (\(String(m.skyshardDigest.checksum, radix: 16).prefix(8)))" : "**differ**") | "
                    + "\(Self.goalText(m)) |")
        }
        if queries.contains(where: { $0.ceiling != nil }) {
            md.append("")
            md.append(
                "Cores' ceiling: the speed of all cores running the same SQLite scan at once over the fastest core "
                    + "alone (`CoreSpeeds`), measured before each round; the median of the rounds. No engine can beat "
                    + "one thread on the fastest core by more than that.")
            md.append("")
            md.append(
                "By round (one run of each side, or a block of each), split by whether the ceiling measured "
                    + "before the round reached the goal:")
            md.append("")
            md.append(
                "| query | goal | rounds with ceiling ≥ goal | their speedups min / median | met | "
                    + "rounds below | their speedups min / median |")
            md.append("|---|--:|--:|--:|--:|--:|--:|")
            for m in queries {
                guard case .speedup(let goal) = m.query.goal, m.rounds.contains(where: { $0.ceiling != nil }) else { continue }
                let (high, low) = Self.splitRounds(m.rounds, goal: goal)
                func stats(_ r: [Double]) -> String {
                    r.isEmpty ? "—" : "\(BenchFormat.ratio(r.min()!))× / \(BenchFormat.ratio(TimingStats(r).median))×"
                }
                md.append(
                    "| `\(m.query.name)` | \(BenchFormat.ratio(goal))× | \(high.count) | \(stats(high)) | "
                        + "\(high.filter { $0 >= goal }.count) | \(low.count) | \(stats(low)) |")
            }
        }
        if queries.contains(where: { $0.cpuRatio != nil }) {
            md.append("")
            md.append(
                "Work and cores: CPU time per timed run (user + system, all threads of the process), SkyShard's "
                    + "over SQLite's (the work SkyShard spends on top of SQLite's for the same answer), and SkyShard's "
                    + "CPU time over its wall time (the cores it kept busy):")
            md.append("")
            md.append("| query | SkyShard CPU / run | SQLite CPU / run | CPU ratio | SkyShard busy cores |")
            md.append("|---|--:|--:|--:|--:|")
            for m in queries {
                guard let ratio = m.cpuRatio, let busy = m.skyshardBusyCores, let e = m.skyshardCounters,
                    let s = m.sqliteCounters
                else { continue }
                let n = Double(max(m.repeats, 1))
                md.append(
                    "| `\(m.query.name)` | \(BenchFormat.duration(e.cpuSeconds / n)) | "
                        + "\(BenchFormat.duration(s.cpuSeconds / n)) | \(BenchFormat.ratio(ratio)) | \(BenchFormat.ratio(busy)) |"
                )
            }
        }
        let reads = storageReadLines
        if !reads.isEmpty {
            md.append("")
            md.append(
                "Read from storage during the timed runs (`read_bytes` of `/proc/self/io`, major page faults), "
                    + "so these figures include the disk:")
            md.append("")
            for line in reads { md.append("- " + line) }
        }
        if !plans.isEmpty {
            md.append("")
            md.append(
                "Parse / bind / plan (`SkyShardEngine.plan`, which parses again; baseline: `SkyShardEngine.parse` alone), "
                    + "\(plans.first?.iterations ?? 0) calls each:")
            md.append("")
            md.append("| query | parse p50 | plan p50 | plan p90 | plan/parse | goal < 50 µs |")
            md.append("|---|--:|--:|--:|--:|---|")
            for p in plans {
                if let error = p.error {
                    md.append("| `\(p.name)` | — | — | — | — | error: \(error) |")
                    continue
                }
                md.append(
                    "| `\(p.name)` | \(BenchFormat.duration(p.parse.median)) | \(BenchFormat.duration(p.plan.median)) | "
                        + "\(BenchFormat.duration(p.plan.p90)) | \(BenchFormat.ratio(p.ratio)) | "
                        + "\(p.plan.median < 50e-6 ? "met" : "missed") |")
            }
        }
        if let i = ingest {
            md.append("")
            for line in ingestLines(i) { md.append("- " + line) }
        }
        for s in skipped { md.append("- skipped: \(s)") }
        return md.joined(separator: "\n")
    }
}
