#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// A longitude/latitude box on the sphere: `{ (lon, lat) : lon ∈ [lonMin, lonMax], lat ∈ [latMin, latMax] }`.
///
/// Longitudes are stored normalized: `lonMin ∈ [0, 360)`, `lonMax ∈ [0, 360]`.
/// `lonMin > lonMax` means the longitude range wraps through 0/360 (e.g. 350…10).
/// The full longitude range is stored as `lonMin == 0, lonMax == 360`.
/// `latMin > latMax` is an empty box. Edges are meridians (great circles) and
/// parallels (small circles), as in ADQL/STC and lsst.sphgeom `Box`.
public struct SkyBox: Sendable, Hashable, CustomStringConvertible {
    public let lonMin: Double
    public let lonMax: Double
    public let latMin: Double
    public let latMax: Double

    /// A box from longitude and latitude ranges in degrees.
    ///
    /// `lonMin > lonMax` means the range wraps through 0/360 (`SkyBox(lonMin: 350, lonMax: 10, …)`
    /// is 20° wide). A range of 360° or more (e.g. `-180…180` or `0…360`) is the full circle.
    /// Latitudes are clamped to `[-90, 90]`.
    public init(lonMin: Double, lonMax: Double, latMin: Double, latMax: Double) {
        var width = lonMax - lonMin
        if width < 0 { width += 360 }
        if width >= 360 || !width.isFinite {
            self.lonMin = 0
            self.lonMax = 360
        } else {
            let lo = SkyAngle.normalizedLongitude(lonMin)
            var hi = lo + width
            if hi > 360 { hi -= 360 }
            self.lonMin = lo
            self.lonMax = hi
        }
        self.latMin = SkyAngle.clampedLatitude(latMin)
        self.latMax = SkyAngle.clampedLatitude(latMax)
    }

    /// ADQL `BOX(center, width, height)`.
    ///
    /// Choice (documented, as ADQL 2.0/2.1 leave it loose): `width` is a **longitude extent** in
    /// degrees, so the box is `lon ∈ [centerLon − width/2, centerLon + width/2]` (wrapping through
    /// 0/360 as needed; ≥ 360 means all longitudes) and
    /// `lat ∈ [centerLat − height/2, centerLat + height/2]` clamped to ±90.
    /// This is what Qserv/sphgeom `Box(center, halfWidth, halfHeight)` does as well: the edges
    /// are meridians and parallels, not great circles.
    public init(centerLon: Double, centerLat: Double, width: Double, height: Double) {
        let w = max(0, width), h = max(0, height)
        if w >= 360 {
            self.init(lonMin: 0, lonMax: 360, latMin: centerLat - h / 2, latMax: centerLat + h / 2)
        } else {
            self.init(
                lonMin: centerLon - w / 2, lonMax: centerLon + w / 2,
                latMin: centerLat - h / 2, latMax: centerLat + h / 2)
        }
    }

    /// Whole sky.
    public static let full = SkyBox(lonMin: 0, lonMax: 360, latMin: -90, latMax: 90)

    @usableFromInline init(rawLonMin: Double, lonMax: Double, latMin: Double, latMax: Double) {
        self.lonMin = rawLonMin; self.lonMax = lonMax; self.latMin = latMin; self.latMax = latMax
    }

    public var isEmpty: Bool { !(latMin <= latMax) }
    /// True when the box covers all longitudes.
    public var isFullLongitude: Bool { lonMin == 0 && lonMax == 360 }
    /// True when the longitude range wraps through 0/360.
    public var wrapsLongitude: Bool { lonMin > lonMax }
    /// Longitude extent in degrees, in `[0, 360]`.
    public var lonWidth: Double { lonMin <= lonMax ? lonMax - lonMin : lonMax - lonMin + 360 }
    public var latHeight: Double { isEmpty ? 0 : latMax - latMin }
    /// Center of the longitude range (degrees, `[0, 360)`).
    public var centerLon: Double { SkyAngle.normalizedLongitude(lonMin + lonWidth / 2) }
    public var centerLat: Double { (latMin + latMax) / 2 }

    /// Area in square degrees: Δlon · (sin latMax − sin latMin), converted from steradians.
    public var area: Double {
        if isEmpty { return 0 }
        let dz = sin(latMax * SkyAngle.radiansPerDegree) - sin(latMin * SkyAngle.radiansPerDegree)
        return abs(lonWidth * SkyAngle.radiansPerDegree * dz) * SkyAngle.degreesPerRadian * SkyAngle.degreesPerRadian
    }

    /// Exact containment; points within ~1e-12 rad of the boundary count as inside.
    /// Points at a pole are inside iff the latitude range reaches that pole (longitude is irrelevant there).
    public func contains(lon: Double, lat: Double) -> Bool {
        let tol = SkyAngle.boundaryToleranceDegrees
        guard !isEmpty, lat >= latMin - tol, lat <= latMax + tol else { return false }
        if abs(lat) >= 90 - tol { return true }  // at a pole: every longitude is the same point
        return lonRangeContains(lon, tolerance: tol / max(cos(lat * SkyAngle.radiansPerDegree), 1e-300))
    }

