import ADQL
import Catalog
import Sky
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks up which chunks hold director rows with given keys (the objectId → chunk index).
public protocol DirectorIndex: Sendable {
    func chunks(forKeys keys: [Int64]) throws -> Set<Int>
    func chunks(forKeysBetween low: Int64, and high: Int64) throws -> Set<Int>
}

/// Turns a bound ADQL SELECT into a `DistributedPlan` through ordered, named passes.
public struct QueryPlanner: Sendable {
    public let catalog: CatalogDescription
    public let chunker: Chunker
    public let directorIndex: (any DirectorIndex)?
    public let functions: FunctionRegistry
    /// Queries that touch at most this many chunks run in the interactive lane.
    public var interactiveChunkLimit = 8
    /// Above this many estimated rows a one-chunk box runs as two statements on its zones'
    /// halves (`latitudeBand`), so that both cores work on it: set where reading the rows costs
    /// far more than preparing and running a second statement.
    public var zoneSplitRows = 4000
    /// Rows a coordinator plan may materialize in total before the query is refused.
    public var coordinatorRowLimit = 5_000_000

    let columnIndex: ColumnIndex
    /// The catalog's chunks, computed once rather than per query.
    let allChunks: Set<Int>
    let allChunksSorted: [Int]
    /// One binder per planner (a class: the binder's closures capture a reference, not a copy).
    let binder: Binder
    /// The integer literal of every zone of the sky (with a zone index), made once: a band
    /// lists up to `ZoneIndex.maxZones` of them, each a new node per plan otherwise.
    let zoneLiterals: [Expression]

    public init(catalog: CatalogDescription, directorIndex: (any DirectorIndex)?, functions: FunctionRegistry = .standard) {
        self.catalog = catalog
        self.chunker = Chunker(
            numStripes: catalog.chunking.numStripes,
            numSubStripesPerStripe: catalog.chunking.numSubStripesPerStripe)
        self.directorIndex = directorIndex
        self.functions = functions
        self.columnIndex = ColumnIndex(catalog)
        self.allChunks = Set(catalog.chunkRowCounts.keys)
        self.allChunksSorted = allChunks.sorted()
        self.binder = Binder(catalog: catalog, functions: functions, columnIndex: columnIndex)
        let zones = catalog.zonesPerDegree.map { 180 * Int64($0) } ?? -1
        self.zoneLiterals = zones < 0 ? [] : (0...zones).map { Expression(.literal(.integer($0))) }
    }

    /// The plan of any query: scatter-gather with a merge when the query distributes,
    /// otherwise a coordinator plan built from distributed parts.
    public func plan(_ query: Query) throws -> QueryPlan {
        // One walk finds both whether regions need folding and whether there is a sub-query
        // (folding creates none), instead of one walk each.
        // (For a single SELECT; `checkDistributable` looks at the select's expressions and the
        // top node of each ORDER BY item, and so does this.)
        var folding = false, subquery: Bool?
        if query.with.isEmpty, case .select(let select) = query.body {
            var found = false
            // The select list, WHERE, GROUP BY and HAVING by direct recursion (the generic
            // walk's visitor closure cost more than the tests); FROM (join conditions, derived
            // tables) through the walk.
            for i in select.items.indices {
                if case .expression(let e, _) = select.items[i] { Self.scan(e, folding: &folding, subquery: &found) }
            }
            for t in select.from {
                t.walkExpressions { e in
                    if !folding && RegionFolding.startsFolding(e) { folding = true }
                    if !found && e.isSubqueryNode { found = true }
                    return !(folding && found)
                }
            }
            if let w = select.whereClause { Self.scan(w, folding: &folding, subquery: &found) }
            for e in select.groupBy { Self.scan(e, folding: &folding, subquery: &found) }
            if let h = select.having { Self.scan(h, folding: &folding, subquery: &found) }
            for item in query.orderBy {
                if item.expression.isSubqueryNode { found = true }
                if !folding { folding = item.expression.contains(intoSubqueries: true, where: RegionFolding.startsFolding) }
            }
            subquery = found
        }
        // Not a single SELECT: `fold` looks for nodes to fold itself.
        let query = subquery == nil ? try Self.foldRegions(query) : folding ? try Self.foldRegions(query, needed: true) : query
        do {
            return .distributed(try planDistributed(folded: query, hasSubquery: subquery))
        } catch let reason as NotDistributable {
            var plan = try CoordinatorPlanner.plan(query, planner: self)
            plan.passes.insert("coordinator: \(reason.reason)", at: 0)
            return .coordinated(plan)
        }
    }

