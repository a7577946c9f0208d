import Catalog
import Foundation
import Planner
import SQLiteKit
import Sky
import Synchronization
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The error of the Ingest target. Errors of the layers below (`CatalogError`, `SQLiteError`)
/// pass through as they are.
public typealias IngestError = TargetError<IngestErrorCode>

public enum IngestErrorCode: String, TargetErrorCode {
    /// A file cannot be opened, read, written or synced.
    case io
    /// The CSV files do not fit the descriptor or the schema (header, columns, quoting).
    case invalidInput
    /// Bad rows beyond what the descriptor's policy allows.
    case badRows
    /// The version name is invalid or taken, or another ingest is writing it.
    case version
    case cancelled
    /// A fault of the ingest itself.
    case `internal`
}

extension IngestError {
    /// A failed system call on `path`: `cannot <action> <path>: <the error's text>`.
    static func system(_ action: String, _ path: String, _ code: Int32) -> IngestError {
        IngestError(.io, "cannot \(action) \(path): \(String(cString: strerror(code)))", file: path)
    }

    static func unterminatedQuote(_ path: String, line: Int) -> IngestError {
        IngestError(.invalidInput, "\(path):\(line): unterminated quoted field", file: path)
    }

    static var cancelled: IngestError { IngestError(.cancelled, "cancelled") }
}

/// A CSV row the ingest refused: where it is and why.
public struct BadRow: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var file: String
    public var line: Int
    public var reason: String

    public var description: String { "\(file):\(line): \(table): \(reason)" }
}

/// What an ingest did.
public struct IngestReport: Sendable {
    public var version: CatalogVersion
    public var catalog: CatalogDescription
    /// Rows loaded per table (overlap rows excluded).
    public var tableRowCounts: [String: Int]
    public var overlapRowCount: Int
    public var chunkCount: Int
    /// Bad rows skipped (policy `skip`), and the first 100 of them.
    public var skippedRowCount: Int
    public var skippedRows: [BadRow]
    public var seconds: Double

    public var totalRows: Int { tableRowCounts.values.reduce(0, +) }
    public var rowsPerSecond: Double { seconds > 0 ? Double(totalRows) / seconds : 0 }
}

/// Loads CSV files into a new catalog version, per an `IngestDescriptor`, and makes it `current`.
///
/// Steps: (1) the director table's CSV is parsed, each row placed by the `Chunker` (chunkId,
/// subChunkId) and copied as an overlap row to every other chunk whose bounds dilated by the
/// overlap contain it; rows are parked per chunk (in memory up to `memoryBudget`, the excess in
/// one spill file per chunk). Each row's key, location and source line go to the
/// `DirectorKeyMap`: in memory up to `keyMapBudget` keys, then as sorted runs on disk; merging
/// them finds duplicate keys (the first row wins, later ones are dropped from their chunks by
/// their sequence number) and writes the keys sorted to `keys.sorted`. (2) child tables follow:
/// when all keys fit the budget each row is looked up in one dictionary and parked with its
/// director row's chunk; otherwise rows are parked per key range first, then each range's keys
/// are loaded and its rows placed, so memory holds one range at a time. Replicated tables are
/// loaded into replicated.sqlite by a second thread meanwhile. (3) Chunk files are built by
/// `threads` workers, largest first, each chunk's spill file deleted as soon as its file is built;
/// the director index is built from `keys.sorted` in key order. (4) catalog.json is written, the
/// version directory renamed from `<name>.partial` to `<name>`, and `current` switched atomically.
///
/// Memory: about `memoryBudget` for parked rows, plus 24 bytes per key up to `keyMapBudget` keys
/// while the director is read (then up to ~40 bytes per key for one range's dictionary), plus
/// SQLite page caches of the build workers — independent of the input size. Disk: the CSV, the
/// spill files (about the size of the converted rows, shrinking as chunks are built) and the new
/// version.
///
/// Any failure removes the `.partial` directory and leaves `current` as it was. While it runs,
/// the ingest holds a `VersionLock` on its version; `.partial` directories whose lock is free
/// (left by a killed ingest) are removed when the next ingest starts.
public struct Ingester: Sendable {
    public var descriptor: IngestDescriptor
    public var layout: DataLayout
    /// Threads parsing CSV files and building chunk files.
    public var threads: Int
    /// Bytes of parked chunk rows (buffer capacity) kept in memory before spilling to disk.
    public var memoryBudget: Int
    /// Director keys held in memory for placing child rows (about 40 bytes each); beyond it the
    /// key map goes to disk and child rows are placed one key range at a time.
    public var keyMapBudget: Int
    /// CSV files at least this long (and free of double quotes) are parsed by `threads` threads.
    public var parallelParseMinBytes: Int
    /// The version directory name; default: UTC time stamp plus a random suffix.
    public var versionName: String?

