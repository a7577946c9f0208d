import ADQL
import Catalog
import Sky
import Tabular

/// A set of chunks: every chunk, or some.
enum ChunkSet: Equatable {
    case all
    case some(Set<Int>)

    func intersection(_ other: ChunkSet) -> ChunkSet {
        switch (self, other) {
        case (.all, _): other
        case (_, .all): self
        case (.some(let a), .some(let b)): .some(a.intersection(b))
        }
    }

    func union(_ other: ChunkSet) -> ChunkSet {
        switch (self, other) {
        case (.all, _), (_, .all): .all
        case (.some(let a), .some(let b)): .some(a.union(b))
        }
    }
}

/// What a pruning found: the chunks, the notes for the plan, and the regions of the WHERE
/// clause's top-level conjuncts (the planner's latitude band reads them instead of computing
/// every region again).
struct Pruning {
    var chunks: ChunkSet = .all
    var notes: [PlanNote] = []
    var topLevelRegions: [SkyRegion] = []
}

/// Finds the chunks a WHERE clause can match: spatial predicates on the director's position
/// columns (CONTAINS / INTERSECTS of a POINT with a CIRCLE, BOX or POLYGON, DISTANCE below a
/// radius, the scisql point-in-region functions, and longitude / latitude ranges), and
/// director-key predicates through the director index, in any AND / OR combination. Anything
/// it does not understand keeps every chunk: pruning may keep too many chunks, never too few.
struct ChunkPruner {
    let chunker: Chunker
    let tables: [BoundTable]
    let directorIndex: (any DirectorIndex)?
    /// The catalog's first director (its index goes unnamed in the plan's notes).
    var mainDirector: String? = nil

    /// The chunks `expression` (a WHERE clause) can match, with what the pruning noted.
    func prune(_ expression: Expression) throws -> Pruning {
        var found = Pruning()
        found.chunks = try chunks(for: expression, topLevel: true, into: &found)
        return found
    }

    private func chunks(for expression: Expression, topLevel: Bool, into found: inout Pruning) throws -> ChunkSet {
        let e = expression.unparenthesized
        switch e.kind {
        case .binary(.and, _, _):
            // Longitude / latitude ranges of one conjunction combine into one box first: a
            // strip of longitude alone would keep a whole meridian of chunks.
            var lon = (lo: 0.0, hi: 360.0), lat = (lo: -90.0, hi: 90.0)
            var ranged = false
            var result = ChunkSet.all
            // The regions this conjunction confines the position to: when two of them cannot
            // meet, no row can match and no chunk needs to be read.
            var regions: [SkyRegion] = []
            for term in e.conjuncts {
                if let range = coordinateRange(term) {
                    ranged = true
                    // Stored longitudes lie in [0, 360), latitudes in [-90, 90]: clamping a
                    // range to them keeps exactly the values it matches.
                    switch range {
                    case .lon(let lo, let hi): lon = (max(lon.lo, lo), min(lon.hi, hi))
                    case .lat(let lo, let hi): lat = (max(lat.lo, lo), min(lat.hi, hi))
                    }
                } else if let region = region(of: term.unparenthesized) {
                    regions.append(region)
                    result = result.intersection(chunks(of: region, topLevel: topLevel, into: &found))
                } else {
                    result = result.intersection(try chunks(for: term, topLevel: topLevel, into: &found))
                }
            }
            if ranged {
                guard lon.lo <= lon.hi, lat.lo <= lat.hi else {
                    found.notes.append(.text("empty-region: the longitude or latitude ranges leave no position"))
                    return .some([])
                }
                let box =
                    lon.hi - lon.lo >= 360
                    ? SkyBox(lonMin: 0, lonMax: 360, latMin: lat.lo, latMax: lat.hi)
                    : SkyBox(lonMin: lon.lo, lonMax: min(lon.hi, 360), latMin: lat.lo, latMax: lat.hi)
                found.notes.append(.spatialPruning(.box(box)))
                regions.append(.box(box))
                result = result.intersection(.some(Set(chunker.chunks(intersecting: .box(box)))))
            }
            if !SkyRegion.mayAllMeet(regions) {
                found.notes.append(.text("empty-region: regions AND-ed together cannot meet; no chunk is read"))
                return .some([])
            }
            return result
        case .binary(.or, let a, let b):
            return try chunks(for: a, topLevel: false, into: &found).union(try chunks(for: b, topLevel: false, into: &found))
        default:
            if let region = region(of: e) { return chunks(of: region, topLevel: topLevel, into: &found) }
            if let set = try keyChunks(e, into: &found) { return set }
            return .all
        }
    }