    /// Sets `folding` if `e` or a node below it (sub-queries included) starts region folding,
    /// and `subquery` if one of them is a sub-query node; stops early once both are set.
    private static func scan(_ e: Expression, folding: inout Bool, subquery: inout Bool) {
        if !folding && RegionFolding.startsFolding(e) { folding = true }
        if e.isSubqueryNode {
            subquery = true
            // The node's operand and its query, through the walk (sub-queries are rare).
            if !folding { folding = e.contains(intoSubqueries: true, where: RegionFolding.startsFolding) }
            return
        }
        if folding && subquery { return }
        e.forEachChild { scan($0, folding: &folding, subquery: &subquery) }
    }

    /// Constant REGION strings and geometry CASTs as the constructors they stand for, and
    /// CONTAINS / INTERSECTS over compound regions expanded (see `RegionFolding`), before
    /// binding, so that chunk pruning sees them like any other shape.
    /// `needed`: the caller found a node to fold (false: `RegionFolding.fold` looks for one).
    static func foldRegions(_ query: Query, needed: Bool = false) throws -> Query {
        do {
            return try needed ? RegionFolding.foldAll(query) : RegionFolding.fold(query)
        } catch let error as SQLiteRenderError {
            throw Binder.error(error.message, at: error.range)
        }
    }

    /// The scatter-gather plan of a query that distributes; throws `NotDistributable` for one
    /// that does not.
    public func planDistributed(_ query: Query) throws -> DistributedPlan {
        try planDistributed(folded: Self.foldRegions(query))
    }

