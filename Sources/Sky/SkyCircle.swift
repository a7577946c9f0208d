#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// A spherical cap: all points within `radius` degrees (angular distance) of the center.
public struct SkyCircle: Sendable, Hashable, CustomStringConvertible {
    /// Center longitude, degrees in `[0, 360)`.
    public let centerLon: Double
    /// Center latitude, degrees in `[-90, 90]`.
    public let centerLat: Double
    /// Opening angle in degrees, in `[0, 180]` (180 = whole sky).
    public let radius: Double
    public let center: UnitVector3
    @usableFromInline let radiusRadians: Double
    /// Squared chord length of (radius + boundary tolerance): p is inside iff |p − center|² ≤ this.
    @usableFromInline let squaredChordLimit: Double

    /// Longitude is normalized to `[0, 360)`, latitude clamped to ±90, radius clamped to `[0, 180]`
    /// (callers that must reject negative radii, e.g. ADQL validation, do so before constructing).
    public init(centerLon: Double, centerLat: Double, radius: Double) {
        self.centerLon = SkyAngle.normalizedLongitude(centerLon)
        self.centerLat = SkyAngle.clampedLatitude(centerLat)
        self.radius = radius.isNaN ? radius : min(max(radius, 0), 180)
        self.center = UnitVector3(lon: self.centerLon, lat: self.centerLat)
        self.radiusRadians = self.radius * SkyAngle.radiansPerDegree
        let half = min(Double.pi, radiusRadians + SkyAngle.boundaryToleranceRadians) / 2
        self.squaredChordLimit = radius >= 180 ? .infinity : 4 * sin(half) * sin(half)
    }

    public var isFull: Bool { radius >= 180 }

    /// Exact containment; points within ~1e-12 rad outside the edge count as inside.
    @inlinable public func contains(lon: Double, lat: Double) -> Bool {
        contains(UnitVector3(lon: lon, lat: lat))
    }

    @inlinable public func contains(_ p: UnitVector3) -> Bool {
        // Squared chord length: accurate at all separations, no inverse trig.
        let dx = p.x - center.x, dy = p.y - center.y, dz = p.z - center.z
        return dx * dx + dy * dy + dz * dz <= squaredChordLimit
    }

    /// Area in square degrees (4π sin²(r/2) sr).
    public var area: Double {
        let s = sin(radiusRadians / 2)
        return 4 * Double.pi * s * s * SkyAngle.degreesPerRadian * SkyAngle.degreesPerRadian
    }

    /// The smallest lon/lat box containing the circle (all longitudes if it contains a pole).
    public var boundingBox: SkyBox {
        if radius >= 180 { return .full }
        let latLo = centerLat - radius, latHi = centerLat + radius
        if latHi >= 90 || latLo <= -90 {
            return SkyBox(lonMin: 0, lonMax: 360, latMin: latLo, latMax: latHi)
        }
        let s = abs(sin(radiusRadians) / cos(centerLat * SkyAngle.radiansPerDegree))
        let halfWidth = s >= 1 ? 90 : asin(s) * SkyAngle.degreesPerRadian
        return SkyBox(lonMin: centerLon - halfWidth, lonMax: centerLon + halfWidth, latMin: latLo, latMax: latHi)
    }