    /// The chunks a region may touch, noted in the plan (and kept for the latitude band when
    /// the region is one of the top-level conjuncts).
    private func chunks(of region: SkyRegion, topLevel: Bool, into found: inout Pruning) -> ChunkSet {
        if topLevel { found.topLevelRegions.append(region) }
        found.notes.append(.spatialPruning(region))
        return .some(Set(chunker.chunks(intersecting: region)))
    }

    // MARK: Spatial predicates

    /// The region that a predicate confines the director's position to, if it does.
    func region(of e: Expression) -> SkyRegion? {
        switch e.kind {
        case .binary(let op, let a, let b) where op == .equal:
            // f(...) = 1 or 1 = f(...)
            if constant(b) == 1, let r = pointInRegion(a.unparenthesized) { return r }
            if constant(a) == 1, let r = pointInRegion(b.unparenthesized) { return r }
            return nil
        case .binary(let op, let a, let b) where op == .less || op == .lessOrEqual:
            if let radius = constant(b), let center = distanceCenter(a.unparenthesized) {
                return .circle(SkyCircle(centerLon: center.0, centerLat: center.1, radius: radius))
            }
            return nil
        case .binary(let op, let a, let b) where op == .greater || op == .greaterOrEqual:
            if let radius = constant(a), let center = distanceCenter(b.unparenthesized) {
                return .circle(SkyCircle(centerLon: center.0, centerLat: center.1, radius: radius))
            }
            return nil
        default:
            return nil
        }
    }

    enum CoordinateRange {
        case lon(Double, Double)
        case lat(Double, Double)
    }

    /// A range of the director's longitude or latitude: `x BETWEEN a AND b`, `x > a`, `x <= b`, ...
    func coordinateRange(_ e: Expression) -> CoordinateRange? {
        func make(_ column: PositionColumn, _ lo: Double, _ hi: Double) -> CoordinateRange? {
            column == .lat ? .lat(lo, hi) : .lon(lo, hi)
        }
        switch e.unparenthesized.kind {
        case .between(let x, let low, let high, negated: false):
            guard let column = positionColumn(x), let lo = constant(low), let hi = constant(high) else { return nil }
            return make(column, lo, hi)
        case .binary(let op, let a, let b) where op.isComparison && op != .notEqual && op != .equal:
            let wide = 1e9
            if let column = positionColumn(a), let v = constant(b) {
                return op == .greater || op == .greaterOrEqual ? make(column, v, wide) : make(column, -wide, v)
            }
            if let column = positionColumn(b), let v = constant(a) {
                return op == .greater || op == .greaterOrEqual ? make(column, -wide, v) : make(column, v, wide)
            }
            return nil
        default:
            return nil
        }
    }

    enum PositionColumn { case lon, lat }

    /// Whether `e` is the director's longitude or latitude column.
    func positionColumn(_ e: Expression) -> PositionColumn? {
        // The table found by index and its spec read in place (a BoundTable copy retains all
        // of its TableInfo; this runs for every conjunct and every position argument).
        guard case .column(let name) = e.unparenthesized.kind, name.parts.count == 2,
            let i = tables.firstIndex(where: { $0.correlation == name.parts[0].name }),
            case .director(let spec) = tables[i].info.partitioning
        else { return nil }
        if name.parts[1].name == spec.lonColumn { return .lon }
        if name.parts[1].name == spec.latColumn { return .lat }
        return nil
    }

    /// Whether (a, b) are the director's (lon, lat) columns of the same table.
    func isDirectorPosition(_ a: Expression, _ b: Expression) -> Bool {
        guard case .column(let na) = a.unparenthesized.kind, case .column(let nb) = b.unparenthesized.kind,
            na.parts.count == 2, nb.parts.count == 2, na.parts[0].name == nb.parts[0].name
        else { return false }
        return positionColumn(a) == .lon && positionColumn(b) == .lat
    }