    /// `planDistributed` of a query whose regions are already folded (`plan` folds them once).
    /// `hasSubquery`: whether the query holds a sub-query, when the caller has walked it already.
    func planDistributed(folded query: Query, hasSubquery: Bool? = nil) throws -> DistributedPlan {
        try Self.checkDistributable(query, hasSubquery: hasSubquery)
        var passes: [PlanNote] = []
        passes.reserveCapacity(8)
        var bound = try binder.bind(query)
        passes.append(.bind(tables: bound.tables.count, columns: bound.outputs.count))

        let partitioned = bound.tables.filter { $0.info.isPartitioned }
        let directors = bound.tables.filter { $0.info.directorSpec != nil }
        // A self-join of the director within a distance: the second reference reads the
        // chunk's rows and its overlap rows.
        var overlapReferences: Set<String> = []
        var primary: String?
        if directors.count == 2 {
            let conditions = Self.joinConditions(bound)
            let probe = ChunkPruner(chunker: chunker, tables: bound.tables, directorIndex: nil)
            guard let radius = NearNeighbour.radius(conditions, a: directors[0], b: directors[1], pruner: probe) else {
                throw NotDistributable(
                    "the director table \(directors[0].info.name) is joined with itself without a distance bound")
            }
            guard radius <= catalog.chunking.overlap else {
                throw QueryError(
                    .limitExceeded,
                    "the near-neighbour join radius \(radius)° exceeds the catalog's overlap of \(catalog.chunking.overlap)°; pairs farther apart than the overlap cannot be found chunk by chunk"
                )
            }
            overlapReferences = [directors[1].correlation]
            primary = directors[0].correlation
            passes.append(
                .text(
                    "near-neighbour: \(directors[1].correlation) reads \(directors[1].info.name) plus its overlap rows (radius \(radius)° ≤ overlap \(catalog.chunking.overlap)°)"
                ))
            // Two positions closer than r differ by less than r in latitude: this window is
            // implied, and lets the second reference read its latitude index instead of
            // every row of the chunk and its overlap for each row of the first.
            if let spec = directors[0].info.directorSpec {
                let lat1 = Expression.column(directors[0].correlation, spec.latColumn)
                let lat2 = Expression.column(directors[1].correlation, spec.latColumn)
                let reach = radius + 1e-9
                let r = Expression(.literal(.real(reach, text: "\(reach)")))
                let window = Expression(
                    .between(
                        lat2, low: Expression(.binary(.subtract, lat1, r)), high: Expression(.binary(.add, lat1, r)),
                        negated: false))
                bound.statement.whereClause = Expression.and([bound.statement.whereClause, window].compactMap { $0 })
                passes.append(
                    .text(
                        "near-neighbour-window: \(directors[1].correlation).\(spec.latColumn) within \(radius)° of \(directors[0].correlation).\(spec.latColumn)"
                    ))
            }
        } else if directors.count > 2 {
            throw NotDistributable("the director table \(directors[0].info.name) is referenced more than twice")
        }
        // An outer join that keeps the unmatched rows of a replicated table would emit them
        // once per chunk: such joins are finished at the coordinator.
        if !partitioned.isEmpty, Self.outerJoinPreservesReplicated(bound) {
            throw NotDistributable("an outer join keeps unmatched rows of a replicated table")
        }
        // Joins between partitioned tables must be on the director key inside one chunk.
        try checkPartitionedJoins(
            bound, partitioned: partitioned,
            nearNeighbour: overlapReferences.isEmpty ? nil : (directors[0].correlation, directors[1].correlation))

        // Chunk selection.
        var target: PlanTarget
        var conjunctRegions: [SkyRegion]?
        if partitioned.isEmpty {
            target = .replicated
            passes.append(.text("replicated-only: run once on the replicated tables"))
        } else {
            let all = allChunks
            var chunkSet = ChunkSet.all
            if let whereClause = bound.statement.whereClause {
                // In a near-neighbour join only the first reference decides the chunks: the
                // second one's rows may come from a neighbour's overlap.
                let pruner = ChunkPruner(
                    chunker: chunker,
                    tables: bound.tables.filter { primary == nil || $0.correlation == primary || $0.info.directorSpec == nil },
                    directorIndex: directorIndex)
                let pruning = try pruner.prune(whereClause)
                chunkSet = pruning.chunks
                passes += pruning.notes
                // With one director among its tables, the pruner's regions of the top-level
                // conjuncts are exactly those of the latitude band's director.
                if pruner.tables.lazy.filter({ $0.info.directorSpec != nil }).count == 1 {
                    conjunctRegions = pruning.topLevelRegions
                }
            }
            let kept: [Int]
            switch chunkSet {
            case .all: kept = allChunksSorted
            case .some(let ids): kept = ids.intersection(all).sorted()
            }
            if kept.count < all.count {
                passes.append(.chunksKept(kept.count, of: all.count))
            }
            target = .chunks(kept)
        }

        var oneChunk: Int?
        if case .chunks(let ids) = target, ids.count == 1 { oneChunk = ids[0] }
        let banded = latitudeBand(bound, primary: primary, regions: conjunctRegions, halvesFor: oneChunk)
        let halves = banded?.halves ?? []
        let unbanded = bound
        if let band = banded?.band {
            // First: SQLite tests a loop's remaining terms in the order written, so the index's
            // cheap longitude window rejects entries before a geometry function sees them.
            bound.statement.whereClause = Expression.and([band, bound.statement.whereClause].compactMap { $0 })
            passes.append(
                .text(
                    "latitude-band: the region's declination band (and longitude window, and zones) added for the chunk indexes"))
        }
        let split = try MergeRewriter(bound: bound).rewrite()
        for pass in split.passes { passes.append(.text(pass)) }
        var mapper = TableMapper(tables: bound.tables)
        mapper.overlapCorrelations = overlapReferences
        let chunkSQL = try SQLGeneration.render(split.chunkQuery, tables: mapper)
        // A dense one-chunk box or cone: its zones in parts, one statement each, on both cores.
        // The chunk query keeps the band as the first term of its WHERE clause: each part's
        // statement is that query with the part's band in its place (the merge rewrite is not
        // repeated); otherwise the part's query is rewritten from the bound statement.
        var parts: [String] = []
        for half in halves {
            if let band = banded?.band, case .select(var chunkSelect) = split.chunkQuery.body,
                let whereClause = chunkSelect.whereClause, case .binary(.and, let first, let rest) = whereClause.kind,
                first == band
            {
                chunkSelect.whereClause = Expression(.binary(.and, half, rest), range: whereClause.range)
                var query = split.chunkQuery
                query.body = .select(chunkSelect)
                parts.append(try SQLGeneration.render(query, tables: mapper))
                continue
            }
            var b = unbanded
            b.statement.whereClause = Expression.and([half, b.statement.whereClause].compactMap { $0 })
            parts.append(try SQLGeneration.render(try MergeRewriter(bound: b).rewrite().chunkQuery, tables: mapper))
        }
        if !parts.isEmpty {
            passes.append(
                .text("zone-split: the chunk's box holds many rows; its zones run as \(parts.count) statements at once"))
        }
        let merge: MergeStep
        switch split.merge {
        case .concatenate(let limit, let offset): merge = .concatenate(limit: limit, offset: offset)
        case .query(let mergeQuery, let columns):
            merge = .mergeSQL(sql: try SQLGeneration.render(mergeQuery, tables: .merge), mergeColumns: columns)
        }
        let chunkCount: Int
        switch target {
        case .chunks(let ids): chunkCount = ids.count
        case .replicated: chunkCount = 1
        }
        var plan = DistributedPlan(
            fields: bound.outputs.map(\.field), notes: passes, chunkSQL: chunkSQL, target: target,
            totalChunks: catalog.chunkRowCounts.count, merge: merge,
            interactive: chunkCount <= interactiveChunkLimit, chunkSQLParts: parts)
        plan.topKBound = split.topKBound
        return plan
    }

