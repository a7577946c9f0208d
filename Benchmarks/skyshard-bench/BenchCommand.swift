import ArgumentParser
import Catalog
import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather

/// `skyshard-bench` (also reached as `skyshard bench`): SkyShard against one unsharded SQLite
/// file of the same data, in one process.
///
/// Under `--data DIR/objects-<N>/`: `catalog/` (the SkyShard data root, generated and ingested
/// once by child processes whose time and peak memory are measured), `ingest.json` (those
/// measurements), `baseline.sqlite` (the unsharded copy) and `report.md` (the markdown section;
/// `report-partial.md` for runs with --only or --skip).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skyshard-bench",
        abstract: "Benchmark SkyShard against single-file SQLite on the same catalog (ratios, same process).")

    @Option(name: .long, help: "Directory for the benchmark catalogs (one sub-directory per object count).")
    var data: String

    @Option(name: .long, help: "Number of Object rows.")
    var objects: Int = 1_000_000

    @Option(
        name: .long,
        help: "Only these benchmarks (comma-separated query names, 'plan' for parse/plan, 'shared_scans' for concurrent scans).")
    var only: String?

    @Option(name: .long, help: "Leave out these benchmarks (comma-separated names, as for --only).")
    var skip: String?

    @Option(name: .long, help: "Timed runs per query after one warm-up.")
    var `repeat`: Int = 5

    @Option(name: .long, help: "Tables to generate (Object is required; without ForcedSource its benchmark is skipped).")
    var tables: String = "Object,ForcedSource,CcdVisit,Visit"

    @Option(name: .long, help: "Engine threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Seconds one query benchmark may take; repeats are cut to fit (at least one).")
    var budget: Double = 60

    @Option(name: .long, help: "Calls per query in the parse/plan benchmark.")
    var planIterations: Int = 2000

    @Option(name: .long, help: "Where to write the markdown section (default: DIR/objects-N/report.md).")
    var markdown: String?

    @Option(name: .long, help: "The Swift version line for the report (default: `swift --version` if on PATH).")
    var swiftVersion: String?

    @Flag(name: .long, help: "Generate and ingest again even when a catalog of this size exists.")
    var rebuild = false

    @Flag(name: .long, help: "Keep the generated CSV files.")
    var keepCSV = false

    func log(_ message: String) { FileHandle.standardError.write(Data("bench: \(message)\n".utf8)) }

    func run() async throws {
        guard objects >= 1000 else { throw ValidationError("--objects must be at least 1000") }
        let tableList = tables.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tableList.contains("Object") else { throw ValidationError("--tables must include Object") }
        let fm = FileManager.default
        let root = URL(fileURLWithPath: data, isDirectory: true).appendingPathComponent("objects-\(objects)", isDirectory: true)
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let dataRoot = root.appendingPathComponent("catalog", isDirectory: true)
        let statsFile = root.appendingPathComponent("ingest.json")
        let baselineFile = root.appendingPathComponent("baseline.sqlite")
        let baselineStamp = root.appendingPathComponent("baseline.json")

        // 1. The catalog.
        var measurement: IngestMeasurement?
        var reused = false
        if !rebuild, let version = DataLayout(root: dataRoot).currentVersion(),
            let description = try? version.loadDescription(),
            description.tableRowCounts["Object"] == objects,
            Set(description.tables.map(\.name)) == Set(tableList)
        {
            reused = true
            measurement = (try? Data(contentsOf: statsFile)).flatMap {
                try? JSONDecoder().decode(IngestMeasurement.self, from: $0)
            }
            log("reusing the catalog in \(version.directory.path)")
        } else {
            measurement = try generateAndIngest(root: root, dataRoot: dataRoot, tables: tableList)
            try? fm.removeItem(at: baselineStamp)
        }
        guard let version = DataLayout(root: dataRoot).currentVersion() else {
            throw ValidationError("no catalog under \(dataRoot.path)")
        }
        let catalog = try version.loadDescription()

        // 2. The baseline file.
        let stamp = "\(BaselineDatabase.formatVersion) \(version.name)"
        let stampText = (try? String(contentsOf: baselineStamp, encoding: .utf8)) ?? ""
        if stampText != stamp || !fm.fileExists(atPath: baselineFile.path) {
            log("building the unsharded baseline \(baselineFile.path)")
            let seconds = try BaselineDatabase.build(
                version: version, catalog: catalog, file: baselineFile, progress: { log($0) })
            try stamp.write(to: baselineStamp, atomically: true, encoding: .utf8)
            if var m = measurement {
                m.baselineSeconds = seconds
                m.baselineBytes = Self.size(of: baselineFile)
                measurement = m
                try JSONEncoder().encode(m).write(to: statsFile)
            }
        }

        // 3. The benchmarks.
        let engine = try SkyShardEngine(dataRoot: dataRoot, threads: threads, defaultTimeout: .seconds(3600))
        let logger: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("bench: \($0)\n".utf8)) }
        let runner = try BenchRunner(
            engine: engine, baselineFile: baselineFile, repeats: self.repeat, budgetSeconds: budget, log: logger)
        if runner.blocks {
            logger(
                "the catalog and the baseline exceed 80 % of RAM: a query whose two sides' pages do not stay cached "
                    + "together runs SkyShard's block, then SQLite's")
        }
        let parameters = try runner.parameters()
        let selected = only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let leftOut = Set((skip ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let present = runner.tables
        var results: [QueryMeasurement] = []
        var skipped: [String] = []
        for query in BenchSuite.queries(parameters) where selected?.contains(query.name) ?? true {
            if leftOut.contains(query.name) {
                skipped.append("\(query.name) (--skip)")
                continue
            }
            if let missing = query.tables.first(where: { !present.contains($0) }) {
                skipped.append("\(query.name) (the catalog has no \(missing) table)")
                continue
            }
            log("running \(query.name)")
            let m = try await runner.run(query)
            log(
                "  SkyShard \(BenchFormat.duration(m.skyshard.median)), SQLite \(BenchFormat.duration(m.sqlite.median)), "
                    + "\(m.skyshardDigest.rows) rows, \(m.agrees ? "same answer" : "ANSWERS DIFFER")")
            results.append(m)
        }
        var plans: [PlanMeasurement] = []
        if selected?.contains("plan") ?? true, !leftOut.contains("plan") {
            log("running the parse/plan benchmark")
            for (name, adql) in BenchSuite.planQueries(parameters) {
                plans.append(runner.plan(name: name, adql: adql, iterations: max(10, planIterations)))
            }
        }

        // Concurrent full scans, with and without shared chunk passes (a ratio in one run).
        var sharedScans: [SharedScanMeasurement] = []
        if selected?.contains("shared_scans") ?? true, !leftOut.contains("shared_scans") {
            for n in [1, 2, 4] {
                log("running shared_scans with \(n) concurrent queries")
                let halfOfRepeats = `repeat` / 2
                sharedScans.append(
                    try await SharedScanBench.run(
                        engine: engine, queries: SharedScanBench.queries(count: n), rounds: max(1, halfOfRepeats), log: logger))
            }
        }

        // 4. The report.
        var report = BenchReport(
            machine: MachineInfo.current(swiftVersion: swiftVersion), objects: objects,
            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, repeats: self.repeat,
            ingest: measurement, ingestReused: reused, queries: results, plans: plans, skipped: skipped)
        report.blocks = runner.blocks
        var markdownText = report.markdown
        if !sharedScans.isEmpty {
            var lines = [
                "", "", "Concurrent full-scan aggregates of Object, shared chunk passes vs one pass per query:", "",
                "| queries | shared p50 | p90 | separate p50 | p90 | separate/shared | passes / statements (shared) | answers |",
                "|--:|--:|--:|--:|--:|--:|--:|---|",
            ]
            lines += sharedScans.map(SharedScanBench.markdownRow)
            markdownText += lines.joined(separator: "\n") + "\n"
        }
        print(report.text)
        if !sharedScans.isEmpty {
            print("\nshared scans (N concurrent full scans; separate/shared > 1 means sharing is faster):")
            for m in sharedScans {
                print(
                    "  N=\(m.queries.count): shared \(BenchFormat.duration(m.shared.median)), separate "
                        + "\(BenchFormat.duration(m.separate.median)), ratio \(BenchFormat.ratio(m.speedup)), "
                        + "passes \(m.chunkPasses) / statements \(m.chunkTasks), \(m.agrees ? "same answers" : "ANSWERS DIFFER")")
            }
        }
        // A partial run (--only / --skip) does not overwrite the full run's report.
        let partial = only != nil || skip != nil
        let markdownFile =
            markdown.map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(partial ? "report-partial.md" : "report.md")
        try (markdownText + "\n").write(to: markdownFile, atomically: true, encoding: .utf8)
        print("\nmarkdown section written to \(markdownFile.path)")
        if results.contains(where: { !$0.agrees }) || sharedScans.contains(where: { !$0.agrees }) {
            throw ValidationError("SkyShard and SQLite answered differently: the timings of those queries are worthless")
        }
    }

    /// Generates the CSV files and ingests them, each as a child process of the `skyshard`
    /// executable beside this one, measuring wall time and peak resident memory.
    func generateAndIngest(root: URL, dataRoot: URL, tables: [String]) throws -> IngestMeasurement {
        let fm = FileManager.default
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("skyshard").path
        guard fm.isExecutableFile(atPath: exe) else {
            throw ValidationError("the skyshard executable is not beside skyshard-bench (looked for \(exe)): build both")
        }
        let csv = root.appendingPathComponent("csv", isDirectory: true)
        try? fm.removeItem(at: csv)
        try? fm.removeItem(at: dataRoot)
        log("generating \(objects) objects (\(tables.joined(separator: ", "))) into \(csv.path)")
        let gen = try ChildRun.run(
            exe,
            [
                "generate", "--objects", "\(objects)", "--out", csv.path, "--tables", tables.joined(separator: ","), "--quiet",
            ])
        guard gen.status == 0 else { throw ValidationError("generate failed (exit \(gen.status))") }
        let csvBytes = Self.size(of: csv)
        log("generated in \(String(format: "%.1f", gen.seconds)) s; ingesting")
        let ing = try ChildRun.run(
            exe,
            [
                "ingest", "--descriptor", csv.appendingPathComponent("descriptor.json").path,
                "--data-root", dataRoot.path, "--quiet",
            ])
        guard ing.status == 0 else { throw ValidationError("ingest failed (exit \(ing.status))") }
        log("ingested in \(String(format: "%.1f", ing.seconds)) s")
        if !keepCSV { try? fm.removeItem(at: csv) }
        guard let version = DataLayout(root: dataRoot).currentVersion() else {
            throw ValidationError("ingest left no current version under \(dataRoot.path)")
        }
        let description = try version.loadDescription()
        let m = IngestMeasurement(
            objects: objects, tables: tables, generateSeconds: gen.seconds, generateMaxRSSBytes: gen.maxRSSBytes,
            csvBytes: csvBytes, ingestSeconds: ing.seconds, ingestMaxRSSBytes: ing.maxRSSBytes,
            tableRows: description.tableRowCounts, chunks: description.chunkRowCounts.count,
            catalogBytes: Self.size(of: version.directory))
        try JSONEncoder().encode(m).write(to: root.appendingPathComponent("ingest.json"))
        return m
    }

    /// Bytes of a file, or of every file under a directory.
    static func size(of url: URL) -> Int64 {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return 0 }
        if !isDir.boolValue {
            return ((try? fm.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        var total: Int64 = 0
        if let e = fm.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) {
            for case let file as URL in e {
                total += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]))?.fileSize ?? 0)
            }
        }
        return total
    }
}
