import ADQL
import Catalog
import Sky

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension QueryPlanner {
    /// A query with its latitude band (`latitudeBand`), the first term of its WHERE clause.
    struct BandedQuery {
        var pruned: PrunedQuery
        var band: Expression?
        /// The band cut into parts whose rows are disjoint (a dense one-chunk box or cone), each
        /// run as its own statement; empty: one statement.
        var parts: [Expression]
        /// The WHERE clause before the band was added.
        var unbandedWhere: Expression?
    }

    /// Pass `latitudeBand`: the band (and longitude window, and zones) of the regions the
    /// WHERE clause confines the director's position to, as the first term of the WHERE clause
    /// for the chunk indexes (`regionBand`); for a dense one-chunk box or cone, also its zones
    /// in parts, each run as its own statement.
    func latitudeBand(_ pruned: consuming PrunedQuery) -> BandedQuery {
        var oneChunk: Int?
        if case .chunks(let ids) = pruned.target, ids.count == 1 { oneChunk = ids[0] }
        let unbandedWhere = pruned.query.bound.statement.whereClause
        let banded = regionBand(
            pruned.query.bound, excluding: pruned.query.overlapReads, regions: pruned.regions, halvesFor: oneChunk)
        if let band = banded?.band {
            // First: SQLite tests a loop's remaining terms in the order written, so the index's
            // cheap longitude window rejects entries before a geometry function sees them.
            pruned.query.bound.statement.whereClause = Expression.and([band, unbandedWhere].compactMap { $0 })
            pruned.query.notes.append(
                .text(
                    "latitude-band: the region's declination band (and longitude window, and zones) added for the chunk indexes"
                ))
        }
        return BandedQuery(pruned: pruned, band: banded?.band, parts: banded?.halves ?? [], unbandedWhere: unbandedWhere)
    }

    /// `lat BETWEEN a AND b` for the band of the regions that top-level conjuncts confine the
    /// director's position to: implied by the WHERE clause, so adding it changes no answer, and
    /// it lets each chunk read its latitude index instead of every row. `regions`: those
    /// regions when the chunk pruning has already found them.
    ///
    /// With `halvesFor` a chunk whose part of the box holds more than `zoneSplitRows` rows (by
    /// the chunk's row count and the box's share of a chunk's area), also the box's zones cut
    /// into parts (a box in two, a cone by `circleParts`): band expressions whose rows are
    /// disjoint and together the band's (a cone's parts leave out rows outside the circle).
    func regionBand(
        _ bound: BoundSelect, excluding overlapReads: Set<String>, regions known: [SkyRegion]? = nil,
        halvesFor chunk: Int? = nil
    ) -> (band: Expression, halves: [Expression])? {
        guard let whereClause = bound.statement.whereClause,
            let director = bound.tables.first(where: {
                $0.info.directorSpec != nil && !overlapReads.contains($0.correlation)
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
}