    /// The circle's longitude half-width (degrees) over its points whose latitude lies in
    /// [`low`, `high`]: every point of the circle in that band has a longitude within this of
    /// the center's. Nil when no point of the circle lies in the band; meant for circles that
    /// contain no pole (whose bounding box does not wrap).
    ///
    /// At latitude φ the circle spans ±Δ with sin²(Δ/2) = (sin²(r/2) − sin²((φ − δ)/2)) /
    /// (cos φ cos δ) (haversine form: exact near the circle's top and bottom, where the
    /// cosine form loses digits). Δ grows from the bottom of the circle up to the latitude of
    /// its widest point (sin φ* = sin δ / cos r) and shrinks above it, so the band's widest is
    /// at φ* clamped into the band. Conservative: the radius is taken 1e-9° larger than the
    /// containment tolerance needs, and the result 1e-7° wider than the formula's.
    public func longitudeHalfWidth(latitudesFrom low: Double, to high: Double) -> Double? {
        let rad = SkyAngle.radiansPerDegree
        let r = radius * (1 + 1e-12) + 1e-9
        let bottom = max(low, centerLat - r), top = min(high, centerLat + r)
        guard bottom <= top else { return nil }
        let rr = r * rad, delta = centerLat * rad
        let widest = asin(max(-1, min(1, sin(delta) / cos(rr)))) / rad
        let phi = min(max(widest, bottom), top) * rad
        let halfChord = sin(rr / 2), halfOffset = sin((phi - delta) / 2)
        let denominator = cos(phi) * cos(delta)
        guard denominator > 0 else { return 180 }
        let s = (halfChord * halfChord - halfOffset * halfOffset) / denominator
        if s >= 1 { return 180 }
        return 2 * asin(max(0, s).squareRoot()) / rad + 1e-7
    }

    /// Minimum angular distance (radians) from the center to the box (0 if the center is inside).
    func centerDistance(to box: SkyBox) -> Double {
        SphericalMath.distance(from: Vec3(center), lon: centerLon, lat: centerLat, to: box)
    }

    /// Exact: whether the circle and the box share a point.
    public func intersects(_ box: SkyBox) -> Bool {
        if box.isEmpty { return false }
        return centerDistance(to: box) <= radiusRadians + SkyAngle.boundaryToleranceRadians
    }

    /// Exact: whether the box lies entirely inside the circle.
    public func contains(_ box: SkyBox) -> Bool {
        if box.isEmpty || isFull { return true }
        let anti = -center
        // max distance from the center to the box = π − min distance from the antipode.
        let far = Double.pi - SphericalMath.distance(from: Vec3(anti), lon: anti.lon, lat: anti.lat, to: box)
        return far <= radiusRadians + SkyAngle.boundaryToleranceRadians
    }

    /// Exact: whether two circles share a point.
    public func intersects(_ o: SkyCircle) -> Bool {
        Vec3(center).angle(to: Vec3(o.center)) <= radiusRadians + o.radiusRadians + SkyAngle.boundaryToleranceRadians
    }

    public var description: String { "SkyCircle(\(centerLon), \(centerLat), r=\(radius))" }
}

extension SkyCircle {
    /// Whether the point is in the circle of `radius` degrees: the same answer as
    /// `SkyCircle(centerLon:centerLat:radius:).contains(lon:lat:)` (distance ≤ r + 1e-12 rad; centre latitude clamped, radius clamped to [0, 180]) without building
    /// vectors: sin²(d/2) by the haversine formula (accurate for small d) against sin²(R/2).
    @inlinable
    public static func contains(lon: Double, lat: Double, centerLon: Double, centerLat: Double, radius: Double) -> Bool? {
        if radius.isNaN || centerLat.isNaN { return nil }
        let r = radius < 0 ? 0 : radius
        if r >= 180 { return true }
        let cLat = centerLat < -90 ? -90 : (centerLat > 90 ? 90 : centerLat)
        // Angular distance ≥ |Δdec| for valid latitudes: most rows of a scan stop here.
        if abs(lat) <= 90 && abs(lat - cLat) > r + 1e-6 { return false }
        let d2r = SkyAngle.radiansPerDegree
        let sinHalfDLat = sin((lat - cLat) * (0.5 * d2r))
        let sinHalfDLon = sin((lon - centerLon) * (0.5 * d2r))
        let h = sinHalfDLat * sinHalfDLat + cos(lat * d2r) * cos(cLat * d2r) * sinHalfDLon * sinHalfDLon
        let half = min(Double.pi / 2, (r * d2r + SkyAngle.boundaryToleranceRadians) * 0.5)
        let s = sin(half)
        return h <= s * s
    }
}