    public init(descriptor: IngestDescriptor, dataRoot: URL, versionName: String? = nil) {
        self.descriptor = descriptor
        self.layout = DataLayout(root: dataRoot)
        self.threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        self.memoryBudget = 384 << 20
        self.keyMapBudget = 8 << 20
        self.parallelParseMinBytes = 32 << 20
        self.versionName = versionName
    }

    public func run(progress: (@Sendable (String) -> Void)? = nil) throws -> IngestReport {
        let started = Date()
        let felis = try Felis.load(contentsOf: descriptor.felisURL)
        let resolved = try descriptor.resolveTables(felisSchema: felis)
        let chunking = descriptor.chunking
        let chunker = try Chunker(validatingStripes: chunking.numStripes, subStripes: chunking.numSubStripesPerStripe)
        try chunker.validateOverlap(chunking.overlap)

        // Table plans from the CSV headers.
        var plans: [IngestTablePlan] = []
        for table in resolved.tables {
            let felisTable = felis.table(named: table.name)!
            plans.append(
                try IngestTablePlan(
                    table: table, felisTable: felisTable, files: descriptor.csvFiles(for: table.name),
                    extraIndexes: descriptor.extraIndexes[table.name] ?? []))
        }
        // The directors in descriptor order, each with the tags of its rows (2k) and overlap
        // rows (2k + 1); the children's tags follow.
        let directorPlans = plans.filter { $0.table.directorSpec != nil }
        guard let directorPlan = directorPlans.first, !directorPlan.files.isEmpty else {
            throw IngestError(.invalidInput, "the director table \(descriptor.director.table) has no CSV files")
        }
        let childPlans = plans.filter { if case .child = $0.table.partitioning { return true } else { return false } }
        guard 2 * directorPlans.count + childPlans.count <= Int(UInt8.max) else {
            throw IngestError(.invalidInput, "too many partitioned tables in one catalog")
        }
        let replicatedPlans = plans.filter { !$0.table.isPartitioned }

        // The new version directory.
        let fm = FileManager.default
        try fm.createDirectory(at: layout.versionsDirectory, withIntermediateDirectories: true)
        let name = versionName ?? Self.makeVersionName()
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]*$", options: .regularExpression) != nil,
            !name.hasSuffix(".partial")
        else {
            throw IngestError(.version, "invalid version name \(name): use letters, digits, '.', '_' and '-'")
        }
        let finalVersion = layout.version(named: name)
        if fm.fileExists(atPath: finalVersion.directory.path) {
            throw IngestError(.version, "version \(name) exists already")
        }
        // Hold this version's lock before its `.partial` directory exists, so that a concurrent
        // ingest's stale-directory sweep never takes it for the leftover of a killed one.
        let lock = try VersionLock(versions: layout.versionsDirectory.path, name: name)
        defer { lock.release() }
        VersionLock.removeStalePartials(in: layout.versionsDirectory.path, except: name)
        let partial = CatalogVersion(
            directory: layout.versionsDirectory.appendingPathComponent("\(name).partial", isDirectory: true))
        try? fm.removeItem(at: partial.directory)
        try fm.createDirectory(at: partial.chunksDirectory, withIntermediateDirectories: true)
        let spillDir = partial.directory.appendingPathComponent("spill", isDirectory: true)
        try fm.createDirectory(at: spillDir, withIntermediateDirectories: true)

