#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// A convex spherical polygon with great-circle edges, stored counter-clockwise
/// (interior on the left of each edge, seen from outside the sphere).
public struct SkyPolygon: Sendable, Hashable, CustomStringConvertible {
    /// Vertices, counter-clockwise.
    public let vertices: [UnitVector3]
    /// Unit normals of the edge planes: edge i runs from vertex i to vertex i+1; the interior is where n·p ≥ 0.
    let edgeNormals: [Vec3]

    /// Builds a polygon from (lon, lat) vertices in degrees, in either winding order.
    /// A closing vertex equal to the first, and consecutive duplicates, are dropped.
    /// Throws for fewer than 3 distinct vertices, degenerate or non-convex input.
    public init(vertices lonLats: [(lon: Double, lat: Double)]) throws {
        for v in lonLats where !(v.lon.isFinite && v.lat.isFinite) { throw SkyError.nonFiniteCoordinate }
        try self.init(unitVectors: lonLats.map { UnitVector3(lon: $0.lon, lat: SkyAngle.clampedLatitude($0.lat)) })
    }

    /// Builds a polygon from unit vectors, in either winding order (see `init(vertices:)`).
    public init(unitVectors input: [UnitVector3]) throws {
        // Drop consecutive duplicates (including a closing repeat of the first vertex).
        var vs: [Vec3] = []
        vs.reserveCapacity(input.count)
        for u in input {
            let v = Vec3(u)
            guard v.x.isFinite, v.y.isFinite, v.z.isFinite else { throw SkyError.nonFiniteCoordinate }
            if let last = vs.last, last.angle(to: v) <= 1e-14 { continue }
            vs.append(v)
        }
        while vs.count > 1, vs[0].angle(to: vs[vs.count - 1]) <= 1e-14 { vs.removeLast() }
        guard vs.count >= 3 else { throw SkyError.tooFewVertices(vs.count) }

        func normals(_ vs: [Vec3]) throws -> [Vec3] {
            var ns: [Vec3] = []
            ns.reserveCapacity(vs.count)
            for i in 0..<vs.count {
                let a = vs[i], b = vs[(i + 1) % vs.count]
                guard let n = Vec3.robustCross(a, b).normalized, Vec3.robustCross(a, b).norm > 1e-15 else {
                    throw SkyError.degeneratePolygon
                }
                ns.append(n)
            }
            return ns
        }
        var ns = try normals(vs)
        // Every vertex must be on the same side of every edge's great circle.
        let eps = 1e-13
        var anyPos = false, anyNeg = false
        for (i, n) in ns.enumerated() {
            for (k, v) in vs.enumerated() where k != i && k != (i + 1) % vs.count {
                let s = n.dot(v)
                if s > eps { anyPos = true } else if s < -eps { anyNeg = true }
            }
        }
        if anyPos && anyNeg { throw SkyError.nonConvexPolygon }
        if !anyPos && !anyNeg { throw SkyError.degeneratePolygon }
        if anyNeg {
            vs.reverse()
            ns = try normals(vs)
        }
        // Each edge needs some vertex strictly inside its half-space (otherwise the polygon is flat).
        for (i, n) in ns.enumerated() {
            var ok = false
            for (k, v) in vs.enumerated() where k != i && k != (i + 1) % vs.count && n.dot(v) > eps { ok = true; break }
            if !ok { throw SkyError.degeneratePolygon }
        }
        self.vertices = vs.map { $0.unit }
        self.edgeNormals = ns
    }

    /// Vertices as (lon, lat) degrees, counter-clockwise.
    public var lonLatVertices: [(lon: Double, lat: Double)] { vertices.map { ($0.lon, $0.lat) } }

    @inlinable public func contains(lon: Double, lat: Double) -> Bool {
        contains(UnitVector3(lon: lon, lat: lat))
    }

    /// Exact containment (boundary within ~1e-12 rad counts as inside).
    public func contains(_ p: UnitVector3) -> Bool { contains(Vec3(p)) }

