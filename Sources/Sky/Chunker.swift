#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// Where a row goes: its chunk and sub-chunk, and whether this is an overlap copy.
public struct ChunkLocation: Sendable, Hashable, CustomStringConvertible {
    public var chunkId: Int
    public var subChunkId: Int
    public var isOverlap: Bool

    public init(chunkId: Int, subChunkId: Int, isOverlap: Bool = false) {
        self.chunkId = chunkId; self.subChunkId = subChunkId; self.isOverlap = isOverlap
    }

    public var description: String { "(\(chunkId), \(subChunkId)\(isOverlap ? ", overlap" : ""))" }
}

/// The Qserv sky partitioning: latitude stripes split into chunks, each split into sub-stripes and
/// sub-chunks. Chunk and sub-chunk ids are those of lsst.sphgeom's `Chunker` and the Qserv
/// partitioner (`sph-partition`):
///
/// - stripe height H = 180°/numStripes; sub-stripe height h = H/numSubStripesPerStripe;
/// - a stripe has `segments(lat range, H)` chunks: the largest n such that chunks 360°/n wide are at least
///   H apart (angularly) everywhere in the stripe; a sub-stripe has `segments(…, h) / nc` sub-chunks per chunk;
/// - `chunkId = stripe · 2 · numStripes + chunk`,
///   `subChunkId = (subStripe − stripe · numSubStripesPerStripe) · maxSubChunksPerSubStripeChunk + (subChunk − chunk · nsc)`.
///
/// The layout (chunk counts) is computed in radians exactly as sphgeom does (verified equal to the
/// partitioner's degree-based computation for all the usual configurations). Point location follows the
/// partitioner's `Chunker::locate` arithmetic (degrees), so ids match rows partitioned by Qserv; points
/// within ~1e-12° of a boundary may go to either side in other implementations (sphgeom dilates its
/// chunk boxes by 5e-12 rad for exactly that reason).
public struct Chunker: Sendable, Hashable {
    public let numStripes: Int
    public let numSubStripesPerStripe: Int
    public let numSubStripes: Int
    /// The maximum number of sub-chunks per chunk in any one sub-stripe (sphgeom's `_maxSubChunksPerSubStripeChunk`).
    public let maxSubChunksPerSubStripeChunk: Int

    @usableFromInline struct SubStripe: Sendable {
        /// Sub-chunk width in degrees (360 / (nsc · nc)).
        @usableFromInline let subChunkWidth: Double
        /// Sub-chunks per chunk in this sub-stripe.
        @usableFromInline let numSubChunksPerChunk: Int
        /// Chunks in the stripe of this sub-stripe.
        @usableFromInline let numChunks: Int

        /// The sub-chunk, counted along the whole sub-stripe, that holds longitude `lon` ∈ [0, 360).
        @inlinable func subChunk(ofLon lon: Double) -> Int {
            let count = numChunks * numSubChunksPerChunk
            let sc = Int(floor(lon / subChunkWidth))
            return sc >= count ? count - 1 : (sc < 0 ? 0 : sc)
        }
    }

    /// Sub-stripe height in degrees (180 / numSubStripes).
    @usableFromInline let subStripeHeight: Double
    /// Chunks per stripe, by stripe.
    @usableFromInline let chunksPerStripe: [Int]
    /// By sub-stripe.
    @usableFromInline let subStripes: [SubStripe]