        do {
            let tracker = BadRowTracker(policy: descriptor.badRows)

            // Replicated tables on a second thread while the partitioned tables are parsed.
            let replicatedResult = Mutex<Result<[String: Int], any Error>?>(nil)
            let group = DispatchGroup()
            let replicatedFile = partial.replicatedFile.path
            let repPlans = replicatedPlans
            DispatchQueue.global().async(group: group) {
                let r = Result { () throws -> [String: Int] in
                    try Self.loadReplicated(repPlans, path: replicatedFile, tracker: tracker, progress: progress)
                }
                if case .failure = r { tracker.cancel() }
                replicatedResult.withLock { $0 = r }
            }

            // One key map per keyed director, each in a directory of its own.
            var keyMaps: [String: DirectorKeyMap] = [:]
            for plan in directorPlans where plan.keyIndex != nil {
                let dir = spillDir.appendingPathComponent("keys-\(keyMaps.count)", isDirectory: true)
                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                keyMaps[plan.table.name] = DirectorKeyMap(directory: dir.path, budget: keyMapBudget)
            }
            var partitioner = IngestPartitioner(
                chunker: chunker, overlap: chunking.overlap,
                spill: ChunkSpill(directory: spillDir.path, budget: memoryBudget), tracker: tracker,
                parseThreads: threads, minSplitBytes: parallelParseMinBytes)
            let parseResult = Result { () throws -> Void in
                for (k, plan) in directorPlans.enumerated() {
                    try partitioner.loadDirector(
                        plan, tag: UInt8(2 * k), keyMap: keyMaps[plan.table.name], progress: progress)
                }
                for (k, plan) in childPlans.enumerated() {
                    guard case .child(let director, _) = plan.table.partitioning, let keyMap = keyMaps[director] else {
                        throw IngestError(.internal, "\(plan.table.name): its director has no key map")
                    }
                    try partitioner.loadChild(
                        plan, tag: UInt8(2 * directorPlans.count + k), keyMap: keyMap, progress: progress)
                }
            }
            if case .failure = parseResult { tracker.cancel() }
            group.wait()
            try parseResult.get()
            let replicatedCounts = try replicatedResult.withLock { $0! }.get()

            // Chunk files and the director index, in parallel.
            progress?("building \(partitioner.directorCounts.count) chunk files")
            let overlapRows = try buildChunks(
                partitioner: &partitioner, version: partial, versionName: name, directors: directorPlans, keyMaps: keyMaps,
                children: childPlans, progress: progress)
            try? fm.removeItem(at: spillDir)

            // The catalog description.
            var counts = replicatedCounts
            for plan in directorPlans { counts[plan.table.name] = partitioner.directorRowCounts[plan.table.name] ?? 0 }
            for plan in childPlans { counts[plan.table.name] = partitioner.childCounts[plan.table.name] ?? 0 }
            var catalog = CatalogDescription(
                schemas: [resolved.schema], tables: plans.map(\.catalogTable).keepingResolvableForeignKeys(),
                chunking: chunking,
                chunkRowCounts: Self.chunkRowCounts(partitioner, main: directorPlan.table.name), tableRowCounts: counts,
                zonesPerDegree: directorPlan.latIndex != nil && directorPlan.lonIndex != nil
                    ? ZoneIndex.defaultZonesPerDegree : nil)
            catalog.addAliases(descriptor.aliases)
            try partial.writeDescription(catalog)
            // Every file of the version on disk before it is published: the chunk files and the
            // director index were fsynced by the build workers (in parallel, and only our files:
            // a sync(2) would also wait for every other process's dirty pages); now the rest,
            // then the directories.
            for file in [partial.descriptionFile, partial.replicatedFile] where fm.fileExists(atPath: file.path) {
                try Self.fsyncPath(file.path)
            }
            try Self.fsyncPath(partial.chunksDirectory.path)
            try Self.fsyncPath(partial.directory.path)

            // Publish: rename the directory, then switch `current`.
            try fm.moveItem(at: partial.directory, to: finalVersion.directory)
            try Self.fsyncPath(layout.versionsDirectory.path)
            try switchCurrent(to: name)

            let skipped = tracker.snapshot()
            return IngestReport(
                version: finalVersion, catalog: catalog, tableRowCounts: counts,
                overlapRowCount: overlapRows, chunkCount: partitioner.directorCounts.count,
                skippedRowCount: skipped.count, skippedRows: skipped.rows, seconds: Date().timeIntervalSince(started))
        } catch {
            try? fm.removeItem(at: partial.directory)
            throw error
        }
    }

    /// Every chunk with rows of some director, with the main director's rows in it (0 for a
    /// chunk that holds only other families): what the planner's estimates read.
    static func chunkRowCounts(_ partitioner: IngestPartitioner, main: String) -> [Int: Int] {
        let mainCounts = partitioner.directorChunkCounts[main] ?? [:]
        return Dictionary(uniqueKeysWithValues: partitioner.directorCounts.keys.map { ($0, mainCounts[$0] ?? 0) })
    }

    static func makeVersionName() -> String {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let stamp =
            "\(pad(tmv.tm_year + 1900, 4))\(pad(tmv.tm_mon + 1, 2))\(pad(tmv.tm_mday, 2))T"
            + "\(pad(tmv.tm_hour, 2))\(pad(tmv.tm_min, 2))\(pad(tmv.tm_sec, 2))Z"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "v\(stamp)-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    /// Points `current` at versions/<name> atomically: a new symlink renamed over the old one.
    func switchCurrent(to name: String) throws {
        let tmp = layout.root.appendingPathComponent(".current.tmp-\(getpid())-\(name)").path
        unlink(tmp)
        guard symlink("versions/\(name)", tmp) == 0 else {
            throw IngestError.system("create symlink", tmp, errno)
        }
        guard rename(tmp, layout.currentLink.path) == 0 else {
            let code = errno
            unlink(tmp)
            throw IngestError.system("switch", layout.currentLink.path, code)
        }
        try Self.fsyncPath(layout.root.path)
    }

    static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            throw IngestError(.io, "cannot open \(path) to sync: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        // EINVAL: the file system cannot sync this kind of file (some do not for directories).
        if fsync(fd) != 0 && errno != EINVAL {
            throw IngestError.system("sync", path, errno)
        }
    }

    // MARK: - Replicated tables

    static func loadReplicated(
        _ plans: [IngestTablePlan], path: String, tracker: BadRowTracker, progress: (@Sendable (String) -> Void)?
    ) throws -> [String: Int] {
        let db = try SQLiteConnection(path: path, mode: .readWriteCreate)
        try SQLiteSchemaWriter.configureForBuild(db)
        var counts: [String: Int] = [:]
        try db.execute("BEGIN")
        for plan in plans {
            try db.execute(SQLiteSchemaWriter.createTable(plan.table.name, columns: plan.columns, extra: []))
            let insert = try db.prepare(SQLiteSchemaWriter.insert(plan.table.name, columnCount: plan.columns.count))
            var n = 0
            for file in plan.files {
                let reader = try CSVReader(path: file.path)
                let mapping = try plan.readHeader(reader)
                var sink = IngestStatementSink(stmt: insert)
                try plan.forEachRow(reader, mapping: mapping, tracker: tracker, into: &sink, begin: { _ in }) { _ in
                    _ = try insert.step()
                    insert.rewind()  // every parameter is bound again for the next row
                    n += 1
                }
            }
            counts[plan.table.name] = n
            progress?("\(plan.table.name): \(n) rows (replicated)")
            for sql in try SQLiteSchemaWriter.indexes(for: plan, tableName: plan.table.name, partitionColumns: false) {
                try db.execute(sql)
            }
        }
        try db.execute("COMMIT")
        try SQLiteSchemaWriter.analyze(db)
        return counts
    }

    // MARK: - Chunk files

    private func buildChunks(
        partitioner: inout IngestPartitioner, version: CatalogVersion, versionName: String, directors: [IngestTablePlan],
        keyMaps: [String: DirectorKeyMap], children: [IngestTablePlan], progress: (@Sendable (String) -> Void)?
    ) throws -> Int {
        // The column files' columns, per partitioned table (`ColumnFileExport`).
        let columnTables = (directors + children).map { plan -> (name: String, columns: [ColumnInfo]) in
            let loaded = plan.catalogTable
            guard let chosen = descriptor.columnFiles[loaded.name] else {
                return (loaded.name, ColumnFileExport.defaultColumns(loaded))
            }
            return (loaded.name, loaded.columns.filter { chosen.contains($0.name) })
        }
        // Jobs: the director index, then chunks, largest first. Each job gets its rows now
        // (in-memory part), so the workers share nothing mutable but the job counter.
        let spill = partitioner.spill
        let sizes = partitioner.chunkBytes
        let chunkIds = partitioner.directorCounts.keys.sorted { (sizes[$0] ?? 0, $1) > (sizes[$1] ?? 0, $0) }
        // Chunks with overlap rows only get no file: their parked rows go now.
        for id in sizes.keys where partitioner.directorCounts[id] == nil {
            _ = spill.takeMemory(id)
            unlink(spill.spillPath(id))
        }
        let dropped = partitioner.droppedDirectorRows
        // Every keyed director's index, in one job: they share director_index.sqlite.
        let catalogTables = directors.map(\.catalogTable)
        let indexes = directors.compactMap { plan -> (table: String, key: String, keyMap: DirectorKeyMap)? in
            guard let key = plan.table.directorSpec?.keyColumn, let keyMap = keyMaps[plan.table.name] else { return nil }
            return (CatalogDescription(schemas: [], tables: catalogTables, chunking: descriptor.chunking)
                .directorIndexTable(of: plan.table.name), key, keyMap)
        }
        var jobs: [ChunkJob] = [.directorIndexes(indexes)]
        for id in chunkIds {
            jobs.append(
                .chunk(
                    id,
                    ChunkRecordReader(
                        spillPath: spill.spilledChunks.contains(id) ? spill.spillPath(id) : nil, memory: spill.takeMemory(id))))
        }
        let box = SharedIterator(jobs)
        let failure = Mutex<(any Error)?>(nil)
        let done = Mutex(0)
        let overlapRows = Mutex(0)
        let total = chunkIds.count
        let group = DispatchGroup()
        for _ in 0..<max(1, min(threads, jobs.count)) {
            DispatchQueue.global().async(group: group) {
                while let job = box.next() {
                    if failure.withLock({ $0 != nil }) { return }
                    do {
                        switch job {
                        case .directorIndexes(let indexes):
                            for index in indexes {
                                try Self.writeDirectorIndex(
                                    index.keyMap, key: index.key, table: index.table, path: version.directorIndexFile.path)
                            }
                            if !indexes.isEmpty { try Self.fsyncPath(version.directorIndexFile.path) }
                        case .chunk(let id, let reader):
                            let overlap = try Self.writeChunk(
                                id, reader: reader, path: version.chunkFile(id).path, directors: directors,
                                children: children, dropped: dropped)
                            try Self.fsyncPath(version.chunkFile(id).path)
                            try ColumnFileExport.write(
                                chunkId: id, chunkPath: version.chunkFile(id).path,
                                chunksDirectory: version.chunksDirectory.path, catalogVersion: versionName,
                                tables: columnTables)
                            overlapRows.withLock { $0 += overlap }
                            // The chunk file holds these rows now: give their disk space back at once
                            // (otherwise spill files and chunk files would both be on disk till the end).
                            if let spilled = reader.spillPath { unlink(spilled) }
                            let n = done.withLock { d in
                                d += 1
                                return d
                            }
                            if n % 25 == 0 || n == total { progress?("chunk files: \(n)/\(total)") }
                        }
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        return
                    }
                }
            }
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        return overlapRows.withLock { $0 }
    }

    enum ChunkJob: @unchecked Sendable {
        case directorIndexes([(table: String, key: String, keyMap: DirectorKeyMap)])
        case chunk(Int, ChunkRecordReader)
    }

    /// Writes one director's key → (chunkId, subChunkId) table `table` into `path`.
    static func writeDirectorIndex(_ keyMap: DirectorKeyMap, key: String, table: String, path: String) throws {
        let db = try SQLiteConnection(path: path, mode: .readWriteCreate)
        try SQLiteSchemaWriter.configureForBuild(db)
        let quoted = SQLiteSchemaWriter.quote(table)
        try db.execute(
            """
            CREATE TABLE \(quoted) (\(SQLiteSchemaWriter.quote(key)) INTEGER PRIMARY KEY, \
            chunkId INTEGER NOT NULL, subChunkId INTEGER NOT NULL)
            """)
        try db.execute("BEGIN")
        let stmt = try db.prepare("INSERT INTO \(quoted) VALUES (?, ?, ?)")
        // In key order: appends to the primary-key b-tree.
        try keyMap.forEachSorted { key, location in
            stmt.bindInt64(key, at: 1)
            stmt.bindInt64(Int64(Int32(truncatingIfNeeded: location >> 32)), at: 2)
            stmt.bindInt64(Int64(Int32(truncatingIfNeeded: location)), at: 3)
            _ = try stmt.step()
            stmt.rewind()  // every parameter is bound again for the next row
        }
        try db.execute("COMMIT")
        try SQLiteSchemaWriter.analyze(db)
    }

    /// Builds one chunk file; returns the number of overlap rows in it. Director k's rows carry
    /// tag 2k and its overlap rows 2k + 1; child j's rows carry tag 2 × directors + j.
    static func writeChunk(
        _ chunkId: Int, reader: ChunkRecordReader, path: String, directors: [IngestTablePlan], children: [IngestTablePlan],
        dropped: [UInt8: Set<UInt64>]
    ) throws -> Int {
        let db = try SQLiteConnection(path: path, mode: .readWriteCreate)
        try SQLiteSchemaWriter.configureForBuild(db)
        let partitionCols = ["chunkId", "subChunkId"]
        for director in directors {
            let dName = director.table.name
            try db.execute(SQLiteSchemaWriter.createTable(dName, columns: director.columns, extra: partitionCols))
            try db.execute(
                SQLiteSchemaWriter.createTable(ShardTableNames.overlap(of: dName), columns: director.columns, extra: partitionCols))
        }
        for c in children { try db.execute(SQLiteSchemaWriter.createTable(c.table.name, columns: c.columns, extra: [])) }
        try db.execute("BEGIN")
        let dIns = try directors.map {
            try db.prepare(SQLiteSchemaWriter.insert($0.table.name, columnCount: $0.columns.count + 2))
        }
        let oIns = try directors.map {
            try db.prepare(SQLiteSchemaWriter.insert(ShardTableNames.overlap(of: $0.table.name), columnCount: $0.columns.count + 2))
        }
        let cIns = try children.map { try db.prepare(SQLiteSchemaWriter.insert($0.table.name, columnCount: $0.columns.count)) }
        let childTagBase = 2 * directors.count
        let chunk64 = Int64(chunkId)
        var overlapRows = 0
        func insert(_ stmt: SQLiteStatement, _ p: UnsafeRawPointer, _ len: Int, sub: Int32?) throws {
            let n = try bindEncoded(p, len, to: stmt)
            if let sub {
                stmt.bindInt64(chunk64, at: n + 1)
                stmt.bindInt64(Int64(sub), at: n + 2)
            }
            _ = try stmt.step()
            stmt.rewind()  // every parameter is bound again for the next row
        }
        // Each director's rows go in last, in the zone index's order (zone, longitude): the rows
        // of a cone's zones and longitude window then sit together in the table, and fetching
        // them after the index walks neighbouring pages instead of the whole file.
        let orders = directors.map { d in d.latIndex.flatMap { lat in d.lonIndex.map { (lat: lat, lon: $0) } } }
        var held: [[(zone: Int64, lon: Double, seq: UInt64, sub: Int32, offset: Int, length: Int)]] = Array(
            repeating: [], count: directors.count)
        var arena: [UInt8] = []
        try reader.forEach { tag, sub, seq, p, len in
            let t = Int(tag)
            if t < childTagBase, let set = dropped[tag & ~1], set.contains(seq) { return }
            if t >= childTagBase { return try insert(cIns[t - childTagBase], p, len, sub: nil) }
            let d = t / 2
            if t % 2 == 1 {
                overlapRows += 1
                return try insert(oIns[d], p, len, sub: sub)
            }
            guard let order = orders[d] else { return try insert(dIns[d], p, len, sub: sub) }
            let lat = encodedDouble(p, len, field: order.lat)
            let zone = lat.map { ZoneIndex.zone(of: $0, zonesPerDegree: ZoneIndex.defaultZonesPerDegree) } ?? .max
            held[d].append((zone, encodedDouble(p, len, field: order.lon) ?? .infinity, seq, sub, arena.count, len))
            arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: len))
        }
        try arena.withUnsafeBytes { raw in
            for d in held.indices {
                held[d].sort { ($0.zone, $0.lon, $0.seq) < ($1.zone, $1.lon, $1.seq) }
                for row in held[d] { try insert(dIns[d], raw.baseAddress! + row.offset, row.length, sub: row.sub) }
            }
        }
        arena = []
        for director in directors {
            let dName = director.table.name
            for sql in try SQLiteSchemaWriter.indexes(for: director, tableName: dName, partitionColumns: true) {
                try db.execute(sql)
            }
            for sql in try SQLiteSchemaWriter.indexes(
                for: director, tableName: ShardTableNames.overlap(of: dName), partitionColumns: true, unique: false)
            {
                try db.execute(sql)
            }
        }
        for c in children {
            for sql in try SQLiteSchemaWriter.indexes(for: c, tableName: c.table.name, partitionColumns: false) {
                try db.execute(sql)
            }
        }
        try db.execute("COMMIT")
        for c in children { try checkRefMatch(c, chunkId: chunkId, db: db) }
        try SQLiteSchemaWriter.analyze(db)
        return overlapRows
    }

    /// A ref-match table's promise, checked in each chunk: every row that names a matched row
    /// finds it in the chunk or in its overlap (the pair lies within the overlap), which is
    /// what lets the planner answer joins through the table chunk by chunk.
    static func checkRefMatch(_ plan: IngestTablePlan, chunkId: Int, db: SQLiteConnection) throws {
        guard let match = plan.table.refMatch, plan.columns.contains(where: { $0.name == match.column }) else { return }
        let q = SQLiteSchemaWriter.quote
        let column = q(match.column), matched = q(match.matchedColumn)
        let sql = """
            SELECT \(column) FROM \(q(plan.table.name)) AS m WHERE \(column) IS NOT NULL \
            AND NOT EXISTS (SELECT 1 FROM \(q(match.matchedTable)) AS t WHERE t.\(matched) = m.\(column)) \
            AND NOT EXISTS (SELECT 1 FROM \(q(ShardTableNames.overlap(of: match.matchedTable))) AS t \
            WHERE t.\(matched) = m.\(column)) LIMIT 1
            """
        if let row = try db.query(sql).first {
            throw IngestError(
                .invalidInput,
                "\(plan.table.name) in chunk \(chunkId): \(match.column) = \(row[0]) names no \(match.matchedTable) row in the chunk or its overlap: the pair lies farther apart than the catalog's overlap, or the row does not exist"
            )
        }
    }

    /// Binds the encoded fields to parameters 1…n; returns n.
    @inline(__always)
    static func bindEncoded(_ p: UnsafeRawPointer, _ len: Int, to stmt: SQLiteStatement) throws -> Int {
        var off = 0
        var i = 0
        while off < len {
            i += 1
            let (field, next) = EncodedField.decode(p, at: off)
            switch field {
            case .null: stmt.bindNull(at: i)
            case .integer(let v): stmt.bindInt64(v, at: i)
            case .real(let v): stmt.bindDouble(v, at: i)
            case .text(let b), .blob(let b): stmt.bindText(b, at: i)
            }
            off = next
        }
        return i
    }
}

// MARK: - Bad rows

final class BadRowTracker: Sendable {
    let policy: IngestDescriptor.BadRowPolicy
    private let state = Mutex<(count: Int, rows: [BadRow], cancelled: Bool)>((0, [], false))

    init(policy: IngestDescriptor.BadRowPolicy) { self.policy = policy }

    /// Counts a bad row; throws when the policy says to stop.
    func record(_ row: BadRow) throws {
        if policy.policy == .abort {
            cancel()
            throw IngestError(
                .badRows, "bad row at \(row.file):\(row.line) (\(row.table)): \(row.reason); policy abort", file: row.file)
        }
        let count = state.withLock { s in
            s.count += 1
            if s.rows.count < 100 { s.rows.append(row) }
            return s.count
        }
        if let max = policy.maxSkipped, count > max {
            cancel()
            throw IngestError(
                .badRows, "more than \(max) bad rows; the last at \(row.file):\(row.line) (\(row.table)): \(row.reason)",
                file: row.file)
        }
    }

    func cancel() { state.withLock { $0.cancelled = true } }
    var isCancelled: Bool { state.withLock { $0.cancelled } }
    func snapshot() -> (count: Int, rows: [BadRow]) { state.withLock { ($0.count, $0.rows) } }
}
