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
    /// director's (dec, ra) index for each upload row; with the catalog's zone index, each row
    /// is sent once per zone of its band with its longitude window there (`zonedPieces`), and
    /// SQLite reads the zone index for about the row's bounding box.
    func uploadPartitioning(_ pruned: consuming PrunedQuery) throws -> PrunedQuery {
        let bound = pruned.query.bound
        pruned.uploadBindings = uploadBindings(reading: bound.tables)
        guard pruned.uploadBindings != nil, case .chunks(let kept) = pruned.target, pruned.query.overlapReads.isEmpty,
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

    /// More hidden columns of a cross-matched upload's rows, with a zone index: the one zone of
    /// the director's zone index the row is sent for, and its longitude window in that zone.
    static let zoneColumn = "\u{1}zone"
    static let lonLowColumn = "\u{1}ra_low"
    static let lonHighColumn = "\u{1}ra_high"

    /// One copy of an upload row for the chunk SQL: the declination band, and with a zone index
    /// one zone and a longitude window within it.
    struct ZonedPiece {
        var zone: Int64
        var lonLow: Double
        var lonHigh: Double
    }

    /// The pieces of a cross-match row at (`lon`, `lat`) within `reach` degrees: one per zone
    /// of its band (director latitudes are within [−90, 90] at ingest), each with the circle's
    /// longitude window over that zone (`SkyCircle.longitudeHalfWidth`), or two where the window
    /// crosses longitude 0/360 (director longitudes are within [0, 360], 360 being 0), or an
    /// unrestricted window where the circle comes near a pole or is wide. Zones are disjoint and
    /// so are the two pieces of a wrapped window: each director row meets at most one piece of
    /// a row, so each matching pair is found once.
    static func zonedPieces(lon: Double, lat: Double, reach: Double, perDegree: Int) -> [ZonedPiece] {
        let low = max(lat - reach, -90), high = min(lat + reach, 90)
        let first = ZoneIndex.zone(of: low, zonesPerDegree: perDegree)
        let last = ZoneIndex.zone(of: high, zonesPerDegree: perDegree)
        guard first <= last else { return [] }
        // Near a pole the window is all longitudes (`longitudeHalfWidth` is for circles that
        // hold no pole); so it is for a longitude whose remainder by 360 is not to be trusted.
        let edge = 1e-6
        let unrestricted = high >= 90 - edge || low <= -90 + edge || !(abs(lon) <= 1e6)
        let circle = SkyCircle(centerLon: lon, centerLat: lat, radius: reach)
        var l = lon.truncatingRemainder(dividingBy: 360)
        if l < 0 { l += 360 }
        var pieces: [ZonedPiece] = []
        for zone in first...last {
            if unrestricted {
                pieces.append(ZonedPiece(zone: zone, lonLow: -.infinity, lonHigh: .infinity))
                continue
            }
            // The latitudes SQLite can put in `zone`, with a margin far above its rounding.
            let bottom = Double(zone) / Double(perDegree) - 90 - 1e-9
            let top = Double(zone + 1) / Double(perDegree) - 90 + 1e-9
            guard let width = circle.longitudeHalfWidth(latitudesFrom: bottom, to: top) else { continue }
            let h = width + 1e-7
            guard h < 90 else {
                pieces.append(ZonedPiece(zone: zone, lonLow: -.infinity, lonHigh: .infinity))
                continue
            }
            let west = l - h, east = l + h
            if west > edge, east < 360 - edge {
                pieces.append(ZonedPiece(zone: zone, lonLow: west, lonHigh: east))
            } else if west <= edge {
                // [0, east] and [west + 360, 360]: disjoint, as h < 90.
                pieces.append(ZonedPiece(zone: zone, lonLow: -.infinity, lonHigh: east))
                pieces.append(ZonedPiece(zone: zone, lonLow: west + 360, lonHigh: .infinity))
            } else {
                // [west, 360] and [0, east − 360].
                pieces.append(ZonedPiece(zone: zone, lonLow: west, lonHigh: .infinity))
                pieces.append(ZonedPiece(zone: zone, lonLow: -.infinity, lonHigh: east - 360))
            }
        }
        return pieces
    }

    func partitionByPosition(_ pruned: consuming PrunedQuery, match: CrossMatch, kept: [Int], keptSet: Set<Int>) -> PrunedQuery {
        let index = uploads.index(of: match.upload.info)!
        let rows = uploads.tables[index].rows
        // The match radius as the geometry functions apply it (a negative CIRCLE radius is 0),
        // widened so that rounding in the functions cannot reach beyond it.
        let reach = max(match.radius, 0) + 1e-7
        // With the catalog's zone index, each row is sent once per zone of its band, with its
        // longitude window there: SQLite then reads the zone index for (zone, longitude range),
        // about the entries of the row's bounding box, instead of the band across the chunk's
        // whole width through the (latitude, longitude) index. Not for a radius whose band spans
        // more zones than a constant region may list (`ZoneIndex.maxZones`).
        let perDegree = catalog.zonesPerDegree.flatMap { p in
            2 * reach * Double(p) + 2 <= Double(ZoneIndex.maxZones) ? p : nil
        }
        let width = rows.columnCount + (perDegree == nil ? 2 : 5)
        var out = RowBatch(columnCount: width, reservingRows: rows.rowCount)
        func append(_ r: Int, band: (Double, Double), piece: ZonedPiece?) -> Int {
            var row = rows.row(r) + [.real(band.0), .real(band.1)]
            if let piece { row += [.integer(piece.zone), .real(piece.lonLow), .real(piece.lonHigh)] }
            out.append(row: row)
            return out.rowCount - 1
        }
        var perChunk: [Int: [Int]] = [:]
        // Upload rows (not their copies) per chunk, for the explanation.
        var rowsPerChunk: [Int: Int] = [:]
        var unplaced = 0
        for r in 0..<rows.rowCount {
            guard let lon = rows[r, match.lonColumn].doubleValue, let lat = rows[r, match.latColumn].doubleValue else {
                // NULL (or text): the distance or containment is NULL, never true.
                unplaced += 1
                continue
            }
            guard lon.isFinite, lat.isFinite, abs(lat) <= 90 else {
                // Not a position on the sky: the geometry functions' answer for it is not
                // bounded by the band, so every chunk gets it, with no band (with zones: once
                // per zone the chunk's latitudes span, any longitude).
                let all = (-Double.infinity, Double.infinity)
                guard let perDegree else {
                    let i = append(r, band: all, piece: nil)
                    for c in kept {
                        perChunk[c, default: []].append(i)
                        rowsPerChunk[c, default: 0] += 1
                    }
                    continue
                }
                var ofZone: [Int64: Int] = [:]
                let lowest = ZoneIndex.zone(of: -90, zonesPerDegree: perDegree)
                let highest = ZoneIndex.zone(of: 90, zonesPerDegree: perDegree)
                for c in kept {
                    // Every director row lies in its chunk's bounds (a margin for rounding).
                    let bounds = chunker.chunkBounds(c)
                    let first = max(lowest, ZoneIndex.zone(of: bounds.latMin - 1e-6, zonesPerDegree: perDegree))
                    let last = min(highest, ZoneIndex.zone(of: bounds.latMax + 1e-6, zonesPerDegree: perDegree))
                    guard first <= last else { continue }
                    rowsPerChunk[c, default: 0] += 1
                    for zone in first...last {
                        let i =
                            ofZone[zone]
                            ?? append(r, band: all, piece: ZonedPiece(zone: zone, lonLow: -.infinity, lonHigh: .infinity))
                        ofZone[zone] = i
                        perChunk[c, default: []].append(i)
                    }
                }
                continue
            }
            let band = (lat - reach, lat + reach)
            var copies: [Int] = []
            if let perDegree {
                for piece in Self.zonedPieces(lon: lon, lat: lat, reach: reach, perDegree: perDegree) {
                    copies.append(append(r, band: band, piece: piece))
                }
            } else {
                copies.append(append(r, band: band, piece: nil))
            }
            guard !copies.isEmpty else {
                // (Not expected: the zone of the row's own latitude holds its center.)
                unplaced += 1
                continue
            }
            for c in chunker.chunks(intersecting: .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: reach)))
            where keptSet.contains(c) {
                perChunk[c, default: []].append(contentsOf: copies)
                rowsPerChunk[c, default: 0] += 1
            }
        }
        let spec = match.director.info.directorSpec!
        let directorLat = Expression.column(match.director.correlation, spec.latColumn)
        func uploadColumn(_ name: String) -> Expression { Expression.column(match.upload.correlation, name) }
        var terms: [Expression] = []
        if let perDegree {
            // The zone expression exactly as the index is built (SQLite matches an expression
            // index by its expression), equal to the row's zone, then its longitude window.
            terms.append(
                Expression(
                    .binary(
                        .equal, ZoneIndex.expression(latitude: directorLat, zonesPerDegree: perDegree),
                        uploadColumn(Self.zoneColumn))))
            terms.append(
                Expression(
                    .between(
                        Expression.column(match.director.correlation, spec.lonColumn),
                        low: uploadColumn(Self.lonLowColumn), high: uploadColumn(Self.lonHighColumn), negated: false)))
        }
        terms.append(
            Expression(
                .between(
                    directorLat, low: uploadColumn(Self.bandLowColumn), high: uploadColumn(Self.bandHighColumn),
                    negated: false)))
        pruned.query.bound.statement.whereClause = Expression.and(
            terms + [pruned.query.bound.statement.whereClause].compactMap { $0 })
        pruned.bandedUpload = match.upload.info.name
        pruned.bandedUploadColumns =
            [Self.bandLowColumn, Self.bandHighColumn]
            + (perDegree == nil ? [] : [Self.zoneColumn, Self.lonLowColumn, Self.lonHighColumn])
        let uploadRows = rows.rowCount
        return finishPartition(
            pruned, upload: match.upload, index: index, rows: out, perChunk: perChunk, unplaced: unplaced,
            kind: .crossMatch(radius: match.radius), uploadRows: uploadRows, rowsPerChunk: rowsPerChunk)
    }

    /// An equality between an upload column and the director key or a child's foreign key.
    struct KeyJoin {
        var upload: BoundTable
        var column: Int
        /// The director whose key the upload column is compared with.
        var director: String
    }

    func keyJoin(_ conditions: [Expression], uploads: [BoundTable], tables: [BoundTable]) -> KeyJoin? {
        let pruner = ChunkPruner(chunker: chunker, tables: tables, directorIndex: nil)
        for c in conditions {
            guard case .binary(.equal, let a, let b) = c.unparenthesized.kind else { continue }
            for (key, other) in [(a, b), (b, a)] {
                guard let director = pruner.directorKey(key),
                    case .column(let name) = other.unparenthesized.kind, name.parts.count == 2,
                    let upload = uploads.first(where: { $0.correlation == name.parts[0].name }),
                    let column = upload.info.columns.firstIndex(where: { $0.name == name.parts[1].name }),
                    ["INTEGER", "REAL"].contains(upload.info.columns[column].sqliteType)
                else { continue }
                return KeyJoin(upload: upload, column: column, director: director)
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
        let chunkOfKey = try index.chunks(ofKeys: Array(Set(keys.compactMap { $0 })), of: join.director)
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
            kind: .key(column: join.upload.info.columns[join.column].name), uploadRows: rows.rowCount)
    }

    /// The chunks that got rows become the target, each with its rows' JSON as the upload's
    /// parameter.
    func finishPartition(
        _ pruned: consuming PrunedQuery, upload: BoundTable, index: Int, rows: RowBatch, perChunk: [Int: [Int]],
        unplaced: Int, kind: UploadPartition.Kind, uploadRows: Int, rowsPerChunk: [Int: Int]? = nil
    ) -> PrunedQuery {
        let parameter = Uploads.parameterNumber(index) - 1
        pruned.uploadBindings?.partitionedParameter = parameter
        pruned.uploadBindings?.values[parameter] = .text("[]")
        pruned.uploadBindings?.perChunk = perChunk.mapValues { .text(Uploads.json(rows, indices: $0)) }
        pruned.target = .chunks(perChunk.keys.sorted())
        let partition = UploadPartition(
            table: upload.info.name, correlation: upload.correlation, kind: kind, uploadRows: uploadRows,
            unplacedRows: unplaced, rowsPerChunk: rowsPerChunk ?? perChunk.mapValues(\.count), totalChunks: allChunks.count)
        pruned.uploadPartition = partition
        let what: String
        switch kind {
        case .crossMatch(let r): what = "cross-match within \(r)°, each row to every chunk within the radius"
        case .key(let column): what = "\(upload.correlation).\(column) through the director index"
        }
        pruned.query.notes.append(
            .text(
                "upload-partitioning: \(Uploads.schemaName).\(upload.info.name) AS \(upload.correlation), \(uploadRows) row(s) by \(what): \(perChunk.count) of \(allChunks.count) chunks touched"
            ))
        return pruned
    }
}

extension DirectorIndex {
    /// The chunk of each key of `director` the index holds (keys it lacks are left out). The
    /// default looks each key up on its own.
    public func chunks(ofKeys keys: [Int64], of director: String) throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for key in keys {
            if let chunk = try chunks(forKeys: [key], of: director).first { result[key] = chunk }
        }
        return result
    }
}
