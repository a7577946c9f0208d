import Catalog
import Foundation
import Planner
import SQLiteKit
import Sky

/// One table to load: its columns as the CSV headers give them, how to convert each field,
/// and the indexes to build.
struct IngestTablePlan: Sendable {
    /// The table as the schema has it (all columns).
    let table: TableInfo
    /// The loaded columns: those in the CSV header, in schema order.
    let columns: [ColumnInfo]
    let kinds: [IngestColumnKind]
    let files: [URL]
    /// Index column lists: primary key, Felis indexes, descriptor extras (present columns only).
    let indexColumns: [[String]]
    /// Positions in `columns` of the director key / lon / lat, or of the child's foreign key.
    let keyIndex: Int?
    let lonIndex: Int?
    let latIndex: Int?
    let foreignKeyIndex: Int?

    init(table: TableInfo, felisTable: FelisTable, files: [URL], extraIndexes: [[String]]) throws {
        self.table = table
        self.files = files
        var present: Set<String>
        if let first = files.first {
            let reader = try CSVReader(path: first.path, bufferSize: 1 << 16)
            guard try reader.next() else {
                throw IngestError(.invalidInput, "\(first.path): empty file, a header line is needed", file: first.path)
            }
            let names = Self.headerNames(reader)
            present = Set(names)
            try Self.checkHeader(names, table: table, file: first.path)
        } else {
            present = Set(table.columns.map(\.name))
        }
        columns = table.columns.filter { present.contains($0.name) }
        kinds = columns.map { IngestColumnKind(sqliteType: $0.sqliteType) }
        let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element.name, $0.offset) })
        switch table.partitioning {
        case .director(let spec):
            for c in [spec.keyColumn, spec.lonColumn, spec.latColumn].compactMap({ $0 }) where position[c] == nil {
                throw IngestError(
                    .invalidInput, "\(files.first?.path ?? table.name): the director column \(c) is missing",
                    file: files.first?.path)
            }
            keyIndex = spec.keyColumn.flatMap { position[$0] }
            lonIndex = position[spec.lonColumn]
            latIndex = position[spec.latColumn]
            foreignKeyIndex = nil
            if let keyIndex, kinds[keyIndex] != .integer {
                throw IngestError(
                    .invalidInput, "director key \(table.name).\(spec.keyColumn ?? "") must be an integer column")
            }
        case .child(_, let fk):
            guard let i = position[fk] else {
                throw IngestError(
                    .invalidInput, "\(files.first?.path ?? table.name): the foreign key column \(fk) is missing",
                    file: files.first?.path)
            }
            guard kinds[i] == .integer else {
                throw IngestError(.invalidInput, "foreign key \(table.name).\(fk) must be an integer column")
            }
            keyIndex = nil
            lonIndex = nil
            latIndex = nil
            foreignKeyIndex = i
        case .replicated:
            keyIndex = nil
            lonIndex = nil
            latIndex = nil
            foreignKeyIndex = nil
        }
        var lists: [[String]] = []
        if !felisTable.primaryKey.isEmpty { lists.append(felisTable.primaryKey) }
        lists += felisTable.indexes.map(\.columns)
        lists += extraIndexes
        var seen = Set<[String]>()
        indexColumns = lists.filter { cols in cols.allSatisfy { present.contains($0) } && seen.insert(cols).inserted }
    }

    static func headerNames(_ reader: CSVReader) -> [String] {
        (0..<reader.fieldCount).map { i in
            var s = reader.fieldString(i).trimmingCharacters(in: .whitespaces)
            if i == 0 && s.hasPrefix("\u{FEFF}") { s.removeFirst() }
            return s
        }
    }

    static func checkHeader(_ names: [String], table: TableInfo, file: String) throws {
        var seen = Set<String>()
        for n in names {
            guard table.column(named: n) != nil else {
                throw IngestError(
                    .invalidInput, "\(file):1: column \(n) is not a column of \(table.qualifiedName) in the schema", file: file)
            }
            guard seen.insert(n).inserted else {
                throw IngestError(.invalidInput, "\(file):1: column \(n) appears twice in the header", file: file)
            }
        }
    }

    /// The bad row at `seq` (as `rowSource` decodes it) of this table's files.
    func badRow(_ seq: UInt64, _ reason: String) -> BadRow {
        let (file, line) = rowSource(seq)
        return BadRow(table: table.name, file: files[file].path, line: line, reason: reason)
    }

    /// Reads the header of `reader` (positioned at the start of a file); returns, per loaded
    /// column, the CSV field that holds it.
    func readHeader(_ reader: CSVReader) throws -> [Int] {
        guard try reader.next() else {
            throw IngestError(.invalidInput, "\(reader.path): empty file, a header line is needed", file: reader.path)
        }
        let names = Self.headerNames(reader)
        try Self.checkHeader(names, table: table, file: reader.path)
        let byName = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
        guard names.count == columns.count else {
            throw IngestError(
                .invalidInput, "\(reader.path):1: the header has other columns than the table's first CSV file",
                file: reader.path)
        }
        return try columns.map { c in
            guard let i = byName[c.name] else {
                throw IngestError(
                    .invalidInput, "\(reader.path):1: column \(c.name) is missing (the first CSV file of \(table.name) has it)",
                    file: reader.path)
            }
            return i
        }
    }

    /// The table as catalog.json describes it: loaded columns, `indexed` where an index starts.
    var catalogTable: TableInfo {
        var t = table
        var starts = Set(indexColumns.compactMap(\.first))
        if let k = keyIndex { starts.insert(columns[k].name) }
        if let f = foreignKeyIndex { starts.insert(columns[f].name) }
        t.columns = columns.map { c in
            var c = c
            c.indexed = starts.contains(c.name)
            return c
        }
        return t
    }

    /// Converts the fields of the current record into `sink`, in column order. Returns the
    /// reason when a field cannot be converted.
    @inline(__always)
    func convert<S: IngestFieldSink>(_ reader: CSVReader, mapping: [Int], into sink: inout S) -> String? {
        for c in 0..<columns.count {
            let i = mapping[c]
            if reader.isEmpty(i) {
                sink.null(c)
                continue
            }
            let kind = kinds[c]
            let failure: String? = reader.withField(i) { bytes -> String? in
                switch kind {
                case .integer:
                    guard let v = NumberParsing.parseInt64(bytes) else {
                        return "column \(columns[c].name): not an integer: '\(String(decoding: bytes.prefix(40), as: UTF8.self))'"
                    }
                    sink.integer(c, v)
                case .real:
                    guard let v = NumberParsing.parseDouble(bytes) else {
                        return "column \(columns[c].name): not a number: '\(String(decoding: bytes.prefix(40), as: UTF8.self))'"
                    }
                    if v.isNaN { sink.null(c) } else { sink.real(c, v) }
                case .text:
                    sink.text(c, bytes)
                case .blob:
                    sink.blob(c, bytes)
                }
                return nil
            }
            if let failure { return failure }
        }
        return nil
    }

    /// Converts every record of `reader` into `sink` (after `begin`), calling `emit` for the good
    /// ones and reporting the others to `tracker`.
    @inline(__always)
    func forEachRow<S: IngestFieldSink>(
        _ reader: CSVReader, mapping: [Int], tracker: BadRowTracker, into sink: inout S,
        begin: (inout S) -> Void, emit: (inout S) throws -> Void
    ) throws {
        // Fields in column order (as the generator writes them): plain lines are converted in
        // one pass over their bytes (`CSVReader.convertLine`); others the general way below.
        let direct = mapping.elementsEqual(0..<columns.count)
        try kinds.withUnsafeBufferPointer { kinds in
            var n = 0
            while true {
                n += 1
                if n & 0xFFFF == 0 && tracker.isCancelled { throw IngestError.cancelled }
                if direct {
                    begin(&sink)
                    if try reader.convertLine(kinds: kinds, into: &sink) == .converted {
                        try emit(&sink)
                        continue
                    }
                }
                guard try reader.next() else { break }
                if reader.fieldCount != mapping.count {
                    try tracker.record(
                        BadRow(
                            table: table.name, file: reader.path, line: reader.line,
                            reason: "\(reader.fieldCount) fields, the header has \(mapping.count)"))
                    continue
                }
                begin(&sink)
                if let reason = convert(reader, mapping: mapping, into: &sink) {
                    try tracker.record(BadRow(table: table.name, file: reader.path, line: reader.line, reason: reason))
                    continue
                }
                try emit(&sink)
            }
        }
    }

    /// Binds the current record to `stmt` (parameters 1…n). Returns the reason of a failure.
    func bind(_ reader: CSVReader, mapping: [Int], to stmt: SQLiteStatement) -> String? {
        var sink = IngestStatementSink(stmt: stmt)
        return convert(reader, mapping: mapping, into: &sink)
    }
}