    /// Creates the chunker. `numStripes ≥ 1`, `numSubStripesPerStripe ≥ 1`, product ≤ 180·3600
    /// (a precondition, as for sphgeom which throws; use `init(validatingStripes:subStripes:)` to get an error).
    public init(numStripes: Int, numSubStripesPerStripe: Int) {
        precondition(
            Self.isValid(numStripes: numStripes, numSubStripesPerStripe: numSubStripesPerStripe),
            "Chunker: need numStripes ≥ 1, numSubStripesPerStripe ≥ 1 and product ≤ 648000")
        self.numStripes = numStripes
        self.numSubStripesPerStripe = numSubStripesPerStripe
        let nSS = numStripes * numSubStripesPerStripe
        self.numSubStripes = nSS
        self.subStripeHeight = 180.0 / Double(nSS)

        // Layout, in radians, with sphgeom's arithmetic.
        let pi = Double.pi
        let stripeHeightR = pi / Double(numStripes)
        let subStripeHeightR = pi / Double(nSS)
        var chunks: [Int] = []
        chunks.reserveCapacity(numStripes)
        var subs: [SubStripe] = []
        subs.reserveCapacity(nSS)
        var maxNsc = 0
        for s in 0..<numStripes {
            let nc = Self.segments(
                latA: Double(s) * stripeHeightR - 0.5 * pi,
                latB: Double(s + 1) * stripeHeightR - 0.5 * pi, width: stripeHeightR)
            chunks.append(nc)
            for ss in (s * numSubStripesPerStripe)..<((s + 1) * numSubStripesPerStripe) {
                let nsc =
                    Self.segments(
                        latA: Double(ss) * subStripeHeightR - 0.5 * pi,
                        latB: Double(ss + 1) * subStripeHeightR - 0.5 * pi,
                        width: subStripeHeightR) / nc
                maxNsc = max(maxNsc, nsc)
                subs.append(SubStripe(subChunkWidth: 360.0 / Double(nsc * nc), numSubChunksPerChunk: nsc, numChunks: nc))
            }
        }
        self.chunksPerStripe = chunks
        self.subStripes = subs
        self.maxSubChunksPerSubStripeChunk = maxNsc
    }

    /// Throwing variant of `init(numStripes:numSubStripesPerStripe:)`.
    public init(validatingStripes numStripes: Int, subStripes numSubStripesPerStripe: Int) throws {
        guard Self.isValid(numStripes: numStripes, numSubStripesPerStripe: numSubStripesPerStripe) else {
            throw SkyError.invalidStripes(numStripes: numStripes, numSubStripesPerStripe: numSubStripesPerStripe)
        }
        self.init(numStripes: numStripes, numSubStripesPerStripe: numSubStripesPerStripe)
    }

    public static func isValid(numStripes: Int, numSubStripesPerStripe: Int) -> Bool {
        numStripes >= 1 && numSubStripesPerStripe >= 1 && numStripes <= 180 * 3600
            && numSubStripesPerStripe <= 180 * 3600 && numStripes * numSubStripesPerStripe <= 180 * 3600
    }

    /// Number of segments of width ≥ `width` (radians) such that points of a latitude band
    /// [latA, latB] (radians) in non-adjacent segments are at least `width` apart (sphgeom's computeNumSegments).
    static func segments(latA: Double, latB: Double, width: Double) -> Int {
        if width > Double.pi { return 1 }
        let maxAbsLat = max(abs(latA), abs(latB))
        if maxAbsLat > 0.5 * Double.pi - 4.85e-6 { return 1 }
        let cosWidth = cos(width)
        let sinLat = sin(maxAbsLat)
        let cosLat = cos(maxAbsLat)
        let x = cosWidth - sinLat * sinLat
        let u = cosLat * cosLat
        let y = (abs(u * u - x * x)).squareRoot()
        return Int(floor(2.0 * Double.pi / abs(atan2(y, x))))
    }

    public static func == (a: Chunker, b: Chunker) -> Bool {
        a.numStripes == b.numStripes && a.numSubStripesPerStripe == b.numSubStripesPerStripe
    }

    public func hash(into h: inout Hasher) {
        h.combine(numStripes)
        h.combine(numSubStripesPerStripe)
    }

    // MARK: - Ids

    /// Stripe index of a chunk id.
    @inlinable public func stripe(ofChunk chunkId: Int) -> Int { chunkId / (2 * numStripes) }
    /// Chunk index within its stripe.
    @inlinable public func chunkIndex(ofChunk chunkId: Int) -> Int { chunkId - stripe(ofChunk: chunkId) * 2 * numStripes }
    /// Number of chunks in a stripe.
    public func numChunks(inStripe stripe: Int) -> Int { chunksPerStripe[stripe] }

    /// Whether `chunkId` names a chunk of this chunker (sphgeom's `valid`).
    public func isValid(chunkId: Int) -> Bool {
        guard chunkId >= 0 else { return false }
        let s = stripe(ofChunk: chunkId)
        return s < numStripes && chunkIndex(ofChunk: chunkId) < chunksPerStripe[s]
    }

    /// Whether `subChunkId` names a sub-chunk of the (valid) chunk.
    public func isValid(chunkId: Int, subChunkId: Int) -> Bool {
        guard isValid(chunkId: chunkId), subChunkId >= 0 else { return false }
        let y = subChunkId / maxSubChunksPerSubStripeChunk, x = subChunkId % maxSubChunksPerSubStripeChunk
        guard y < numSubStripesPerStripe else { return false }
        return x < subStripes[stripe(ofChunk: chunkId) * numSubStripesPerStripe + y].numSubChunksPerChunk
    }

