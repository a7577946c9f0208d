#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// Internal exact-geometry kernels. Angles in radians, points as unit `Vec3`.
enum SphericalMath {
    static let tol = SkyAngle.boundaryToleranceRadians

    @inline(__always) static func vec(lon: Double, lat: Double) -> Vec3 {
        Vec3(UnitVector3(lon: lon, lat: lat))
    }

    /// Whether x (unit, on the great circle with unit normal n) lies on the arc a→b (counter-clockwise about n).
    /// Works for arcs up to 180° because the orientation comes from n, not from a×b.
    @inline(__always) static func onArc(_ x: Vec3, _ a: Vec3, _ b: Vec3, _ n: Vec3, tolerance: Double = tol) -> Bool {
        a.cross(x).dot(n) >= -tolerance && x.cross(b).dot(n) >= -tolerance
    }

    /// Minimum angular distance (radians) from unit p to the great-circle arc a→b with unit normal n.
    static func distance(from p: Vec3, toArc a: Vec3, _ b: Vec3, normal n: Vec3) -> Double {
        if a.cross(p).dot(n) >= 0 && p.cross(b).dot(n) >= 0 {
            let s = p.dot(n)
            let q = p - n * s  // projection onto the great-circle plane
            return atan2(abs(s), q.norm)
        }
        return min(p.angle(to: a), p.angle(to: b))
    }

    /// Unit normal of the meridian plane at `lon` (degrees), oriented so that arcs run south → north.
    @inline(__always) static func meridianNormal(lon: Double) -> Vec3 {
        let l = lon * SkyAngle.radiansPerDegree
        return Vec3(sin(l), -cos(l), 0)
    }

    /// Minimum angular distance (radians) from unit p at (pLon, pLat) degrees to a box (0 if inside).
    static func distance(from p: Vec3, lon pLon: Double, lat pLat: Double, to box: SkyBox) -> Double {
        if box.isEmpty { return .infinity }
        if box.contains(lon: pLon, lat: pLat) { return 0 }
        if abs(pLat) >= 90 || box.lonRangeContains(pLon) {
            // Nearest point is straight north or south along p's meridian (the latitude gap is a lower
            // bound for every box point and is attained there). At a pole, every meridian is p's meridian.
            let d = pLat < box.latMin ? box.latMin - pLat : pLat - box.latMax
            return max(0, d) * SkyAngle.radiansPerDegree
        }
        // p's longitude is outside the range: the nearest point is on one of the two meridian edges
        // (the parallels' nearest points are then at their end points, i.e. the corners).
        var best = Double.infinity
        for edgeLon in [box.lonMin, box.lonMax] {
            let a = vec(lon: edgeLon, lat: box.latMin)
            let b = vec(lon: edgeLon, lat: box.latMax)
            best = min(best, distance(from: p, toArc: a, b, normal: meridianNormal(lon: edgeLon)))
        }
        return best
    }

    /// Whether the great-circle arcs a1→b1 (unit normal n1) and a2→b2 (unit normal n2) share a point.
    static func arcsIntersect(_ a1: Vec3, _ b1: Vec3, _ n1: Vec3, _ a2: Vec3, _ b2: Vec3, _ n2: Vec3) -> Bool {
        let d = n1.cross(n2)
        guard let x = d.normalized, d.norm > 1e-14 else {
            // Same great circle (either orientation): they intersect iff an end point of one lies on the other.
            guard abs(n1.dot(a2)) <= tol, abs(n1.dot(b2)) <= tol else { return false }
            return onArc(a2, a1, b1, n1) || onArc(b2, a1, b1, n1) || onArc(a1, a2, b2, n2) || onArc(b1, a2, b2, n2)
        }
        if onArc(x, a1, b1, n1) && onArc(x, a2, b2, n2) { return true }
        let y = -x
        return onArc(y, a1, b1, n1) && onArc(y, a2, b2, n2)
    }

    /// Whether the great-circle arc a→b (unit normal n) meets the parallel at `lat` (degrees) within the
    /// box's longitude range.
    static func arcIntersectsParallel(_ a: Vec3, _ b: Vec3, _ n: Vec3, lat: Double, box: SkyBox) -> Bool {
        if abs(lat) >= 90 {
            let pole = Vec3(0, 0, lat > 0 ? 1 : -1)
            return abs(pole.dot(n)) <= tol && onArc(pole, a, b, n)
        }
        let latR = lat * SkyAngle.radiansPerDegree
        let cl = cos(latR), sl = sin(latR)
        // Points (cl cosλ, cl sinλ, sl) on the great circle: A cosλ + B sinλ = C.
        let A = n.x * cl, B = n.y * cl, C = -n.z * sl
        let R = (A * A + B * B).squareRoot()
        if R <= 1e-15 {
            // The arc's great circle is the equator (and lat == 0), or degenerate.
            guard abs(C) <= tol else { return false }
            // Arc lies along this parallel: test a few of its points against the longitude range.
            let mid = (a + b).normalized ?? a
            for v in [a, b, mid] {
                if box.lonRangeContains(v.unit.lon, tolerance: SkyAngle.boundaryToleranceDegrees) { return true }
            }
            // Or the box's range lies within the arc.
            let p = vec(lon: box.lonMin, lat: lat)
            return onArc(p, a, b, n)
        }
        var ratio = C / R
        if ratio > 1 { if ratio - 1 > tol { return false }; ratio = 1 }
        if ratio < -1 { if -1 - ratio > tol { return false }; ratio = -1 }
        let phase = atan2(B, A), delta = acos(ratio)
        for lamR in [phase + delta, phase - delta] {
            let lamD = lamR * SkyAngle.degreesPerRadian
            let x = Vec3(cl * cos(lamR), cl * sin(lamR), sl)
            if box.lonRangeContains(lamD, tolerance: tol * SkyAngle.degreesPerRadian / max(cl, 1e-300))
                && onArc(x, a, b, n)
            {
                return true
            }
        }
        return false
    }
}