protocol IngestFieldSink {
    mutating func null(_ c: Int)
    mutating func integer(_ c: Int, _ v: Int64)
    mutating func real(_ c: Int, _ v: Double)
    mutating func text(_ c: Int, _ b: UnsafeBufferPointer<UInt8>)
    mutating func blob(_ c: Int, _ b: UnsafeBufferPointer<UInt8>)
}

struct IngestStatementSink: IngestFieldSink {
    let stmt: SQLiteStatement
    @inline(__always) mutating func null(_ c: Int) { stmt.bindNull(at: c + 1) }
    @inline(__always) mutating func integer(_ c: Int, _ v: Int64) { stmt.bindInt64(v, at: c + 1) }
    @inline(__always) mutating func real(_ c: Int, _ v: Double) { stmt.bindDouble(v, at: c + 1) }
    @inline(__always) mutating func text(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) { stmt.bindText(b, at: c + 1) }
    @inline(__always) mutating func blob(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) { stmt.bindText(b, at: c + 1) }
}

/// Encodes fields and remembers the integer / real values of up to three watched columns.
struct IngestEncoderSink: IngestFieldSink {
    var encoder = RowEncoder()
    var watch: (Int, Int, Int) = (-1, -1, -1)
    var ints: (Int64?, Int64?, Int64?) = (nil, nil, nil)
    var reals: (Double?, Double?, Double?) = (nil, nil, nil)

