#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// How a region relates to a lon/lat box, as answered by the conservative `SkyRegion.relate(to:)`.
public enum SkyRelationship: Sendable, Hashable {
    /// Certainly no common point.
    case disjoint
    /// May share points (or certainly does): callers must still test.
    case mayIntersect
    /// The region certainly contains the whole box.
    case contains
}

/// A region on the sphere, as used by ADQL geometry (CIRCLE, BOX, POLYGON).
public enum SkyRegion: Sendable, Hashable, CustomStringConvertible {
    case circle(SkyCircle)
    case box(SkyBox)
    case polygon(SkyPolygon)

    /// Margin (radians) by which `relate(to:)` errs on the side of "may intersect". It is far larger
    /// than lsst.sphgeom's own tolerances (5e-12 rad box dilation, 2.5e-15 squared-chord error), so
    /// chunk sets computed from it are supersets of sphgeom's.
    public static let conservativeMarginRadians: Double = 1.0e-9

    /// Exact point containment (degrees); boundary points within ~1e-12 rad count as inside.
    public func contains(lon: Double, lat: Double) -> Bool {
        switch self {
        case .circle(let c): c.contains(lon: lon, lat: lat)
        case .box(let b): b.contains(lon: lon, lat: lat)
        case .polygon(let p): p.contains(lon: lon, lat: lat)
        }
    }

    /// A lon/lat box containing the region (tight for all three kinds).
    public var boundingBox: SkyBox {
        switch self {
        case .circle(let c): c.boundingBox
        case .box(let b): b
        case .polygon(let p): p.boundingBox
        }
    }

    /// Area in square degrees (ADQL AREA).
    public var area: Double {
        switch self {
        case .circle(let c): c.area
        case .box(let b): b.area
        case .polygon(let p): p.area
        }
    }

    /// Conservative relation to a box: never `.disjoint` when they share a point, never `.contains`
    /// unless the region contains the box. Circles and boxes are tested exactly (with a 1e-9 rad margin);
    /// polygons are tested through their bounding box, like lsst.sphgeom's `ConvexPolygon::relate(Box)`,
    /// so that chunk sets are never smaller than sphgeom's.
    public func relate(to box: SkyBox) -> SkyRelationship {
        if box.isEmpty { return .disjoint }
        let m = Self.conservativeMarginRadians
        switch self {
        case .circle(let c):
            if c.isFull { return .contains }
            let d = c.centerDistance(to: box)
            // Also allow sphgeom's squared-chord-length slack (dominant for tiny circles).
            let sd = sin(d / 2), sr = sin(c.radiusRadians / 2)
            if d > c.radiusRadians + m && 4 * sd * sd > 4 * sr * sr + 1.0e-14 { return .disjoint }
            let anti = -c.center
            let far = Double.pi - SphericalMath.distance(from: Vec3(anti), lon: anti.lon, lat: anti.lat, to: box)
            return far < c.radiusRadians - m ? .contains : .mayIntersect
        case .box(let b):
            if !b.intersects(box, toleranceRadians: 2 * m) { return .disjoint }
            return b.contains(box) ? .contains : .mayIntersect
        case .polygon(let p):
            return p.boundingBox.intersects(box, toleranceRadians: 2 * m) ? .mayIntersect : .disjoint
        }
    }

    /// Conservative: false only when the region and the box certainly share no point.
    public func mayIntersect(_ box: SkyBox) -> Bool { relate(to: box) != .disjoint }

    /// Conservative: false only when the two regions are farther apart than
    /// `conservativeMarginRadians`, so that no point can lie in both, even within the boundary
    /// tolerance of the exact tests. The planner uses it to answer an AND of regions that
    /// cannot meet without reading any chunk; a `true` promises nothing.
    ///
    /// Circles are tested against circles, boxes and polygons by distance; boxes against boxes
    /// exactly (with the margin); polygons against boxes and polygons through their bounding boxes.
    public func mayMeet(_ other: SkyRegion) -> Bool {
        let m = Self.conservativeMarginRadians
        if !boundingBox.intersects(other.boundingBox, toleranceRadians: 2 * m) { return false }
        switch (self, other) {
        case (.circle(let a), .circle(let b)):
            if a.isFull || b.isFull { return true }
            return Vec3(a.center).angle(to: Vec3(b.center)) <= a.radiusRadians + b.radiusRadians + m
        case (.circle(let c), .box(let b)), (.box(let b), .circle(let c)):
            return c.isFull || c.centerDistance(to: b) <= c.radiusRadians + m
        case (.circle(let c), .polygon(let p)), (.polygon(let p), .circle(let c)):
            return c.isFull || p.distance(from: Vec3(c.center)) <= c.radiusRadians + m
        case (.box(let a), .box(let b)):
            return a.intersects(b, toleranceRadians: 2 * m)
        case (.box, .polygon), (.polygon, .box), (.polygon, .polygon):
            return true
        }
    }

