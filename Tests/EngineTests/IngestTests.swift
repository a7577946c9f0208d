import Catalog
import Foundation
import Sky
import Synchronization
import Tabular
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

/// A generated demo bundle (CSV + schema + descriptor) in a temporary directory.
private struct TestBundle {
    let dir: URL
    let descriptorURL: URL

    init(objects: Int = 2_000, seed: UInt64 = 11, tables: [String]? = ["Object", "ForcedSource", "CcdVisit", "Visit"]) throws {
        dir = try DataTestSupport.tempDirectory("bundle")
        let gen = try DemoGenerator(objects: objects, seed: seed, tables: tables)
        descriptorURL = try gen.writeBundle(to: dir)
    }

    func descriptor() throws -> IngestDescriptor { try IngestDescriptor.load(contentsOf: descriptorURL) }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

private func ints(_ db: SQLiteConnection, _ sql: String) throws -> [Int64] {
    try db.query(sql).map { $0[0].int64Value ?? -1 }
}

private func versionDirectories(_ root: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: DataLayout(root: root).versionsDirectory.path)) ?? []).sorted()
}

@Suite struct IngestTests {
    /// With the default key map (all keys in memory), one file per thread; and with a key map of
    /// 97 keys (on disk: 21 sorted runs, child rows placed one key range at a time), each CSV
    /// file parsed by two threads.
    @Test(arguments: [8 << 20, 97])
    func placesEveryRowWhereTheChunkerSays(keyMapBudget: Int) throws {
        let bundle = try TestBundle()
        let root = try DataTestSupport.tempDirectory("root")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        var ingester = Ingester(descriptor: try bundle.descriptor(), dataRoot: root)
        ingester.memoryBudget = 1 << 20  // force spill files
        ingester.keyMapBudget = keyMapBudget
        ingester.threads = 2
        ingester.parallelParseMinBytes = keyMapBudget < 100 ? 1 : Int.max
        let report = try ingester.run()
        let layout = DataLayout(root: root)
        let version = try #require(layout.currentVersion())
        #expect(version == report.version)
        #expect(versionDirectories(root) == [version.name])
        #expect(!FileManager.default.fileExists(atPath: version.directory.appendingPathComponent("spill").path))

        let catalog = try version.loadDescription()
        #expect(catalog == report.catalog)
        #expect(catalog.chunking == .demo)
        #expect(catalog.tableRowCounts["Object"] == 2_000)
        let fsCSV = try DataTestSupport.readCSV(bundle.dir.appendingPathComponent("ForcedSource.csv"))
        #expect(catalog.tableRowCounts["ForcedSource"] == fsCSV.rows.count)
        #expect(catalog.tableRowCounts["CcdVisit"] == 7_200)
        #expect(catalog.chunkRowCounts.values.reduce(0, +) == 2_000)
        let object = try #require(catalog.table(schema: "dp02_dc2_catalogs", name: "Object"))
        #expect(object.column(named: "objectId")?.indexed == true)
        #expect(object.column(named: "tract")?.indexed == true)
        #expect(catalog.table(schema: "dp02_dc2_catalogs", name: "ForcedSource")?.column(named: "objectId")?.indexed == true)

        let chunker = Chunker(numStripes: 85, numSubStripesPerStripe: 12)
        let overlap = ChunkingParameters.demo.overlap
        var seen: [Int64: Int] = [:]
        var positions: [Int64: (Double, Double)] = [:]
        var fsTotal = 0
        var overlapRows: [Int: Set<Int64>] = [:]
        // One SQLite file per chunk (beside it, the chunk's column files: `ColumnFileTests`).
        let files = try FileManager.default.contentsOfDirectory(atPath: version.chunksDirectory.path)
        #expect(files.filter { $0.hasSuffix(".sqlite") }.count == catalog.chunkIds.count)
        for chunkId in catalog.chunkIds {
            let db = try SQLiteConnection(path: version.chunkFile(chunkId).path, mode: .readOnlyImmutable)
            let rows = try db.query("SELECT objectId, coord_ra, coord_dec, chunkId, subChunkId FROM Object")
            #expect(rows.count == catalog.chunkRowCounts[chunkId])
            for r in rows {
                let id = r[0].int64Value!, ra = r[1].doubleValue!, dec = r[2].doubleValue!
                let loc = chunker.location(lon: ra, lat: dec)
                #expect(loc.chunkId == chunkId && r[3].int64Value == Int64(chunkId))
                #expect(r[4].int64Value == Int64(loc.subChunkId))
                #expect(seen[id] == nil, "object \(id) in two chunks")
                seen[id] = chunkId
                positions[id] = (ra, dec)
            }
            // Children sit with their director row.
            #expect(
                try ints(
                    db,
                    """
                    SELECT count(*) FROM ForcedSource f LEFT JOIN Object o ON o.objectId = f.objectId WHERE o.objectId IS NULL
                    """) == [0])
            fsTotal += Int(try ints(db, "SELECT count(*) FROM ForcedSource")[0])
            // Overlap rows: from other chunks, within the overlap margin of this one.
            let bounds = chunker.chunkBounds(chunkId).dilated(byRadians: overlap * .pi / 180 * 1.001)
            for r in try db.query("SELECT objectId, coord_ra, coord_dec, chunkId FROM ObjectFullOverlap") {
                let ra = r[1].doubleValue!, dec = r[2].doubleValue!
                #expect(chunker.chunkId(lon: ra, lat: dec) != chunkId)
                #expect(bounds.contains(lon: ra, lat: dec))
                #expect(r[3].int64Value == Int64(chunkId))
                overlapRows[chunkId, default: []].insert(r[0].int64Value!)
            }
            let indexes = Set(
                try db.query("SELECT name FROM sqlite_master WHERE type = 'index'").map { v -> String in
                    if case .text(let s) = v[0] { return s }
                    return ""
                })
            #expect(
                indexes.isSuperset(of: [
                    "Object_objectId_idx", "Object_subChunkId_idx", "ForcedSource_objectId_idx",
                    "ForcedSource_ccdVisitId_idx", "ObjectFullOverlap_objectId_idx",
                ]))
        }
        #expect(seen.count == 2_000)
        #expect(fsTotal == fsCSV.rows.count)
        #expect(report.overlapRowCount == overlapRows.values.map(\.count).reduce(0, +))
        // Every object near a populated chunk is among that chunk's overlap rows.
        for (id, (ra, dec)) in positions {
            for other in chunker.overlapChunks(lon: ra, lat: dec, overlap: overlap) where catalog.chunkRowCounts[other] != nil {
                #expect(overlapRows[other]?.contains(id) == true, "object \(id) missing from the overlap of \(other)")
            }
        }
        // The director index agrees.
        let index = try SQLiteConnection(path: version.directorIndexFile.path, mode: .readOnlyImmutable)
        let entries = try index.query("SELECT objectId, chunkId, subChunkId FROM director_index")
        #expect(entries.count == 2_000)
        for e in entries {
            let id = e[0].int64Value!
            #expect(seen[id].map(Int64.init) == e[1].int64Value)
            let (ra, dec) = positions[id]!
            #expect(Int64(chunker.location(lon: ra, lat: dec).subChunkId) == e[2].int64Value)
        }
        let replicated = try SQLiteConnection(path: version.replicatedFile.path, mode: .readOnlyImmutable)
        #expect(try ints(replicated, "SELECT count(*) FROM CcdVisit") == [7_200])
        #expect(try ints(replicated, "SELECT count(*) FROM Visit") == [360])
    }

    /// Duplicates and orphans are found in memory and, with a key map of 50 keys, across sorted
    /// runs on disk (the duplicate's first row is in another run) and per key range; there the
    /// CSV files are parsed by two threads, and the lines must still be right.
    @Test(arguments: [8 << 20, 50])
    func badRowsAbortOrSkipWithFileAndLine(keyMapBudget: Int) throws {
        let bundle = try TestBundle(objects: 1_000)
        let root = try DataTestSupport.tempDirectory("root-bad")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        // Append bad rows to copies of the CSV files.
        let objectCSV = bundle.dir.appendingPathComponent("Object.csv")
        let (header, rows) = try DataTestSupport.readCSV(objectCSV)
        let raCol = header.firstIndex(of: "coord_ra")!, decCol = header.firstIndex(of: "coord_dec")!
        let idCol = header.firstIndex(of: "objectId")!
        var notANumber = rows[0], outOfRange = rows[1], duplicate = rows[2]
        notANumber[idCol] = "42"
        notANumber[raCol] = "abc"
        outOfRange[idCol] = "43"
        outOfRange[decCol] = "-95"
        let shortRow = Array(rows[3].prefix(5))
        duplicate[raCol] = "60.5"
        var text = try String(contentsOf: objectCSV, encoding: .utf8)
        for r in [notANumber, outOfRange, shortRow, duplicate] { text += r.joined(separator: ",") + "\n" }
        try text.write(to: objectCSV, atomically: true, encoding: .utf8)
        let badLines = (1_002...1_005).map { $0 }  // header is line 1, rows 2…1001
        let fsCSV = bundle.dir.appendingPathComponent("ForcedSource.csv")
        let fs = try DataTestSupport.readCSV(fsCSV)
        var orphan = fs.rows[0]
        orphan[fs.header.firstIndex(of: "objectId")!] = "7"
        try (String(contentsOf: fsCSV, encoding: .utf8) + orphan.joined(separator: ",") + "\n")
            .write(to: fsCSV, atomically: true, encoding: .utf8)

        var d = try bundle.descriptor()
        func ingester() -> Ingester {
            var i = Ingester(descriptor: d, dataRoot: root)
            i.keyMapBudget = keyMapBudget
            i.threads = 2
            i.parallelParseMinBytes = keyMapBudget < 100 ? 1 : Int.max
            return i
        }
        d.badRows = .abort
        do {
            _ = try ingester().run()
            Issue.record("the ingest should have failed")
        } catch {
            #expect("\(error)".contains("Object.csv:\(badLines[0])"), "\(error)")
        }
        #expect(DataLayout(root: root).currentVersion() == nil)
        #expect(versionDirectories(root).isEmpty)

        d.badRows = .skip
        let report = try ingester().run()
        #expect(report.skippedRowCount == 5)
        // Threads may report in another order than the lines'.
        let byLine = Dictionary(uniqueKeysWithValues: report.skippedRows.map { ($0.line, $0) })
        #expect(byLine.keys.sorted() == badLines + [fs.rows.count + 2])
        #expect(byLine[badLines[0]]?.reason.contains("coord_ra") == true)
        #expect(byLine[badLines[1]]?.reason.contains("out of range") == true)
        #expect(byLine[badLines[2]]?.reason.contains("5 fields") == true)
        #expect(byLine[badLines[3]]?.reason.contains("duplicate") == true)
        #expect(byLine[fs.rows.count + 2]?.reason.contains("orphan") == true)
        #expect(byLine[fs.rows.count + 2]?.file.hasSuffix("ForcedSource.csv") == true)
        #expect(report.tableRowCounts["Object"] == 1_000)
        #expect(report.tableRowCounts["ForcedSource"] == fs.rows.count)
        // The duplicate (moved to ra 60.5) is in no chunk; its first row is where it was.
        let dupId = Int64(duplicate[idCol])!
        var dupRows: [[Value]] = []
        for chunkId in report.catalog.chunkIds {
            let db = try SQLiteConnection(path: report.version.chunkFile(chunkId).path, mode: .readOnlyImmutable)
            dupRows += try db.query("SELECT coord_ra FROM Object WHERE objectId = \(dupId)")
            #expect(try ints(db, "SELECT count(*) FROM Object") == [Int64(report.catalog.chunkRowCounts[chunkId]!)])
        }
        #expect(dupRows == [[.real(Double(rows[2][raCol])!)]])

        d.badRows = .init(policy: .skip, maxSkipped: 2)
        #expect(throws: IngestError.self) { try ingester().run() }
        #expect(DataLayout(root: root).currentVersion() == report.version)
    }

    /// Sampled ANALYZE gives the indexes of one table different row counts (here one narrow and
    /// one wide index of 20,000 rows); ingest's ANALYZE writes the exact count over them, so
    /// that SQLite prices index scans against the table scan with the true size.
    @Test func analyzeRecordsExactRowCounts() throws {
        let dir = ScratchDirectory.make(prefix: "skyshard-analyze-")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try SQLiteConnection(path: dir.appendingPathComponent("t.sqlite").path, mode: .readWriteCreate)
        try SQLiteSchemaWriter.configureForBuild(db)
        try db.execute("CREATE TABLE t (a INTEGER, b REAL, c TEXT)")
        try db.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
            INSERT INTO t SELECT i, (i * 7919 % 20000) / 20000.0, substr(hex(randomblob(100)), 1, 1 + i % 200) FROM n
            """)
        try db.execute("CREATE INDEX t_a ON t (a)")
        try db.execute("CREATE INDEX t_bc ON t (b, c)")
        func firstNumbers() throws -> [Int64] {
            try db.query("SELECT stat FROM sqlite_stat1 WHERE tbl = 't' ORDER BY idx").map { row in
                guard case .text(let stat) = row[0] else { return -1 }
                return Int64(stat.split(separator: " ")[0]) ?? -1
            }
        }
        // The premise: the sample alone is off for at least one index.
        try db.execute("ANALYZE")
        #expect(try firstNumbers().contains { $0 != 20_000 })
        try SQLiteSchemaWriter.analyze(db)
        #expect(try firstNumbers() == [20_000, 20_000])
    }

    @Test func failedIngestLeavesCurrentServing() throws {
        let bundle = try TestBundle(objects: 1_000)
        let root = try DataTestSupport.tempDirectory("root-int")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        let first = try Ingester(descriptor: try bundle.descriptor(), dataRoot: root).run()
        // Break the CSV: a bad row near the end, under policy abort.
        let objectCSV = bundle.dir.appendingPathComponent("Object.csv")
        try (String(contentsOf: objectCSV, encoding: .utf8) + "1,2,3\n").write(to: objectCSV, atomically: true, encoding: .utf8)
        #expect(throws: IngestError.self) { try Ingester(descriptor: try bundle.descriptor(), dataRoot: root).run() }
        #expect(DataLayout(root: root).currentVersion() == first.version)
        #expect(versionDirectories(root) == [first.version.name])
        #expect(try first.version.loadDescription().tableRowCounts["Object"] == 1_000)
        // A missing CSV file fails before anything is written, too.
        var d = try bundle.descriptor()
        d.csv["Object"] = ["nope.csv"]
        #expect(throws: (any Error).self) { try Ingester(descriptor: d, dataRoot: root).run() }
        #expect(DataLayout(root: root).currentVersion() == first.version)
    }

    @Test func reRunningGivesTheSameCatalog() throws {
        let bundle = try TestBundle(objects: 1_500)
        let root = try DataTestSupport.tempDirectory("root-idem")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        // Once with each CSV file parsed by two threads, once by one.
        var parallel = Ingester(descriptor: try bundle.descriptor(), dataRoot: root)
        parallel.threads = 2
        parallel.parallelParseMinBytes = 1
        let a = try parallel.run()
        var ingester = Ingester(descriptor: try bundle.descriptor(), dataRoot: root)
        ingester.threads = 1
        let b = try ingester.run()
        #expect(a.version != b.version)
        #expect(DataLayout(root: root).currentVersion() == b.version)
        #expect(try Data(contentsOf: a.version.descriptionFile) == Data(contentsOf: b.version.descriptionFile))
        func digest(_ v: CatalogVersion, _ chunk: Int) throws -> [[Value]] {
            let db = try SQLiteConnection(path: v.chunkFile(chunk).path, mode: .readOnlyImmutable)
            // Sums of integers: the same whatever the row order (two parsing threads interleave).
            return try db.query(
                """
                SELECT count(*), sum(objectId % 1000003), sum(round(coord_ra * 1e9)), sum(round(g_psfFlux * 1e3)),
                       sum(subChunkId) FROM Object
                """)
                + db.query("SELECT count(*), sum(forcedSourceId % 1000003), sum(round(psfFlux * 1e3)) FROM ForcedSource")
                + db.query("SELECT count(*), sum(objectId % 1000003), sum(subChunkId) FROM ObjectFullOverlap")
        }
        for chunk in a.catalog.chunkIds { #expect(try digest(a.version, chunk) == digest(b.version, chunk)) }
    }

    /// A `.partial` directory whose lock nobody holds (a killed ingest) is removed by the next
    /// ingest; one whose lock is held (a running ingest) is left alone.
    @Test func staleVersionDirectoriesAreRemovedLockedOnesKept() throws {
        let bundle = try TestBundle(objects: 300, tables: ["Object"])
        let root = try DataTestSupport.tempDirectory("root-stale")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        let versions = DataLayout(root: root).versionsDirectory
        let fm = FileManager.default
        for name in ["killed", "running"] {
            try fm.createDirectory(
                at: versions.appendingPathComponent("\(name).partial/spill"), withIntermediateDirectories: true)
            try Data("rows".utf8).write(to: versions.appendingPathComponent("\(name).partial/spill/chunk_1.rows"))
        }
        // A lock file left by the killed ingest, unlocked; the running ingest's lock, held.
        try Data().write(to: URL(fileURLWithPath: VersionLock.lockPath(versions: versions.path, name: "killed")))
        let running = try VersionLock(versions: versions.path, name: "running")
        #expect(throws: IngestError.self) { try VersionLock(versions: versions.path, name: "running") }

        let report = try Ingester(descriptor: try bundle.descriptor(), dataRoot: root, versionName: "v1").run()
        #expect(report.version.name == "v1")
        #expect(versionDirectories(root) == [".running.lock", "running.partial", "v1"])
        #expect(fm.fileExists(atPath: versions.appendingPathComponent("running.partial/spill/chunk_1.rows").path))

        // Once its owner is gone, the next ingest removes it too.
        running.release()
        _ = try Ingester(descriptor: try bundle.descriptor(), dataRoot: root, versionName: "v2").run()
        #expect(versionDirectories(root) == ["v1", "v2"])
    }

    /// Each chunk's spill file is deleted as soon as its chunk file is built, not at the end.
    @Test func spillFilesGoAsTheirChunksAreBuilt() throws {
        let bundle = try TestBundle(objects: 20_000, tables: ["Object"])
        let root = try DataTestSupport.tempDirectory("root-spill")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        var ingester = Ingester(descriptor: try bundle.descriptor(), dataRoot: root, versionName: "s")
        ingester.memoryBudget = 1 << 16  // every chunk spills
        ingester.threads = 1
        let spill = DataLayout(root: root).versionsDirectory.appendingPathComponent("s.partial/spill").path
        // (chunk files built, spill files left) at each progress report of the build.
        let seen = Mutex<[(done: Int, total: Int, left: Int)]>([])
        let report = try ingester.run { message in
            let spillFiles =
                (try? FileManager.default.contentsOfDirectory(atPath: spill))?.filter { $0.hasSuffix(".rows") }.count ?? -1
            if message.hasPrefix("building ") { seen.withLock { $0.append((0, 0, spillFiles)) } }
            guard message.hasPrefix("chunk files: ") else { return }
            let parts = message.dropFirst("chunk files: ".count).split(separator: "/").map { Int($0)! }
            seen.withLock { $0.append((parts[0], parts[1], spillFiles)) }
        }
        let reports = seen.withLock { $0 }
        try #require(reports.count >= 3)
        // Nearly every chunk spilled, so keeping spill files to the end would break the bound below.
        try #require(reports[0].left > report.chunkCount - 25, "\(reports[0]) of \(report.chunkCount)")
        for r in reports.dropFirst() { #expect(r.left <= r.total - r.done, "\(r)") }
        #expect(!FileManager.default.fileExists(atPath: report.version.directory.appendingPathComponent("spill").path))
    }

    @Test func headerErrors() throws {
        let bundle = try TestBundle(objects: 1_000, tables: ["Object", "ForcedSource"])
        let root = try DataTestSupport.tempDirectory("root-hdr")
        defer { bundle.remove(); try? FileManager.default.removeItem(at: root) }
        let objectCSV = bundle.dir.appendingPathComponent("Object.csv")
        let original = try String(contentsOf: objectCSV, encoding: .utf8)
        try original.replacingOccurrences(of: "objectId,", with: "objectIdentifier,", options: .anchored)
            .write(to: objectCSV, atomically: true, encoding: .utf8)
        #expect { try Ingester(descriptor: try bundle.descriptor(), dataRoot: root).run() } throws: { error in
            "\(error)".contains("objectIdentifier is not a column")
        }
        // Only present columns are created: drop every column but the required ones.
        let small = "objectId,coord_ra,coord_dec\n1,60.1,-30.2\n2,61.5,-31\n"
        try small.write(to: objectCSV, atomically: true, encoding: .utf8)
        var d = try bundle.descriptor()
        d.children = []
        d.csv["ForcedSource"] = nil
        let report = try Ingester(descriptor: d, dataRoot: root).run()
        #expect(report.catalog.directorTable?.columns.map(\.name) == ["objectId", "coord_dec", "coord_ra"])
        try "objectId,coord_dec\n1,-30\n".write(to: objectCSV, atomically: true, encoding: .utf8)
        #expect { try Ingester(descriptor: d, dataRoot: root).run() } throws: { error in
            "\(error)".contains("coord_ra is missing")
        }
    }

    @Test func demoCatalogIsMadeOnceThenReused() throws {
        let root = try DataTestSupport.tempDirectory("root-demo")
        defer { try? FileManager.default.removeItem(at: root) }
        let v1 = try DemoCatalog.ensure(dataRoot: root, objects: 1_000)
        #expect(try v1.loadDescription().tableRowCounts["Object"] == 1_000)
        // Twelve tables, ObsCore also as ivoa.ObsCore; four families with their own directors.
        let catalog = try v1.loadDescription()
        #expect(catalog.tables.count == 13)
        #expect(catalog.directorTables.map(\.name) == ["Object", "DiaObject", "Source", "TruthSummary"])
        #expect(catalog.table(schema: "ivoa", name: "ObsCore") != nil)
        let v2 = try DemoCatalog.ensure(dataRoot: root, objects: 1_000)
        #expect(v1 == v2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".demo") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct CSVReaderTests {
    private func parse(_ text: String) throws -> [(line: Int, fields: [String?])] {
        let dir = try DataTestSupport.tempDirectory("csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let reader = try CSVReader(path: url.path, bufferSize: 7)  // tiny buffer: records cross refills
        var out: [(Int, [String?])] = []
        while try reader.next() {
            out.append((reader.line, (0..<reader.fieldCount).map { reader.isEmpty($0) ? nil : reader.fieldString($0) }))
        }
        return out
    }

    @Test func rfc4180() throws {
        let rows = try parse("a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\n2,,\"\"\n\n3,\"multi\nline\",z\n4,5,6")
        #expect(rows.map(\.line) == [1, 2, 3, 5, 7])
        #expect(rows[0].fields == ["a", "b", "c"])
        #expect(rows[1].fields == ["1", "x, y", "he said \"hi\""])
        #expect(rows[2].fields == ["2", nil, ""])  // empty = NULL, quoted empty = empty string
        #expect(rows[3].fields == ["3", "multi\nline", "z"])
        #expect(rows[4].fields == ["4", "5", "6"])
        #expect(throws: IngestError.self) { try self.parse("a\n\"open") }
    }

    @Test func numbers() {
        func d(_ s: String) -> Double? { Array(s.utf8).withUnsafeBufferPointer { NumberParsing.parseDouble($0) } }
        func i(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { NumberParsing.parseInt64($0) } }
        for s in [
            "0", "-0.003", "12.5", "1e-3", "-45.000000001", "1.7976931348623157e308", "3.14159265358979323846",
            "5e-324", ".5", "123456789012345678901234", "0.1", "61.123456789",
        ] {
            #expect(d(s) == Double(s), "\(s)")
        }
        #expect(d("nan")!.isNaN)
        #expect(d("-inf") == -.infinity)
        #expect(d("1.2.3") == nil && d("abc") == nil && d("") == nil && d("1e") == nil)
        #expect(i("1250000000000123") == 1_250_000_000_000_123)
        #expect(i("-9223372036854775808") == Int64.min)
        #expect(i("9223372036854775808") == nil)
        #expect(i("true") == 1 && i("False") == 0 && i("t") == 1)
        #expect(i("3.0") == 3 && i("3.5") == nil && i("x") == nil)
    }
}