    @inline(__always) mutating func begin() {
        encoder.beginRecord()
        ints = (nil, nil, nil)
        reals = (nil, nil, nil)
    }

    @inline(__always) mutating func null(_ c: Int) { encoder.appendNull() }
    @inline(__always) mutating func integer(_ c: Int, _ v: Int64) {
        encoder.appendInt(v)
        if c == watch.0 {
            ints.0 = v; reals.0 = Double(v)
        } else if c == watch.1 {
            ints.1 = v; reals.1 = Double(v)
        } else if c == watch.2 {
            ints.2 = v; reals.2 = Double(v)
        }
    }
    @inline(__always) mutating func real(_ c: Int, _ v: Double) {
        encoder.appendReal(v)
        if c == watch.0 { reals.0 = v } else if c == watch.1 { reals.1 = v } else if c == watch.2 { reals.2 = v }
    }
    @inline(__always) mutating func text(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) { encoder.appendText(b) }
    @inline(__always) mutating func blob(_ c: Int, _ b: UnsafeBufferPointer<UInt8>) { encoder.appendText(b, blob: true) }
}

/// Places director and child rows into chunks (parked in a `ChunkSpill`).
///
/// Several directors may be loaded one after the other (each family of the catalog); each
/// keyed director has a `DirectorKeyMap` of its own, which its children are placed by.
struct IngestPartitioner {
    let chunker: Chunker
    let overlap: Double
    let spill: ChunkSpill
    let tracker: BadRowTracker
    /// Sequence numbers (`rowSequence`) of director rows dropped as duplicates after they were
    /// parked, by the director's row tag: the chunk builders skip them and their overlap copies.
    private(set) var droppedDirectorRows: [UInt8: Set<UInt64>] = [:]
    /// Director rows per chunk, all directors together (the chunks that get a file).
    private(set) var directorCounts: [Int: Int] = [:]
    /// Rows per director table.
    private(set) var directorRowCounts: [String: Int] = [:]
    /// Rows per chunk of each director table.
    private(set) var directorChunkCounts: [String: [Int: Int]] = [:]
    private(set) var childCounts: [String: Int] = [:]
    /// Parked bytes per chunk (for scheduling the builds).
    private(set) var chunkBytes: [Int: Int] = [:]

    /// Threads parsing a large CSV file (see `ParallelRowSource`).
    var parseThreads = 1
    var minSplitBytes = 32 << 20