    /// Whether every pair of `regions` may meet (`mayMeet`): false when some two of them
    /// certainly share no point, so that their intersection is empty.
    public static func mayAllMeet(_ regions: [SkyRegion]) -> Bool {
        guard regions.count > 1 else { return true }
        for i in regions.indices {
            for j in regions.index(after: i)..<regions.endIndex where !regions[i].mayMeet(regions[j]) {
                return false
            }
        }
        return true
    }

    /// Exact intersection test (closed regions; contact within ~1e-12 rad counts), for ADQL INTERSECTS.
    public func intersectsExactly(_ other: SkyRegion) -> Bool {
        switch (self, other) {
        case (.circle(let a), .circle(let b)): return a.intersects(b)
        case (.circle(let c), .box(let b)), (.box(let b), .circle(let c)): return c.intersects(b)
        case (.box(let a), .box(let b)): return a.intersects(b)
        case (.circle(let c), .polygon(let p)), (.polygon(let p), .circle(let c)):
            return p.distance(from: Vec3(c.center)) <= c.radiusRadians + SkyAngle.boundaryToleranceRadians
        case (.polygon(let a), .polygon(let b)): return a.intersects(b)
        case (.box(let b), .polygon(let p)), (.polygon(let p), .box(let b)): return p.intersects(b)
        }
    }

    /// Exact: whether this region contains all of `other` (used for ADQL CONTAINS between regions).
    /// Exact for every pair of circle, box and polygon (boundary contact within ~1e-12 rad allowed).
    public func containsExactly(_ other: SkyRegion) -> Bool {
        switch (self, other) {
        case (.circle(let a), .circle(let b)):
            return a.isFull
                || Vec3(a.center).angle(to: Vec3(b.center)) + b.radiusRadians
                    <= a.radiusRadians + SkyAngle.boundaryToleranceRadians
        case (.circle(let c), .box(let b)): return c.contains(b)
        case (.circle(let c), .polygon(let p)):
            if c.isFull { return true }
            return p.vertices.allSatisfy { c.contains($0) } && p.edgesWithinCircle(c) && !p.contains(-c.center)
        case (.box(let a), .box(let b)): return a.contains(b)
        case (.box(let b), .circle(let c)): return b.contains(c.boundingBox)
        case (.box(let b), .polygon(let p)): return b.contains(p.boundingBox)
        case (.polygon(let p), .polygon(let q)): return q.vertices.allSatisfy { p.contains($0) }
        case (.polygon(let p), .circle(let c)):
            // Circle inside polygon ⇔ center inside and every edge's great circle at least r away.
            guard p.contains(c.center) else { return false }
            return p.edgeNormals.allSatisfy {
                asin(min(1, max(-1, $0.dot(Vec3(c.center))))) + SkyAngle.boundaryToleranceRadians >= c.radiusRadians
            }
        case (.polygon(let p), .box(let b)): return p.containsBox(b)
        }
    }

    public var description: String {
        switch self {
        case .circle(let c): c.description
        case .box(let b): b.description
        case .polygon(let p): p.description
        }
    }
}

extension SkyPolygon {
    /// Exact: whether two convex polygons share a point.
    public func intersects(_ o: SkyPolygon) -> Bool {
        if vertices.contains(where: { o.contains($0) }) || o.vertices.contains(where: { contains($0) }) { return true }
        for i in 0..<vertices.count {
            let (a1, b1, n1) = edge(i)
            for j in 0..<o.vertices.count {
                let (a2, b2, n2) = o.edge(j)
                if SphericalMath.arcsIntersect(a1, b1, n1, a2, b2, n2) { return true }
            }
        }
        return false
    }

