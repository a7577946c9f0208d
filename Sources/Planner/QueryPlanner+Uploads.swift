import ADQL
import Catalog
import Sky
import Tabular

// Uploaded tables (`TAP_UPLOAD.<name>`): the planner of a query with uploads, and the pass
// `uploadPartitioning`.
extension QueryPlanner {
    /// This planner with `uploads` as tables of `TAP_UPLOAD`, for one query: they are bound like
    /// the catalog's replicated tables (joinable with any table), read from a bound parameter
    /// (`Uploads`), and never part of TAP_SCHEMA (which the engine builds from its own catalog).
    /// Throws for names that are not valid (`Uploads.tableInfo`).
    public func addingUploads(_ uploads: [UploadedTable]) throws(QueryError) -> QueryPlanner {
        guard !uploads.isEmpty else { return self }
        let set = try UploadSet(uploads)
        var catalog = self.catalog
        catalog.tables.removeAll { $0.schema == Uploads.schemaName }
        catalog.tables += set.tables.map(\.info)
        if !catalog.schemas.contains(where: { $0.name == Uploads.schemaName }) {
            catalog.schemas.append(SchemaInfo(name: Uploads.schemaName, description: "tables uploaded with the query"))
        }
        var planner = QueryPlanner(catalog: catalog, directorIndex: directorIndex, functions: functions)
        planner.interactiveChunkLimit = interactiveChunkLimit
        planner.zoneSplitRows = zoneSplitRows
        planner.maxCircleParts = maxCircleParts
        planner.coordinatorRowLimit = coordinatorRowLimit
        planner.uploads = set
        return planner
    }

    /// Upload table name → its parameter number, for rendering.
    var uploadParameters: [String: Int] {
        Dictionary(uniqueKeysWithValues: uploads.tables.enumerated().map { ($1.info.name, Uploads.parameterNumber($0)) })
    }

    /// What a plan binds for the uploads `tables` reads (nil: none), each whole.
    func uploadBindings(reading tables: [BoundTable]) -> UploadBindings? {
        let indices = tables.compactMap { uploads.index(of: $0.info) }
        guard let last = indices.max() else { return nil }
        var values = [Value](repeating: .null, count: Uploads.parameterNumber(last))
        for i in indices { values[Uploads.parameterNumber(i) - 1] = .text(uploads.tables[i].allRowsJSON) }
        return UploadBindings(values: values, perChunk: [:], partitionedParameter: nil)
    }

    /// Pass `uploadPartitioning`: an upload joined with the director by a positional
    /// cross-match within a constant radius, or by an equality with the director key (or a
    /// child's foreign key), is split over the chunks: each chunk's statement gets only the
    /// upload rows that can match its rows, and only the chunks that get rows run. Any other
    /// upload is read whole by every statement, like a replicated table.
    ///
    /// A cross-match is exact for any radius without the overlap: each chunk joins the upload
    /// rows with its own director rows only (not the overlap rows), and an upload row goes to
    /// every chunk whose area comes within the radius of it (`Chunker.chunks(intersecting:)`
    /// of the row's circle, a superset). Every director row lies in one chunk, so each matching
    /// pair is found in exactly that chunk, once. A per-row declination band
    /// (`dec BETWEEN u.dec - r AND u.dec + r`, precomputed with the rows) lets SQLite read the
    /// director's (dec, ra) index for each upload row.
    func uploadPartitioning(_ pruned: consuming PrunedQuery) throws -> PrunedQuery {
        let bound = pruned.query.bound
        pruned.uploadBindings = uploadBindings(reading: bound.tables)
        guard pruned.uploadBindings != nil, case .chunks(let kept) = pruned.target, pruned.query.nearNeighbour == nil,
            !Self.hasOuterJoin(bound.statement.from)
        else { return pruned }
        let conditions = Self.joinConditions(bound)
        // Uploads referenced once (a second reference would read the same, partitioned,
        // parameter).
        let once = bound.tables.filter { t in
            uploads.index(of: t.info) != nil && bound.tables.lazy.filter { $0.info == t.info }.count == 1
        }
        guard !once.isEmpty else { return pruned }
        let keptSet = Set(kept)
        if let match = crossMatch(conditions, uploads: once, tables: bound.tables) {
            return partitionByPosition(pruned, match: match, kept: kept, keptSet: keptSet)
        }
        if let index = directorIndex, let join = keyJoin(conditions, uploads: once, tables: bound.tables) {
            return try partitionByKey(pruned, join: join, index: index, keptSet: keptSet)
        }
        return pruned
    }