    /// Loads a director: its rows tagged `tag`, their overlap copies `tag + 1`; the keys go to
    /// `keyMap` (nil for a director placed by its position alone).
    mutating func loadDirector(
        _ plan: IngestTablePlan, tag: UInt8, keyMap: DirectorKeyMap?, progress: (@Sendable (String) -> Void)?
    ) throws {
        var rows = 0
        var others: [(chunk: Int, sub: Int32)] = []
        let keyed = keyMap != nil
        let source = ParallelRowSource(
            plan: plan, watch: (keyed ? plan.keyIndex! : -1, plan.lonIndex!, plan.latIndex!), threads: parseThreads,
            minSplitBytes: minSplitBytes, tracker: tracker)
        try source.forEach { row in
            func bad(_ reason: String) throws { try tracker.record(plan.badRow(row.seq, reason)) }
            var key: Int64 = 0
            if keyed {
                guard let k = row.int0 else {
                    try bad("the key \(plan.columns[plan.keyIndex!].name) is empty")
                    return
                }
                key = k
            }
            guard let lon = row.real1, let lat = row.real2 else {
                try bad("the position (\(plan.columns[plan.lonIndex!].name), \(plan.columns[plan.latIndex!].name)) is empty")
                return
            }
            guard lon >= 0 && lon <= 360 && lat >= -90 && lat <= 90 else {
                try bad("position out of range: lon \(lon), lat \(lat) (need 0 ≤ lon ≤ 360, −90 ≤ lat ≤ 90)")
                return
            }
            let loc = chunker.location(lon: lon, lat: lat)
            let packed =
                UInt64(UInt32(truncatingIfNeeded: loc.chunkId)) << 32 | UInt64(UInt32(truncatingIfNeeded: loc.subChunkId))
            // Duplicate keys are found when the key map is merged (`finishDirector`).
            try keyMap?.add(key: key, location: packed, seq: row.seq)
            RowEncoder.setHeader(row.record, count: row.count, tag: tag, subChunkId: Int32(loc.subChunkId), seq: row.seq)
            try park(row.record, row.count, chunkId: loc.chunkId)
            directorCounts[loc.chunkId, default: 0] += 1
            directorChunkCounts[plan.table.name, default: [:]][loc.chunkId, default: 0] += 1
            // Overlap copies: one per other chunk, with the lowest overlapping sub-chunk there.
            others.removeAll(keepingCapacity: true)
            chunker.forEachOverlapLocation(lon: lon, lat: lat, overlap: overlap) { o in
                guard o.chunkId != loc.chunkId else { return }
                if let k = others.firstIndex(where: { $0.chunk == o.chunkId }) {
                    if Int32(o.subChunkId) < others[k].sub { others[k].sub = Int32(o.subChunkId) }
                } else {
                    others.append((o.chunkId, Int32(o.subChunkId)))
                }
            }
            for o in others {
                RowEncoder.setHeader(row.record, count: row.count, tag: tag + 1, subChunkId: o.sub, seq: row.seq)
                try park(row.record, row.count, chunkId: o.chunk)
            }
            rows += 1
            if rows % 500_000 == 0 { progress?("\(plan.table.name): \(rows) rows") }
        }
        if let keyMap { rows -= try finishDirector(plan, tag: tag, keyMap: keyMap) }
        directorRowCounts[plan.table.name] = rows
        progress?("\(plan.table.name): \(rows) rows")
    }

    /// Merges the key map; a key's later rows are bad rows, dropped from their chunks. Returns
    /// how many were dropped.
    private mutating func finishDirector(_ plan: IngestTablePlan, tag: UInt8, keyMap: DirectorKeyMap) throws -> Int {
        var dropped = 0
        try keyMap.finish { e in
            try tracker.record(plan.badRow(e.seq, "duplicate key \(plan.columns[plan.keyIndex!].name) = \(e.key)"))
            droppedDirectorRows[tag, default: []].insert(e.seq)
            dropped += 1
            let chunkId = Int(Int32(truncatingIfNeeded: e.location >> 32))
            directorCounts[chunkId, default: 0] -= 1
            if directorCounts[chunkId] == 0 { directorCounts[chunkId] = nil }
            directorChunkCounts[plan.table.name, default: [:]][chunkId, default: 0] -= 1
        }
        return dropped
    }