    /// Exact: whether the polygon and the lon/lat box share a point.
    public func intersects(_ box: SkyBox) -> Bool {
        if box.isEmpty { return false }
        // A polygon vertex in the box, or a box boundary point in the polygon.
        if vertices.contains(where: { box.contains(lon: $0.lon, lat: $0.lat) }) { return true }
        for q in box.boundaryProbePoints where contains(q) { return true }
        // Otherwise they meet iff their boundaries cross.
        let meridians: [Double] = box.isFullLongitude ? [] : [box.lonMin, box.lonMax]
        for i in 0..<vertices.count {
            let (a, b, n) = edge(i)
            for lon in meridians {
                let ma = SphericalMath.vec(lon: lon, lat: box.latMin), mb = SphericalMath.vec(lon: lon, lat: box.latMax)
                if SphericalMath.arcsIntersect(a, b, n, ma, mb, SphericalMath.meridianNormal(lon: lon)) { return true }
            }
            if SphericalMath.arcIntersectsParallel(a, b, n, lat: box.latMin, box: box)
                || SphericalMath.arcIntersectsParallel(a, b, n, lat: box.latMax, box: box)
            {
                return true
            }
        }
        return false
    }

    /// Exact: whether the box lies inside the polygon (corners inside, and no parallel edge bulging out).
    func containsBox(_ box: SkyBox) -> Bool {
        if box.isEmpty { return true }
        guard box.boundaryProbePoints.allSatisfy({ contains($0) }) else { return false }
        // Meridian edges are great-circle arcs: inside iff their end points are (convexity).
        // Parallel edges are small circles: check they do not cross any polygon edge strictly.
        for lat in [box.latMin, box.latMax] where abs(lat) < 90 {
            for n in edgeNormals {
                // Minimum of n·p over the parallel arc; it must stay ≥ 0.
                if minDot(n, lat: lat, box: box) < -SkyAngle.boundaryToleranceRadians { return false }
            }
        }
        return true
    }

    /// min over points p of the parallel at `lat` within the box's lon range of n·p.
    private func minDot(_ n: Vec3, lat: Double, box: SkyBox) -> Double {
        let latR = lat * SkyAngle.radiansPerDegree
        let cl = cos(latR), sl = sin(latR)
        func f(_ lonDeg: Double) -> Double {
            let l = lonDeg * SkyAngle.radiansPerDegree
            return n.x * cl * cos(l) + n.y * cl * sin(l) + n.z * sl
        }
        // n·p = R cos(λ − φ) + n.z sl is minimal at λ = φ + π if that is in range, else at an end.
        var m = min(f(box.lonMin), f(box.lonMax))
        let phase = atan2(n.y, n.x) * SkyAngle.degreesPerRadian + 180
        if box.lonRangeContains(phase) { m = min(m, f(phase)) }
        return m
    }

    /// Whether every edge stays inside the circle (given its end points do).
    func edgesWithinCircle(_ c: SkyCircle) -> Bool {
        let cv = Vec3(c.center), anti = -cv
        for i in 0..<vertices.count {
            let (a, b, n) = edge(i)
            // Farthest point of the arc from the center = π − nearest distance from the antipode.
            let far = Double.pi - SphericalMath.distance(from: anti, toArc: a, b, normal: n)
            if far > c.radiusRadians + SkyAngle.boundaryToleranceRadians { return false }
        }
        return true
    }
}

extension SkyBox {
    /// Points on the box boundary, one per boundary component at least: the corners, or for a
    /// full-longitude box one point on each bounding parallel (which is the pole when it reaches it).
    var boundaryProbePoints: [Vec3] {
        if isFullLongitude {
            return [SphericalMath.vec(lon: 0, lat: latMin), SphericalMath.vec(lon: 0, lat: latMax)]
        }
        return [
            SphericalMath.vec(lon: lonMin, lat: latMin), SphericalMath.vec(lon: lonMax, lat: latMin),
            SphericalMath.vec(lon: lonMax, lat: latMax), SphericalMath.vec(lon: lonMin, lat: latMax),
        ]
    }
}