    static func hasOuterJoin(_ from: [TableReference]) -> Bool {
        func check(_ ref: TableReference) -> Bool {
            guard case .join(let j) = ref else { return false }
            return j.kind == .left || j.kind == .right || j.kind == .full || check(j.left) || check(j.right)
        }
        return from.contains(where: check)
    }

    /// A cross-match between an upload's position columns and the director's position.
    struct CrossMatch {
        var upload: BoundTable
        var director: BoundTable
        var lonColumn: Int
        var latColumn: Int
        var radius: Double
    }

    func crossMatch(_ conditions: [Expression], uploads: [BoundTable], tables: [BoundTable]) -> CrossMatch? {
        guard let director = tables.first(where: { $0.info.directorSpec != nil }), let spec = director.info.directorSpec
        else { return nil }
        let pruner = ChunkPruner(chunker: chunker, tables: tables, directorIndex: nil)
        var best: CrossMatch?
        for bound in DistanceBound.all(in: conditions, pruner: pruner) {
            for (d, u) in [(bound.a, bound.b), (bound.b, bound.a)] {
                guard let dc = DistanceBound.columns(d.lon, d.lat), dc.correlation == director.correlation,
                    dc.lon == spec.lonColumn, dc.lat == spec.latColumn,
                    let uc = DistanceBound.columns(u.lon, u.lat),
                    let upload = uploads.first(where: { $0.correlation == uc.correlation }),
                    let lon = upload.info.columns.firstIndex(where: { $0.name == uc.lon }),
                    let lat = upload.info.columns.firstIndex(where: { $0.name == uc.lat }),
                    ["INTEGER", "REAL"].contains(upload.info.columns[lon].sqliteType),
                    ["INTEGER", "REAL"].contains(upload.info.columns[lat].sqliteType)
                else { continue }
                // The smallest radius of one upload's bounds: each is a conjunct, all must hold.
                if let b = best, b.upload.correlation != upload.correlation || b.radius <= bound.radius { continue }
                best = CrossMatch(upload: upload, director: director, lonColumn: lon, latColumn: lat, radius: bound.radius)
            }
        }
        return best
    }

    /// Extra columns of a cross-matched upload's rows: its declination band (names no upload
    /// column can have: upload names hold no control characters).
    static let bandLowColumn = "\u{1}band_low"
    static let bandHighColumn = "\u{1}band_high"