    // MARK: - Point location (ingest hot path: no allocation)

    /// The chunk and sub-chunk containing (lon, lat) in degrees; lon is range-reduced, lat clamped.
    /// Returns (-1, -1) for NaN coordinates.
    @inlinable public func location(lon: Double, lat: Double) -> (chunkId: Int, subChunkId: Int) {
        guard let point = place(lon: lon, lat: lat) else { return (-1, -1) }
        let ss = point.subStripe
        let stripe = ss / numSubStripesPerStripe
        let info = subStripes[ss]
        let nsc = info.numSubChunksPerChunk
        let sc = info.subChunk(ofLon: point.lon)
        let chunk = sc / nsc
        return (
            stripe * 2 * numStripes + chunk,
            (ss - stripe * numSubStripesPerStripe) * maxSubChunksPerSubStripeChunk + (sc - chunk * nsc)
        )
    }

    /// (lon, lat) with the longitude range-reduced and the latitude clamped, and the sub-stripe
    /// that holds them; nil for NaN coordinates.
    @inlinable func place(lon: Double, lat: Double) -> (lon: Double, lat: Double, subStripe: Int)? {
        guard !lon.isNaN, !lat.isNaN else { return nil }
        let l = (lon >= 0 && lon < 360) ? lon : SkyAngle.normalizedLongitude(lon)
        let b = lat < -90 ? -90 : (lat > 90 ? 90 : lat)
        let ss = Int(floor((b + 90.0) / subStripeHeight))
        return (l, b, ss >= numSubStripes ? numSubStripes - 1 : (ss < 0 ? 0 : ss))
    }

    /// The chunk containing (lon, lat) in degrees (same rules as `location`).
    @inlinable public func chunkId(lon: Double, lat: Double) -> Int { location(lon: lon, lat: lat).chunkId }

    // MARK: - Bounds

    /// Bounds of a chunk in degrees (undilated; longitudes `chunk·w … (chunk+1)·w`, w = 360/nc).
    public func chunkBounds(_ chunkId: Int) -> SkyBox {
        precondition(isValid(chunkId: chunkId), "invalid chunk id \(chunkId)")
        let s = stripe(ofChunk: chunkId), c = chunkIndex(ofChunk: chunkId)
        return chunkBounds(stripe: s, chunk: c)
    }

    func chunkBounds(stripe s: Int, chunk c: Int) -> SkyBox {
        let nc = chunksPerStripe[s]
        let w = 360.0 / Double(nc)
        let latMin = max(-90, Double(s * numSubStripesPerStripe) * subStripeHeight - 90.0)
        let latMax = min(90, Double((s + 1) * numSubStripesPerStripe) * subStripeHeight - 90.0)
        if nc == 1 { return SkyBox(rawLonMin: 0, lonMax: 360, latMin: latMin, latMax: latMax) }
        return SkyBox(rawLonMin: Double(c) * w, lonMax: c + 1 == nc ? 360 : Double(c + 1) * w, latMin: latMin, latMax: latMax)
    }

    /// Bounds of a sub-chunk in degrees.
    public func subChunkBounds(chunkId: Int, subChunkId: Int) -> SkyBox {
        precondition(isValid(chunkId: chunkId, subChunkId: subChunkId), "invalid sub-chunk \(chunkId)/\(subChunkId)")
        let s = stripe(ofChunk: chunkId), c = chunkIndex(ofChunk: chunkId)
        let ss = s * numSubStripesPerStripe + subChunkId / maxSubChunksPerSubStripeChunk
        let sc = c * subStripes[ss].numSubChunksPerChunk + subChunkId % maxSubChunksPerSubStripeChunk
        return subChunkBounds(subStripe: ss, subChunk: sc)
    }

    func subChunkBounds(subStripe ss: Int, subChunk sc: Int) -> SkyBox {
        let info = subStripes[ss]
        let n = info.numChunks * info.numSubChunksPerChunk
        let latMin = max(-90, Double(ss) * subStripeHeight - 90.0)
        let latMax = min(90, Double(ss + 1) * subStripeHeight - 90.0)
        if n == 1 { return SkyBox(rawLonMin: 0, lonMax: 360, latMin: latMin, latMax: latMax) }
        return SkyBox(
            rawLonMin: Double(sc) * info.subChunkWidth,
            lonMax: sc + 1 == n ? 360 : Double(sc + 1) * info.subChunkWidth, latMin: latMin, latMax: latMax)
    }