    /// `lat BETWEEN a AND b` for the band of the regions that top-level conjuncts confine the
    /// director's position to: implied by the WHERE clause, so adding it changes no answer, and
    /// it lets each chunk read its latitude index instead of every row. `regions`: those
    /// regions when the chunk pruning has already found them.
    ///
    /// With `halvesFor` a chunk whose part of the box holds more than `zoneSplitRows` rows (by
    /// the chunk's row count and the box's share of a chunk's area), also the box's zones cut
    /// in two: two band expressions whose rows are disjoint and together the band's.
    func latitudeBand(
        _ bound: BoundSelect, primary: String?, regions known: [SkyRegion]? = nil, halvesFor chunk: Int? = nil
    ) -> (band: Expression, halves: [Expression])? {
        guard let whereClause = bound.statement.whereClause,
            let director = bound.tables.first(where: {
                $0.info.directorSpec != nil && (primary == nil || $0.correlation == primary)
            }),
            let spec = director.info.directorSpec
        else { return nil }
        let regions =
            known
            ?? {
                let pruner = ChunkPruner(chunker: chunker, tables: [director], directorIndex: nil)
                return whereClause.conjuncts.compactMap { pruner.region(of: $0.unparenthesized) }
            }()
        var low = -90.0, high = 90.0
        // The longitude window of the regions whose bounding box neither wraps through 0/360
        // nor touches it (a position stored as 360 is longitude 0): each such box implies it.
        var west = -Double.infinity, east = Double.infinity
        let edge = 1e-6
        for region in regions {
            let box = region.boundingBox
            low = max(low, box.latMin)
            high = min(high, box.latMax)
            if box.lonMin <= box.lonMax, box.lonMin > edge, box.lonMax < 360 - edge {
                west = max(west, box.lonMin)
                east = min(east, box.lonMax)
            }
        }
        // Regions that only touch (within the boundary tolerance) can leave a band inverted by
        // rounding: no band then, which is always correct (the band only narrows the reading).
        guard low.isFinite, high.isFinite, low <= high else { return nil }
        guard low > -90 || high < 90 else { return nil }
        // Reading a quarter of a stripe's rows or more through the index costs more than
        // scanning the chunk: only narrow bands are worth it, or a band with a longitude window
        // whose box is at most half a chunk's area (the index then fetches only the box's rows;
        // in degrees of longitude, a chunk spans at least a stripe's height).
        let stripeHeight = 180.0 / Double(catalog.chunking.numStripes)
        let hasWindow = west.isFinite && east.isFinite && west <= east
        let boxArea = hasWindow ? (high - low) * (east - west) : .infinity
        guard high - low < stripeHeight / 4 || boxArea < stripeHeight * stripeHeight / 2 else { return nil }
        // A margin well below any position's precision keeps rounding at the band's edge safe.
        let margin = 1e-9
        let lat = Expression.column(director.correlation, spec.latColumn)
        func number(_ v: Double) -> Expression { Expression(.literal(.real(v, text: "\(v)"))) }
        // (Made only where it is used: with a zone index the zones stand for it.)
        func band() -> Expression {
            Expression(.between(lat, low: number(low - margin), high: number(high + margin), negated: false))
        }
        // With the longitude window as well, the chunk's (lat, lon) index answers both ranges
        // before any row is read: only the region's bounding box is fetched.
        guard hasWindow else { return (band(), []) }
        let lon = Expression.column(director.correlation, spec.lonColumn)
        let window = Expression(.between(lon, low: number(west - margin), high: number(east + margin), negated: false))
        // With a zone index, the band's zones instead of the band: each zone is read only
        // inside the window. (Not the band as well: SQLite would be free to read the band
        // through the (lat, lon) index again, and on small files it does. The region's own
        // test, decided from the zone index's columns, does the band's filtering.)
        if let perDegree = catalog.zonesPerDegree {
            let first = ZoneIndex.zone(of: low - margin, zonesPerDegree: perDegree)
            let last = ZoneIndex.zone(of: high + margin, zonesPerDegree: perDegree)
            if last - first < Int64(ZoneIndex.maxZones) {
                func zones(_ range: ClosedRange<Int64>, window: Expression = window) -> Expression {
                    let list = Expression(
                        .inList(
                            ZoneIndex.expression(latitude: lat, zonesPerDegree: perDegree),
                            range.map { zone in
                                zone >= 0 && zone < zoneLiterals.count
                                    ? zoneLiterals[Int(zone)] : Expression(.literal(.integer(zone)))
                            }, negated: false))
                    return Expression.and([list, window])!
                }
                var halves: [Expression] = []
                if let chunk, last > first, let rows = catalog.chunkRowCounts[chunk] {
                    let middleLatitude: Double = (low + high) / 2 * .pi / 180
                    let sky: Double = (high - low) * (east - west) * cos(middleLatitude)
                    if Double(rows) * sky / (stripeHeight * stripeHeight) > Double(zoneSplitRows) {
                        let circles = regions.compactMap { region -> SkyCircle? in
                            if case .circle(let circle) = region { return circle }
                            return nil
                        }
                        if circles.isEmpty {
                            let middle = first + (last - first + 1) / 2
                            halves = [zones(first...(middle - 1)), zones(middle...last)]
                        } else {
                            halves = circleParts(
                                first...last, circles: circles, west: west, east: east,
                                perDegree: perDegree, margin: margin
                            ).map { part in
                                zones(
                                    part.zones,
                                    window: Expression(
                                        .between(
                                            lon, low: number(part.west), high: number(part.east), negated: false)))
                            }
                        }
                    }
                }
                return (zones(first...last), halves)
            }
        }
        return (Expression(.binary(.and, band(), window)), [])
    }