    func contains(_ p: Vec3) -> Bool {
        for n in edgeNormals where n.dot(p) < -SkyAngle.boundaryToleranceRadians { return false }
        return true
    }

    /// Area in square degrees (sum of the fan triangles' spherical excess, Van Oosterom–Strackee).
    public var area: Double {
        let a = Vec3(vertices[0])
        var excess = 0.0
        for i in 1..<(vertices.count - 1) {
            let b = Vec3(vertices[i]), c = Vec3(vertices[i + 1])
            let num = a.dot(b.cross(c))
            let den = 1 + a.dot(b) + b.dot(c) + c.dot(a)
            excess += 2 * atan2(abs(num), den)
        }
        return excess * SkyAngle.degreesPerRadian * SkyAngle.degreesPerRadian
    }

    /// Edge i as (start, end, unit normal).
    @inline(__always) func edge(_ i: Int) -> (Vec3, Vec3, Vec3) {
        (Vec3(vertices[i]), Vec3(vertices[(i + 1) % vertices.count]), edgeNormals[i])
    }

    /// Minimum angular distance (radians) from unit p to the polygon (0 if inside).
    func distance(from p: Vec3) -> Double {
        if contains(p) { return 0 }
        var best = Double.infinity
        for i in 0..<vertices.count {
            let (a, b, n) = edge(i)
            best = min(best, SphericalMath.distance(from: p, toArc: a, b, normal: n))
        }
        return best
    }

    /// The smallest lon/lat box containing the polygon: vertex extents, plus latitude extrema inside
    /// edges, plus all longitudes when a pole is inside.
    public var boundingBox: SkyBox {
        let containsNorth = contains(Vec3(0, 0, 1)), containsSouth = contains(Vec3(0, 0, -1))
        var latMin = Double.infinity, latMax = -Double.infinity
        for v in vertices { latMin = min(latMin, v.lat); latMax = max(latMax, v.lat) }
        for i in 0..<vertices.count {
            let (a, b, n) = edge(i)
            // Direction of maximum latitude on the edge's great circle.
            let top = Vec3(-n.x * n.z, -n.y * n.z, n.x * n.x + n.y * n.y)
            if let t = top.normalized {
                if SphericalMath.onArc(t, a, b, n, tolerance: 0) { latMax = max(latMax, t.unit.lat) }
                if SphericalMath.onArc(-t, a, b, n, tolerance: 0) { latMin = min(latMin, (-t).unit.lat) }
            }
        }
        if containsNorth { latMax = 90 }
        if containsSouth { latMin = -90 }
        if containsNorth || containsSouth {
            return SkyBox(lonMin: 0, lonMax: 360, latMin: latMin, latMax: latMax)
        }
        // Walk the vertices with unwrapped longitudes: without a pole inside, each edge spans the shorter
        // longitude arc between its end points and the walk returns to its start.
        var u = vertices[0].lon, lo = u, hi = u
        for i in 1..<vertices.count {
            var d = vertices[i].lon - vertices[i - 1].lon
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            u += d
            lo = min(lo, u); hi = max(hi, u)
        }
        if hi - lo >= 360 { return SkyBox(lonMin: 0, lonMax: 360, latMin: latMin, latMax: latMax) }
        return SkyBox(lonMin: lo, lonMax: hi, latMin: latMin, latMax: latMax)
    }

    /// `SkyPolygon((lon1, lat1), (lon2, lat2), ...)`, written into one string (the chunk
    /// pruner's note of every polygon query; no String per vertex).
    public var description: String {
        var text = "SkyPolygon("
        text.reserveCapacity(12 + 48 * vertices.count)
        for (i, v) in vertices.enumerated() {
            text += i == 0 ? "(" : ", ("
            text += v.lon.description
            text += ", "
            text += v.lat.description
            text += ")"
        }
        text += ")"
        return text
    }
}