    func partitionByPosition(_ pruned: consuming PrunedQuery, match: CrossMatch, kept: [Int], keptSet: Set<Int>) -> PrunedQuery {
        let index = uploads.index(of: match.upload.info)!
        let rows = uploads.tables[index].rows
        // The match radius as the geometry functions apply it (a negative CIRCLE radius is 0),
        // widened so that rounding in the functions cannot reach beyond it.
        let reach = max(match.radius, 0) + 1e-7
        var perChunk: [Int: [Int]] = [:]
        var bands: [(Double, Double)?] = []
        bands.reserveCapacity(rows.rowCount)
        var unplaced = 0
        for r in 0..<rows.rowCount {
            guard let lon = rows[r, match.lonColumn].doubleValue, let lat = rows[r, match.latColumn].doubleValue else {
                // NULL (or text): the distance or containment is NULL, never true.
                bands.append(nil)
                unplaced += 1
                continue
            }
            guard lon.isFinite, lat.isFinite, abs(lat) <= 90 else {
                // Not a position on the sky: the geometry functions' answer for it is not
                // bounded by the band, so every chunk gets it, with no band.
                bands.append((-.infinity, .infinity))
                for c in kept { perChunk[c, default: []].append(r) }
                continue
            }
            bands.append((lat - reach, lat + reach))
            for c in chunker.chunks(intersecting: .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: reach)))
            where keptSet.contains(c) {
                perChunk[c, default: []].append(r)
            }
        }
        // The rows with their band appended, as each chunk's JSON.
        var banded = RowBatch(columnCount: rows.columnCount + 2, reservingRows: rows.rowCount)
        for r in 0..<rows.rowCount {
            let band = bands[r]
            banded.append(row: rows.row(r) + [band.map { Value.real($0.0) } ?? .null, band.map { Value.real($0.1) } ?? .null])
        }
        let latColumn = match.director.info.directorSpec!.latColumn
        let band = Expression(
            .between(
                Expression.column(match.director.correlation, latColumn),
                low: Expression.column(match.upload.correlation, Self.bandLowColumn),
                high: Expression.column(match.upload.correlation, Self.bandHighColumn), negated: false))
        pruned.query.bound.statement.whereClause = Expression.and(
            [band, pruned.query.bound.statement.whereClause].compactMap { $0 })
        pruned.bandedUpload = match.upload.info.name
        return finishPartition(
            pruned, upload: match.upload, index: index, rows: banded, perChunk: perChunk, unplaced: unplaced,
            kind: .crossMatch(radius: match.radius))
    }

    /// An equality between an upload column and the director key or a child's foreign key.
    struct KeyJoin {
        var upload: BoundTable
        var column: Int
    }

    func keyJoin(_ conditions: [Expression], uploads: [BoundTable], tables: [BoundTable]) -> KeyJoin? {
        let pruner = ChunkPruner(chunker: chunker, tables: tables, directorIndex: nil)
        for c in conditions {
            guard case .binary(.equal, let a, let b) = c.unparenthesized.kind else { continue }
            for (key, other) in [(a, b), (b, a)] where pruner.isDirectorKey(key) {
                guard case .column(let name) = other.unparenthesized.kind, name.parts.count == 2,
                    let upload = uploads.first(where: { $0.correlation == name.parts[0].name }),
                    let column = upload.info.columns.firstIndex(where: { $0.name == name.parts[1].name }),
                    ["INTEGER", "REAL"].contains(upload.info.columns[column].sqliteType)
                else { continue }
                return KeyJoin(upload: upload, column: column)
            }
        }
        return nil
    }

    func partitionByKey(
        _ pruned: consuming PrunedQuery, join: KeyJoin, index: any DirectorIndex, keptSet: Set<Int>
    ) throws
        -> PrunedQuery
    {
        let i = uploads.index(of: join.upload.info)!
        let rows = uploads.tables[i].rows
        // A key equals an integer: other values (NULL, a fraction) match nothing.
        var keys: [Int64?] = []
        keys.reserveCapacity(rows.rowCount)
        for r in 0..<rows.rowCount {
            let v = rows[r, join.column]
            keys.append(v.doubleValue != nil ? v.int64Value : nil)
        }
        let chunkOfKey = try index.chunks(ofKeys: Array(Set(keys.compactMap { $0 })))
        var perChunk: [Int: [Int]] = [:]
        var unplaced = 0
        for (r, key) in keys.enumerated() {
            if let key, let chunk = chunkOfKey[key], keptSet.contains(chunk) {
                perChunk[chunk, default: []].append(r)
            } else {
                unplaced += 1
            }
        }
        return finishPartition(
            pruned, upload: join.upload, index: i, rows: rows, perChunk: perChunk, unplaced: unplaced,
            kind: .key(column: join.upload.info.columns[join.column].name))
    }

    /// The chunks that got rows become the target, each with its rows' JSON as the upload's
    /// parameter.
    func finishPartition(
        _ pruned: consuming PrunedQuery, upload: BoundTable, index: Int, rows: RowBatch, perChunk: [Int: [Int]],
        unplaced: Int, kind: UploadPartition.Kind
    ) -> PrunedQuery {
        let parameter = Uploads.parameterNumber(index) - 1
        pruned.uploadBindings?.partitionedParameter = parameter
        pruned.uploadBindings?.values[parameter] = .text("[]")
        pruned.uploadBindings?.perChunk = perChunk.mapValues { .text(Uploads.json(rows, indices: $0)) }
        pruned.target = .chunks(perChunk.keys.sorted())
        let partition = UploadPartition(
            table: upload.info.name, correlation: upload.correlation, kind: kind, uploadRows: rows.rowCount,
            unplacedRows: unplaced, rowsPerChunk: perChunk.mapValues(\.count), totalChunks: allChunks.count)
        pruned.uploadPartition = partition
        let what: String
        switch kind {
        case .crossMatch(let r): what = "cross-match within \(r)°, each row to every chunk within the radius"
        case .key(let column): what = "\(upload.correlation).\(column) through the director index"
        }
        pruned.query.notes.append(
            .text(
                "upload-partitioning: \(Uploads.schemaName).\(upload.info.name) AS \(upload.correlation), \(rows.rowCount) row(s) by \(what): \(perChunk.count) of \(allChunks.count) chunks touched"
            ))
        return pruned
    }
}

extension DirectorIndex {
    /// The chunk of each key the index holds (keys it lacks are left out). The default looks
    /// each key up on its own.
    public func chunks(ofKeys keys: [Int64]) throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for key in keys {
            if let chunk = try chunks(forKeys: [key]).first { result[key] = chunk }
        }
        return result
    }
}