    /// Most statements a dense one-chunk cone runs as (`circleParts`).
    public var maxCircleParts = 8

    /// A dense cone's zones cut into runs of consecutive zones, each with the longitude window
    /// of the circles' parts in its zones (`SkyCircle.longitudeHalfWidth`) within the box's
    /// [`west`, `east`]. One window for all zones reads the whole bounding box, of which the
    /// circle covers π/4; a window per run of 4 zones skips most of the box's corners.
    /// Runs whose zones hold no point of some circle are left out (none of their rows can be in
    /// the answer). Windows are widened by `margin`, as the box's is.
    public func circleParts(
        _ zones: ClosedRange<Int64>, circles: [SkyCircle], west: Double, east: Double,
        perDegree: Int, margin: Double
    ) -> [(zones: ClosedRange<Int64>, west: Double, east: Double)] {
        let count = zones.count
        let parts = min(maxCircleParts, max(2, count / 4))
        var out: [(zones: ClosedRange<Int64>, west: Double, east: Double)] = []
        for k in 0..<parts {
            let lower = zones.lowerBound + Int64(k * count / parts)
            let upper = zones.lowerBound + Int64((k + 1) * count / parts) - 1
            guard lower <= upper else { continue }
            // Zone z holds latitudes from z / perDegree − 90 up to (z + 1) / perDegree − 90.
            let bottom = Double(lower) / Double(perDegree) - 90 - margin
            let top = Double(upper + 1) / Double(perDegree) - 90 + margin
            var w = west, e = east
            var empty = false
            for circle in circles {
                guard let half = circle.longitudeHalfWidth(latitudesFrom: bottom, to: top) else {
                    empty = true
                    break
                }
                w = max(w, circle.centerLon - half)
                e = min(e, circle.centerLon + half)
            }
            if empty || w > e { continue }
            out.append((lower...upper, w - margin, e + margin))
        }
        return out
    }