    /// Loads a child table: each row parked with the row of `keyMap`'s director it references.
    mutating func loadChild(
        _ plan: IngestTablePlan, tag: UInt8, keyMap: DirectorKeyMap, progress: (@Sendable (String) -> Void)?
    ) throws {
        let fk = plan.foreignKeyIndex!
        var rows = 0
        // Keys beyond the memory budget: child rows are parked per key range first.
        let ranges =
            keyMap.allInMemory ? nil : ChunkSpill(directory: spill.directory + "/ranges", budget: max(1 << 20, spill.budget / 4))
        if let ranges { try FileManager.default.createDirectory(atPath: ranges.directory, withIntermediateDirectories: true) }
        let source = ParallelRowSource(
            plan: plan, watch: (fk, -1, -1), threads: parseThreads, minSplitBytes: minSplitBytes, tracker: tracker)
        try source.forEach { row in
            guard let key = row.int0 else {
                try tracker.record(plan.badRow(row.seq, "the foreign key \(plan.columns[fk].name) is empty"))
                return
            }
            if let ranges {
                RowEncoder.setHeader(row.record, count: row.count, tag: tag, subChunkId: 0, seq: row.seq)
                try ranges.append(row.record, count: row.count, to: ranges.buffer(keyMap.range(of: key)))
                rows += 1
                if rows % 1_000_000 == 0 { progress?("\(plan.table.name): \(rows) rows parked by key range") }
                return
            }
            guard let packed = keyMap.lookup[key] else {
                try tracker.record(plan.badRow(row.seq, "orphan: no \(chunkerDirectorName(plan)) row with key \(key)"))
                return
            }
            RowEncoder.setHeader(
                row.record, count: row.count, tag: tag, subChunkId: Int32(truncatingIfNeeded: packed), seq: row.seq)
            try park(row.record, row.count, chunkId: Int(Int32(truncatingIfNeeded: packed >> 32)))
            rows += 1
            if rows % 1_000_000 == 0 { progress?("\(plan.table.name): \(rows) rows") }
        }
        if let ranges {
            rows -= try placeParkedChildren(plan, keyMap: keyMap, ranges: ranges, progress: progress)
        }
        childCounts[plan.table.name] = rows
        progress?("\(plan.table.name): \(rows) rows")
    }

    @inline(__always)
    private mutating func park(_ record: UnsafeRawPointer, _ count: Int, chunkId: Int) throws {
        try spill.append(record, count: count, to: spill.buffer(chunkId))
        chunkBytes[chunkId, default: 0] += count
    }

    /// Places child rows parked per key range: one range's keys in memory at a time. Returns
    /// the number of orphans (reported as bad rows).
    private mutating func placeParkedChildren(
        _ plan: IngestTablePlan, keyMap: DirectorKeyMap, ranges: ChunkSpill, progress: (@Sendable (String) -> Void)?
    ) throws -> Int {
        let record = CSVBuffer(capacity: 1 << 12)
        var orphans = 0
        let fk = plan.foreignKeyIndex!
        for r in 0..<keyMap.rangeCount {
            try ranges.flush(r)  // one sequential file per range, read back in order
            guard ranges.spilledChunks.contains(r) else { continue }
            try keyMap.load(range: r)
            let reader = ChunkRecordReader(spillPath: ranges.spillPath(r), memory: nil)
            try reader.forEach { tag, _, seq, p, len in
                let key = encodedInteger(p, len, field: fk)!
                guard let packed = keyMap.lookup[key] else {
                    try tracker.record(plan.badRow(seq, "orphan: no \(chunkerDirectorName(plan)) row with key \(key)"))
                    orphans += 1
                    return
                }
                record.removeAll()
                record.appendRaw(UInt32(len + parkedRecordHeader - 4))
                record.byte(tag)
                record.appendRaw(UInt32(truncatingIfNeeded: packed))
                record.appendRaw(seq)
                record.append(p, count: len)
                try park(UnsafeRawPointer(record.base), record.count, chunkId: Int(Int32(truncatingIfNeeded: packed >> 32)))
            }
            unlink(ranges.spillPath(r))
            progress?("\(plan.table.name): key range \(r + 1)/\(keyMap.rangeCount) placed")
        }
        keyMap.releaseLookup()
        try? FileManager.default.removeItem(atPath: ranges.directory)
        return orphans
    }

    private func chunkerDirectorName(_ plan: IngestTablePlan) -> String {
        if case .child(let d, _) = plan.table.partitioning { return d }
        return "director"
    }

}

