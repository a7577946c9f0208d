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