    /// The distributed planner handles one SELECT block over catalog tables; other shapes are
    /// planned by the coordinator on top of it.
    static func checkDistributable(_ query: Query, hasSubquery known: Bool? = nil) throws {
        guard query.with.isEmpty else { throw NotDistributable("WITH") }
        guard case .select(let select) = query.body else { throw NotDistributable("set operation") }
        func hasDerived(_ ref: TableReference) -> Bool {
            switch ref {
            case .table: false
            case .derived: true
            case .join(let j): hasDerived(j.left) || hasDerived(j.right)
            }
        }
        if select.from.contains(where: hasDerived) { throw NotDistributable("derived table") }
        var hasSubquery = known ?? false
        if known == nil {
            select.walkExpressions { e in
                if e.isSubqueryNode { hasSubquery = true }
                return !hasSubquery
            }
            for item in query.orderBy where item.expression.isSubqueryNode { hasSubquery = true }
        }
        if hasSubquery { throw NotDistributable("sub-query") }
    }

    /// Partitioned tables joined in one statement must be linked by their keys (director key =
    /// child foreign key), so that every pair of joined rows lies in one chunk.
    /// Whether some LEFT / RIGHT / FULL join keeps the unmatched rows of a side that holds only
    /// replicated tables while the other side holds a partitioned one.
    static func outerJoinPreservesReplicated(_ bound: BoundSelect) -> Bool {
        func tables(_ ref: TableReference) -> [TableInfo] {
            switch ref {
            case .table(_, let alias, _):
                return bound.tables.filter { $0.correlation == alias?.name }.map(\.info)
            case .derived: return []
            case .join(let j): return tables(j.left) + tables(j.right)
            }
        }
        func check(_ ref: TableReference) -> Bool {
            guard case .join(let j) = ref else { return false }
            if check(j.left) || check(j.right) { return true }
            let left = tables(j.left), right = tables(j.right)
            let leftReplicatedOnly = !left.isEmpty && left.allSatisfy { !$0.isPartitioned }
            let rightReplicatedOnly = !right.isEmpty && right.allSatisfy { !$0.isPartitioned }
            let leftPartitioned = left.contains { $0.isPartitioned }
            let rightPartitioned = right.contains { $0.isPartitioned }
            switch j.kind {
            case .left: return leftReplicatedOnly && rightPartitioned
            case .right: return rightReplicatedOnly && leftPartitioned
            case .full: return (leftReplicatedOnly && rightPartitioned) || (rightReplicatedOnly && leftPartitioned)
            case .inner, .cross: return false
            }
        }
        return bound.statement.from.contains(where: check)
    }