    // MARK: - Enumeration

    /// All chunk ids, ascending.
    public func allChunks() -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(chunksPerStripe.reduce(0, +))
        for s in 0..<numStripes {
            for c in 0..<chunksPerStripe[s] { ids.append(s * 2 * numStripes + c) }
        }
        return ids
    }

    /// All sub-chunk ids of a chunk, ascending.
    public func allSubChunks(of chunkId: Int) -> [Int] {
        precondition(isValid(chunkId: chunkId), "invalid chunk id \(chunkId)")
        let s = stripe(ofChunk: chunkId)
        var ids: [Int] = []
        for y in 0..<numSubStripesPerStripe {
            let nsc = subStripes[s * numSubStripesPerStripe + y].numSubChunksPerChunk
            for x in 0..<nsc { ids.append(y * maxSubChunksPerSubStripeChunk + x) }
        }
        return ids
    }

    // MARK: - Region coverage

    /// Inclusive range of sub-stripes overlapping [latMin, latMax] (degrees).
    private func subStripeRange(_ box: SkyBox) -> ClosedRange<Int> {
        func index(_ lat: Double) -> Int {
            min(max(Int(floor((lat + 90.0) / subStripeHeight)), 0), numSubStripes - 1)
        }
        return index(box.latMin)...index(box.latMax)
    }

    /// Indexes in `0..<n` of cells of width 360/n overlapping the lon range of `box`, ascending.
    private func lonCells(_ box: SkyBox, count n: Int, width: Double) -> [Int] {
        if box.isFullLongitude || n == 1 { return Array(0..<n) }
        let a = min(max(Int(floor(box.lonMin / width)), 0), n - 1)
        let b = min(max(Int(floor(box.lonMax / width)), 0), n - 1)
        if !box.wrapsLongitude { return Array(a...b) }
        if b >= a { return Array(0..<n) }
        return Array(0...b) + Array(a..<n)
    }

    /// Search box for a region: its bounding box grown well beyond sphgeom's own dilation.
    private func searchBox(_ region: SkyRegion) -> SkyBox {
        region.boundingBox.dilated(byRadians: 2 * SkyRegion.conservativeMarginRadians)
    }

    /// Chunks that may intersect the region, ascending. A superset of lsst.sphgeom's
    /// `getChunksIntersecting` (never a subset): circles and boxes are tested exactly with a small
    /// margin, polygons through their bounding box (as sphgeom does).
    ///
    /// One deliberate difference: sphgeom computes a polygon's bounding box by merging per-vertex
    /// longitude intervals, and its `NormalizedAngleInterval::expandTo` turns a wrapping interval into the
    /// full circle when a later vertex falls inside it — so any polygon spanning RA 0 (and some others)
    /// gets an all-longitude box there and sphgeom lists every chunk of the polygon's stripes. We use the
    /// polygon's true bounding box; the extra chunks sphgeom lists are provably disjoint from the polygon
    /// (scripts/interop/test_chunker.py checks that).
    public func chunks(intersecting region: SkyRegion) -> [Int] {
        let bb = searchBox(region)
        if bb.isEmpty { return [] }
        var ids: [Int] = []
        let ssRange = subStripeRange(bb)
        for s in (ssRange.lowerBound / numSubStripesPerStripe)...(ssRange.upperBound / numSubStripesPerStripe) {
            let nc = chunksPerStripe[s]
            for c in lonCells(bb, count: nc, width: 360.0 / Double(nc))
            where region.relate(to: chunkBounds(stripe: s, chunk: c)) != .disjoint {
                ids.append(s * 2 * numStripes + c)
            }
        }
        return ids
    }

    /// Sub-chunks of `chunkId` that may intersect the region, ascending (superset of sphgeom's, as above).
    public func subChunks(of chunkId: Int, intersecting region: SkyRegion) -> [Int] {
        precondition(isValid(chunkId: chunkId), "invalid chunk id \(chunkId)")
        let s = stripe(ofChunk: chunkId), c = chunkIndex(ofChunk: chunkId)
        switch region.relate(to: chunkBounds(stripe: s, chunk: c)) {
        case .disjoint: return []
        case .contains: return allSubChunks(of: chunkId)
        case .mayIntersect: break
        }
        let bb = searchBox(region)
        let ssRange = subStripeRange(bb)
        let first = max(ssRange.lowerBound, s * numSubStripesPerStripe)
        let last = min(ssRange.upperBound, (s + 1) * numSubStripesPerStripe - 1)
        guard first <= last else { return [] }
        var ids: [Int] = []
        for ss in first...last {
            let info = subStripes[ss]
            let nsc = info.numSubChunksPerChunk
            let candidates = lonCells(bb, count: info.numChunks * nsc, width: info.subChunkWidth)
            let y = ss - s * numSubStripesPerStripe
            for sc in candidates.sorted()
            where sc >= c * nsc && sc < (c + 1) * nsc
                && region.relate(to: subChunkBounds(subStripe: ss, subChunk: sc)) != .disjoint
            {
                ids.append(y * maxSubChunksPerSubStripeChunk + (sc - c * nsc))
            }
        }
        return ids
    }

    /// For every chunk that may intersect the region, the sub-chunks that may (chunks with none are omitted).
    public func subChunks(intersecting region: SkyRegion) -> [(chunkId: Int, subChunkIds: [Int])] {
        chunks(intersecting: region).compactMap { id in
            let subs = subChunks(of: id, intersecting: region)
            return subs.isEmpty ? nil : (id, subs)
        }
    }

    // MARK: - Overlap (Qserv partitioner semantics)

    /// Half-width in longitude (degrees) of the overlap margin for a sub-stripe: the largest longitude
    /// half-extent of a circle of radius `overlap` centred in the sub-stripe (the partitioner's `maxAlpha`).
    @usableFromInline func overlapAlpha(subStripe ss: Int, overlap: Double) -> Double {
        if overlap <= 0 { return 0 }
        let latA = Double(ss) * subStripeHeight - 90.0, latB = Double(ss + 1) * subStripeHeight - 90.0
        let lat = min(max(abs(latA), abs(latB)), 90)
        if lat + overlap > 90.0 - 1.0 / 3600.0 { return 180 }
        let r = overlap * SkyAngle.radiansPerDegree, l = lat * SkyAngle.radiansPerDegree
        let y = sin(r)
        let x = (abs(cos(l - r) * cos(l + r))).squareRoot()
        return SkyAngle.degreesPerRadian * abs(atan(y / x))
    }

    /// Checks an overlap radius (degrees) as the Qserv partitioner does: in [0, 10], at most the
    /// sub-stripe height, and its longitude margin at most the sub-chunk width in every sub-stripe.
    public func validateOverlap(_ overlap: Double) throws {
        guard overlap >= 0, overlap <= 10 else { throw SkyError.invalidOverlap(overlap, reason: "must be in [0, 10]") }
        guard overlap <= subStripeHeight else {
            throw SkyError.invalidOverlap(overlap, reason: "greater than the sub-stripe height \(subStripeHeight)")
        }
        for ss in 0..<numSubStripes where overlapAlpha(subStripe: ss, overlap: overlap) > subStripes[ss].subChunkWidth {
            throw SkyError.invalidOverlap(overlap, reason: "greater than the sub-chunk width in sub-stripe \(ss)")
        }
    }

    /// Calls `body` for every overlap location of (lon, lat): each (chunk, sub-chunk) other than the
    /// point's own whose overlap margin (`overlap` degrees in latitude, the corresponding longitude margin
    /// in longitude) contains the point — exactly the overlap rows Qserv's partitioner emits
    /// (including other sub-chunks of the point's own chunk). No allocation.
    /// `overlap` should pass `validateOverlap`.
    public func forEachOverlapLocation(lon: Double, lat: Double, overlap: Double, _ body: (ChunkLocation) -> Void) {
        guard overlap > 0, let point = place(lon: lon, lat: lat) else { return }
        let l = point.lon, b = point.lat, ss = point.subStripe
        let stripe = ss / numSubStripesPerStripe
        let info = subStripes[ss]
        let nsc = info.numSubChunksPerChunk, numChunks = info.numChunks
        let numSubChunks = numChunks * nsc
        let sc = info.subChunk(ofLon: l)
        let lonMin = Double(sc) * info.subChunkWidth
        let lonMax = sc + 1 == numSubChunks ? 360.0 : Double(sc + 1) * info.subChunkWidth
        let latMin = max(-90, Double(ss) * subStripeHeight - 90.0)
        let latMax = min(90, Double(ss + 1) * subStripeHeight - 90.0)
        if ss > 0 && b < latMin + overlap {
            upDownOverlap(lon: l, subStripe: ss - 1, overlap: overlap, body)
        }
        if ss < numSubStripes - 1 && b >= latMax - overlap {
            upDownOverlap(lon: l, subStripe: ss + 1, overlap: overlap, body)
        }
        if numSubChunks == 1 { return }
        let alpha = overlapAlpha(subStripe: ss, overlap: overlap)
        var left = -1
        if l < lonMin + alpha {
            left = sc == 0 ? numSubChunks - 1 : sc - 1
            emit(stripe: stripe, subStripe: ss, subChunk: left, body)
        }
        if l > lonMax - alpha {
            let right = sc == numSubChunks - 1 ? 0 : sc + 1
            if right != left { emit(stripe: stripe, subStripe: ss, subChunk: right, body) }
        }
    }

    @inline(__always) private func emit(stripe: Int, subStripe ss: Int, subChunk sc: Int, _ body: (ChunkLocation) -> Void) {
        let nsc = subStripes[ss].numSubChunksPerChunk
        let chunk = sc / nsc
        body(
            ChunkLocation(
                chunkId: stripe * 2 * numStripes + chunk,
                subChunkId: (ss - stripe * numSubStripesPerStripe) * maxSubChunksPerSubStripeChunk + (sc - chunk * nsc),
                isOverlap: true))
    }

    private func upDownOverlap(lon: Double, subStripe ss: Int, overlap: Double, _ body: (ChunkLocation) -> Void) {
        let stripe = ss / numSubStripesPerStripe
        let info = subStripes[ss]
        let numSubChunks = info.numChunks * info.numSubChunksPerChunk
        let alpha = overlapAlpha(subStripe: ss, overlap: overlap)
        if numSubChunks == 1 || 2 * alpha >= 360 {
            for sc in 0..<numSubChunks { emit(stripe: stripe, subStripe: ss, subChunk: sc, body) }
            return
        }
        var lo = Int(floor((lon - alpha) / info.subChunkWidth))
        var hi = Int(floor((lon + alpha) / info.subChunkWidth))
        if lo < 0 { lo += numSubChunks }
        if hi >= numSubChunks { hi -= numSubChunks }
        if lo > hi {
            for sc in lo..<numSubChunks { emit(stripe: stripe, subStripe: ss, subChunk: sc, body) }
            lo = 0
        }
        // A wrapped range may now overlap itself when alpha spans almost all sub-chunks; emit each once.
        for sc in lo...hi { emit(stripe: stripe, subStripe: ss, subChunk: sc, body) }
    }

    /// All overlap locations of a point (see `forEachOverlapLocation`), sorted by (chunkId, subChunkId), unique.
    public func overlapLocations(lon: Double, lat: Double, overlap: Double) -> [ChunkLocation] {
        var out: [ChunkLocation] = []
        forEachOverlapLocation(lon: lon, lat: lat, overlap: overlap) { out.append($0) }
        let home = location(lon: lon, lat: lat)
        out.removeAll { $0.chunkId == home.chunkId && $0.subChunkId == home.subChunkId }
        return Array(Set(out)).sorted { ($0.chunkId, $0.subChunkId) < ($1.chunkId, $1.subChunkId) }
    }

    /// Chunks other than the point's own in which the point must be stored as an overlap row, ascending.
    public func overlapChunks(lon: Double, lat: Double, overlap: Double) -> [Int] {
        let home = chunkId(lon: lon, lat: lat)
        var ids: [Int] = []
        forEachOverlapLocation(lon: lon, lat: lat, overlap: overlap) { loc in
            if loc.chunkId != home && !ids.contains(loc.chunkId) { ids.append(loc.chunkId) }
        }
        return ids.sorted()
    }

    /// Sub-chunks of `chunkId` (other than the point's own sub-chunk) whose overlap margin contains the
    /// point, ascending: the sub-chunk ids to give the point's overlap rows in that chunk.
    public func subChunkOverlapIds(chunkId: Int, lon: Double, lat: Double, overlap: Double) -> [Int] {
        let home = location(lon: lon, lat: lat)
        var ids: [Int] = []
        forEachOverlapLocation(lon: lon, lat: lat, overlap: overlap) { loc in
            if loc.chunkId == chunkId && !(loc.chunkId == home.chunkId && loc.subChunkId == home.subChunkId)
                && !ids.contains(loc.subChunkId)
            {
                ids.append(loc.subChunkId)
            }
        }
        return ids.sorted()
    }
}