/// SQL text for the files an ingest writes.
enum SQLiteSchemaWriter {
    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Settings for building a new version: no journal, no syncs (an unfinished version is never
    /// switched to, and files are fsynced before the switch).
    static func configureForBuild(_ db: SQLiteConnection) throws {
        try db.execute("PRAGMA journal_mode = OFF")
        try db.execute("PRAGMA synchronous = OFF")
        try db.execute("PRAGMA locking_mode = EXCLUSIVE")
        // Index sorts beyond the cache spill to temporary files: memory stays bounded.
        try db.execute("PRAGMA cache_size = -65536")
        // ANALYZE samples (fast, and enough for the planner).
        try db.execute("PRAGMA analysis_limit = 1000")
    }

    /// ANALYZE, sampled (`analysis_limit`), with each table's exact row count written over the
    /// sample's estimates.
    ///
    /// The sample estimates an index's entries from the pages it reads, so the indexes of one
    /// table get different row counts, some far from the table's true count, and SQLite prices
    /// a scan of an index against a scan of the table with them: it can then read whole rows of
    /// a wide table where the far narrower zone index holds every column the query needs.
    /// Counting a freshly written table is cheap; the other statistics stay sampled.
    static func analyze(_ db: SQLiteConnection) throws {
        try db.execute("ANALYZE")
        let tables = try db.query("SELECT DISTINCT tbl FROM sqlite_stat1").compactMap { row -> String? in
            if case .text(let t) = row[0] { t } else { nil }
        }
        for table in tables {
            let rows = try db.query("SELECT COUNT(*) FROM \(quote(table))").first?.first ?? .integer(0)
            _ = try db.query(
                "UPDATE sqlite_stat1 SET stat = ?1 || substr(stat, instr(stat || ' ', ' ')) WHERE tbl = ?2",
                [rows, .text(table)])
        }
    }

    static func createTable(_ name: String, columns: [ColumnInfo], extra: [String]) -> String {
        let defs = columns.map { "\(quote($0.name)) \($0.sqliteType)" } + extra.map { "\(quote($0)) INTEGER" }
        return "CREATE TABLE \(quote(name)) (\(defs.joined(separator: ", ")))"
    }

    static func insert(_ name: String, columnCount: Int) -> String {
        "INSERT INTO \(quote(name)) VALUES (\(Array(repeating: "?", count: columnCount).joined(separator: ",")))"
    }

    /// CREATE INDEX statements: the director key (unique in the director table), subChunkId and
    /// the latitude column, or the child's foreign key, then the plan's index lists.
    static func indexes(
        for plan: IngestTablePlan, tableName: String, partitionColumns: Bool, unique: Bool = true
    ) throws -> [String] {
        var lists: [(cols: [String], unique: Bool)] = []
        if let k = plan.keyIndex { lists.append(([plan.columns[k].name], unique)) }
        if partitionColumns { lists.append((["subChunkId"], false)) }
        // (latitude, longitude), so that a cone or box search reads the index entries of its
        // declination band, tests their longitude in the index, and fetches only the rows of
        // its bounding box (the planner adds the band and window its region implies).
        if partitionColumns, let lat = plan.latIndex {
            lists.append(
                (
                    plan.lonIndex.map { [plan.columns[lat].name, plan.columns[$0].name] }
                        ?? [plan.columns[lat].name], false
                ))
        }
        if let f = plan.foreignKeyIndex { lists.append(([plan.columns[f].name], false)) }
        for cols in plan.indexColumns where !lists.contains(where: { $0.cols == cols }) { lists.append((cols, false)) }
        var out = lists.map { l in
            let idx = quote("\(tableName)_\(l.cols.joined(separator: "_"))_idx")
            return
                "CREATE \(l.unique ? "UNIQUE " : "")INDEX \(idx) ON \(quote(tableName)) (\(l.cols.map(quote).joined(separator: ", ")))"
        }
        // (zone, longitude): a cone's index reads stay within its bounding box (`ZoneIndex`);
        // the principal columns after them answer the common cone queries from the index.
        if partitionColumns, let lat = plan.latIndex, let lon = plan.lonIndex {
            let latName = plan.columns[lat].name, lonName = plan.columns[lon].name
            out.append(
                try ZoneIndex.createIndexSQL(
                    table: tableName, latColumn: latName, lonColumn: lonName,
                    zonesPerDegree: ZoneIndex.defaultZonesPerDegree,
                    covering: ZoneIndex.coveredColumns(plan.columns, latColumn: latName, lonColumn: lonName)))
        }
        return out
    }
}