    /// Whether the longitude (any value, degrees) is in `[lonMin, lonMax]`, widened by `tolerance` degrees.
    @usableFromInline func lonRangeContains(_ lon: Double, tolerance: Double = 0) -> Bool {
        if isFullLongitude { return true }
        let l = SkyAngle.normalizedLongitude(lon)
        if lonMin <= lonMax {
            if l >= lonMin && l <= lonMax { return true }
        } else if l >= lonMin || l <= lonMax {
            return true
        }
        if tolerance > 0 {
            return SkyAngle.longitudeDistance(l, lonMin) <= tolerance
                || SkyAngle.longitudeDistance(l, lonMax) <= tolerance
        }
        return false
    }

    /// Whether the longitude ranges of the two boxes overlap (closed intervals, widened by `tolerance` degrees).
    @usableFromInline func lonRangeIntersects(_ o: SkyBox, tolerance: Double = 0) -> Bool {
        if isFullLongitude || o.isFullLongitude { return true }
        return lonRangeContains(o.lonMin, tolerance: tolerance) || o.lonRangeContains(lonMin, tolerance: tolerance)
    }

    /// Exact box/box intersection (closed sets; boundary contact within ~1e-12 rad counts).
    /// Two boxes that both reach the same pole always intersect (at the pole).
    public func intersects(_ o: SkyBox) -> Bool {
        intersects(o, toleranceRadians: SkyAngle.boundaryToleranceRadians)
    }

    /// Box/box intersection where gaps up to `toleranceRadians` (angular) still count as contact.
    func intersects(_ o: SkyBox, toleranceRadians: Double) -> Bool {
        guard !isEmpty, !o.isEmpty else { return false }
        let tol = toleranceRadians * SkyAngle.degreesPerRadian
        guard latMin <= o.latMax + tol, o.latMin <= latMax + tol else { return false }
        if latMax >= 90 - tol && o.latMax >= 90 - tol { return true }
        if latMin <= -90 + tol && o.latMin <= -90 + tol { return true }
        // Longitude slack for an angular gap of `tol` at the most poleward latitude both boxes reach.
        let lo = max(latMin, o.latMin) - tol, hi = min(latMax, o.latMax) + tol
        let maxAbs = min(max(abs(lo), abs(hi)), 90)
        let c = cos(maxAbs * SkyAngle.radiansPerDegree)
        if c <= 0 || tol >= 90 * c { return true }
        return lonRangeIntersects(o, tolerance: asin(min(1, sin(toleranceRadians) / c)) * SkyAngle.degreesPerRadian)
    }

    /// Whether this box contains all of `o` (exact; tolerance ~1e-12 rad).
    public func contains(_ o: SkyBox) -> Bool {
        if o.isEmpty { return true }
        if isEmpty { return false }
        let tol = SkyAngle.boundaryToleranceDegrees
        guard o.latMin >= latMin - tol, o.latMax <= latMax + tol else { return false }
        if isFullLongitude { return true }
        // A box squeezed to a pole is a point.
        if o.latMin >= 90 - tol || o.latMax <= -90 + tol { return true }
        if o.isFullLongitude { return false }
        let ltol = tol / max(cos(min(max(abs(o.latMin), abs(o.latMax)), 90) * SkyAngle.radiansPerDegree), 1e-300)
        guard lonRangeContains(o.lonMin, tolerance: ltol), lonRangeContains(o.lonMax, tolerance: ltol) else { return false }
        // Both ends inside: o is inside unless it goes the long way round.
        let offset = SkyAngle.normalizedLongitude(o.lonMin - lonMin)
        return offset + o.lonWidth <= lonWidth + ltol || o.lonWidth <= ltol
    }

    /// The box grown by `r` radians in every direction (a superset of all points within `r` of the box,
    /// as for sphgeom's `Box::dilatedBy`). Longitudes become full when the dilated box reaches a pole.
    public func dilated(byRadians r: Double) -> SkyBox {
        if isEmpty || r <= 0 { return self }
        let rd = r * SkyAngle.degreesPerRadian
        let newLatMin = latMin > -90 ? max(-90, latMin - rd) : latMin
        let newLatMax = latMax < 90 ? min(90, latMax + rd) : latMax
        if isFullLongitude {
            return SkyBox(rawLonMin: 0, lonMax: 360, latMin: newLatMin, latMax: newLatMax)
        }
        let maxAbs = max(abs(latMin), abs(latMax))
        if maxAbs + rd >= 90 {
            return SkyBox(rawLonMin: 0, lonMax: 360, latMin: newLatMin, latMax: newLatMax)
        }
        // Half-width in longitude of a circle of radius r centred at latitude maxAbs (sphgeom's halfWidthForCircle).
        let s = abs(sin(r) / cos(maxAbs * SkyAngle.radiansPerDegree))
        let w = s >= 1 ? 90 : asin(s) * SkyAngle.degreesPerRadian
        if lonWidth + 2 * w >= 360 {
            return SkyBox(rawLonMin: 0, lonMax: 360, latMin: newLatMin, latMax: newLatMax)
        }
        return SkyBox(lonMin: lonMin - w, lonMax: lonMin - w + lonWidth + 2 * w, latMin: newLatMin, latMax: newLatMax)
    }

    /// The four corners (lon, lat), in the order (lonMin,latMin), (lonMax,latMin), (lonMax,latMax), (lonMin,latMax).
    public var corners: [(lon: Double, lat: Double)] {
        [(lonMin, latMin), (lonMax, latMin), (lonMax, latMax), (lonMin, latMax)]
    }

    public var description: String { "SkyBox(lon: \(lonMin)…\(lonMax), lat: \(latMin)…\(latMax))" }
}