    static func joinConditions(_ bound: BoundSelect) -> [Expression] {
        var conditions: [Expression] = bound.statement.whereClause?.conjuncts ?? []
        func collect(_ ref: TableReference) {
            guard case .join(let j) = ref else { return }
            collect(j.left)
            collect(j.right)
            if case .on(let e)? = j.condition { conditions += e.conjuncts }
        }
        bound.statement.from.forEach(collect)
        return conditions
    }

    private func checkPartitionedJoins(
        _ bound: BoundSelect, partitioned: [BoundTable], nearNeighbour: (String, String)?
    ) throws {
        guard partitioned.count > 1 else { return }
        let directorNames = Set(
            partitioned.compactMap { table -> String? in
                switch table.info.partitioning {
                case .director: table.info.name
                case .child(let director, _): director
                case .replicated: nil
                }
            })
        if directorNames.count > 1 {
            throw NotDistributable("tables partitioned by different directors are joined")
        }
        // The key column of each partitioned reference.
        func keyColumn(_ t: BoundTable) -> String? {
            switch t.info.partitioning {
            case .director(let spec): spec.keyColumn
            case .child(_, let foreignKey): foreignKey
            case .replicated: nil
            }
        }
        let conditions = Self.joinConditions(bound)
        // Union-find over the references linked by key equalities.
        var group = Dictionary(uniqueKeysWithValues: partitioned.map { ($0.correlation, $0.correlation) })
        func find(_ x: String) -> String {
            var x = x
            while let p = group[x], p != x { x = p }
            return x
        }
        for c in conditions {
            guard case .binary(.equal, let a, let b) = c.unparenthesized.kind,
                case .column(let na) = a.unparenthesized.kind, case .column(let nb) = b.unparenthesized.kind,
                na.parts.count == 2, nb.parts.count == 2,
                let ta = partitioned.first(where: { $0.correlation == na.parts[0].name }),
                let tb = partitioned.first(where: { $0.correlation == nb.parts[0].name }),
                keyColumn(ta) == na.parts[1].name, keyColumn(tb) == nb.parts[1].name
            else { continue }
            group[find(ta.correlation)] = find(tb.correlation)
        }
        if let (a, b) = nearNeighbour { group[find(a)] = find(b) }
        let roots = Set(partitioned.map { find($0.correlation) })
        if roots.count > 1 {
            throw NotDistributable("partitioned tables are joined without equality of their keys")
        }
    }
}

/// Why a query is not answered as one chunk statement and a merge.
public struct NotDistributable: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// The tables a query's SQL names, mapped to where they live in a chunk file.
struct TableMapper: Sendable {
    var tables: [BoundTable]
    /// Director references that read the chunk's rows and its overlap rows.
    var overlapCorrelations: Set<String> = []

    static let merge = TableMapper(tables: [])

    func sqlName(schema: String, table: String) -> String {
        if tables.isEmpty { return "\"merge\"" }
        guard let info = tables.first(where: { $0.info.schema == schema && $0.info.name == table })?.info else {
            return SQLGeneration.quote(table)
        }
        if info.isPartitioned { return SQLGeneration.quote(info.name) }
        // Replicated tables live in attached databases: TAP_SCHEMA in its own, the catalog's
        // small tables in `replicated`.
        let database = info.schema == TapSchema.schemaName ? TapSchema.schemaName : "replicated"
        return SQLGeneration.quote(database) + "." + SQLGeneration.quote(info.name)
    }
}