    /// POINT(['sys',] lon, lat) → (lon, lat) expressions.
    func pointArguments(_ e: Expression) -> (Expression, Expression)? {
        guard case .function(let call) = e.unparenthesized.kind, call.upperName == "POINT" else { return nil }
        // The last two of three arguments (a coordinate system first), or both of two.
        let args = call.arguments
        switch args.count {
        case 3: return (args[1], args[2])
        case 2: return (args[0], args[1])
        default: return nil
        }
    }

    /// A CIRCLE / BOX / POLYGON with constant arguments.
    func constantShape(_ e: Expression) -> SkyRegion? {
        guard case .function(let call) = e.unparenthesized.kind else { return nil }
        // The arguments after a leading coordinate-system string, read in place (no copy of
        // the argument array, no array of their values).
        let all = call.arguments
        var skip = 0
        if let first = all.first, case .literal(.string) = first.unparenthesized.kind { skip = 1 }
        let args = all[skip...]
        func value(_ i: Int) -> Double? { constant(all[skip + i]) }
        switch call.upperName {
        case "CIRCLE":
            if args.count == 2, let (lonE, latE) = pointArguments(all[skip]),
                let lon = constant(lonE), let lat = constant(latE), let r = value(1)
            {
                return .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: r))
            }
            guard args.count == 3, let lon = value(0), let lat = value(1), let r = value(2) else { return nil }
            return .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: r))
        case "BOX":
            guard args.count == 4, let lon = value(0), let lat = value(1), let width = value(2), let height = value(3)
            else { return nil }
            return .box(SkyBox(centerLon: lon, centerLat: lat, width: width, height: height))
        case "POLYGON":
            var values: [Double] = []
            for a in args {
                if let (lonE, latE) = pointArguments(a), let lon = constant(lonE), let lat = constant(latE) {
                    values += [lon, lat]
                } else if let v = constant(a) {
                    values.append(v)
                } else {
                    return nil
                }
            }
            return polygon(values)
        default:
            return nil
        }
    }

    func polygon(_ values: [Double]) -> SkyRegion? {
        guard values.count >= 6, values.count % 2 == 0 else { return nil }
        let vertices = stride(from: 0, to: values.count, by: 2).map { (values[$0], values[$0 + 1]) }
        guard let p = try? SkyPolygon(vertices: vertices) else { return nil }
        return .polygon(p)
    }

    /// CONTAINS(POINT(lon, lat), shape), INTERSECTS(...), scisql_s2PtIn*(lon, lat, ...).
    func pointInRegion(_ e: Expression) -> SkyRegion? {
        guard case .function(let call) = e.kind else { return nil }
        switch call.upperName {
        case "CONTAINS", "INTERSECTS":
            let a = call.arguments
            guard a.count == 2 else { return nil }
            func shape(point p: Expression, in s: Expression) -> SkyRegion? {
                guard let (lon, lat) = pointArguments(p), isDirectorPosition(lon, lat) else { return nil }
                return constantShape(s)
            }
            // CONTAINS(point, shape); INTERSECTS either way round.
            if let found = shape(point: a[0], in: a[1]) { return found }
            return call.upperName == "INTERSECTS" ? shape(point: a[1], in: a[0]) : nil
        case "SCISQL_S2PTINCIRCLE":
            let a = call.arguments
            guard a.count == 5, isDirectorPosition(a[0], a[1]),
                let lon = constant(a[2]), let lat = constant(a[3]), let r = constant(a[4])
            else { return nil }
            return .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: r))
        case "SCISQL_S2PTINBOX":
            let a = call.arguments
            guard a.count == 6, isDirectorPosition(a[0], a[1]),
                let lonMin = constant(a[2]), let latMin = constant(a[3]),
                let lonMax = constant(a[4]), let latMax = constant(a[5])
            else { return nil }
            return .box(
                SkyBox(
                    lonMin: SkyAngle.normalizedLongitude(lonMin), lonMax: SkyAngle.normalizedLongitude(lonMax),
                    latMin: latMin, latMax: latMax))
        case "SCISQL_S2PTINCPOLY":
            let a = call.arguments
            guard a.count >= 8, isDirectorPosition(a[0], a[1]) else { return nil }
            let values = a.dropFirst(2).compactMap(constant)
            guard values.count == a.count - 2 else { return nil }
            return polygon(Array(values))
        default:
            return nil
        }
    }

    /// DISTANCE(POINT(lon, lat), POINT(c1, c2)), DISTANCE(lon, lat, c1, c2) or
    /// scisql_angSep(lon, lat, c1, c2) with constant centre → the centre.
    func distanceCenter(_ e: Expression) -> (Double, Double)? {
        guard case .function(let call) = e.kind else { return nil }
        var pairs: [((Expression, Expression), (Expression, Expression))] = []
        switch call.upperName {
        case "DISTANCE" where call.arguments.count == 2:
            guard let p = pointArguments(call.arguments[0]), let q = pointArguments(call.arguments[1]) else { return nil }
            pairs = [(p, q), (q, p)]
        case "DISTANCE" where call.arguments.count == 4, "SCISQL_ANGSEP":
            guard call.arguments.count == 4 else { return nil }
            let a = call.arguments
            pairs = [((a[0], a[1]), (a[2], a[3])), ((a[2], a[3]), (a[0], a[1]))]
        default:
            return nil
        }
        for (position, center) in pairs where isDirectorPosition(position.0, position.1) {
            if let lon = constant(center.0), let lat = constant(center.1) { return (lon, lat) }
        }
        return nil
    }

    /// The value of a constant numeric expression, when it is a finite number (an infinite or
    /// NaN value, from an overflowing literal or arithmetic, prunes nothing).
    func constant(_ e: Expression) -> Double? {
        if case .literal(.boolean(let b)) = e.unparenthesized.kind { return b ? 1 : 0 }
        guard let v = ConstantFolding.number(e), v.isFinite else { return nil }
        return v
    }

    // MARK: Director key predicates

    /// The director whose key `e` is: a director's key column, or a child's foreign key to
    /// its director.
    func directorKey(_ e: Expression) -> String? {
        guard case .column(let name) = e.unparenthesized.kind, name.parts.count == 2,
            let i = tables.firstIndex(where: { $0.correlation == name.parts[0].name })
        else { return nil }
        let info = tables[i].info
        switch info.partitioning {
        case .director(let spec): return name.parts[1].name == spec.keyColumn ? info.name : nil
        case .child(let director, let foreignKey): return name.parts[1].name == foreignKey ? director : nil
        case .replicated: return nil
        }
    }

    func integerConstant(_ e: Expression) -> Int64? {
        switch e.unparenthesized.kind {
        case .literal(.integer(let v)): return v
        case .unary(.minus, let x):
            // -Int64.min does not exist: such a key prunes nothing.
            guard let v = integerConstant(x), v != .min else { return nil }
            return -v
        default: return nil
        }
    }

    func keyChunks(_ e: Expression, into found: inout Pruning) throws -> ChunkSet? {
        guard let index = directorIndex else { return nil }
        switch e.kind {
        case .binary(.equal, let a, let b):
            if let d = directorKey(a), let v = integerConstant(b) { return try lookup([v], d) }
            if let d = directorKey(b), let v = integerConstant(a) { return try lookup([v], d) }
        case .inList(let x, let list, negated: false):
            guard let d = directorKey(x) else { break }
            let values = list.compactMap(integerConstant)
            if values.count == list.count { return try lookup(values, d) }
        case .between(let x, let low, let high, negated: false):
            if let d = directorKey(x), let lo = integerConstant(low), let hi = integerConstant(high) {
                let set = try index.chunks(forKeysBetween: lo, and: hi, of: d)
                found.notes.append(.text("director-index: \(note(d))key range \(lo)...\(hi) → \(set.count) chunk(s)"))
                return .some(set)
            }
        default:
            break
        }
        return nil

        func lookup(_ keys: [Int64], _ director: String) throws -> ChunkSet {
            let set = try index.chunks(forKeys: keys, of: director)
            found.notes.append(.text("director-index: \(note(director))\(keys.count) key(s) → \(set.count) chunk(s)"))
            return .some(set)
        }
        // The plan names the index when it is not the catalog's first director's (golden
        // plans of the main family read as before).
        func note(_ director: String) -> String {
            director == mainDirector ? "" : "\(director) "
        }
    }
}
