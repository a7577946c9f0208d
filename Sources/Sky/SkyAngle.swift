#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// Angle helpers. All public Sky APIs take and return **degrees**; radians are used internally.
public enum SkyAngle {
    /// π/180, spelled like lsst.sphgeom's `RAD_PER_DEG` so conversions round identically.
    public static let radiansPerDegree: Double = 0.0174532925199432957692369076849
    /// 180/π, spelled like lsst.sphgeom's `DEG_PER_RAD`.
    public static let degreesPerRadian: Double = 57.2957795130823208767981548141

    /// Points within this angular distance (radians) of a region boundary count as inside it.
    public static let boundaryToleranceRadians: Double = 1.0e-12
    /// `boundaryToleranceRadians` in degrees.
    public static let boundaryToleranceDegrees: Double = 1.0e-12 * 57.2957795130823208767981548141

    @inlinable public static func radians(fromDegrees d: Double) -> Double { d * radiansPerDegree }
    @inlinable public static func degrees(fromRadians r: Double) -> Double { r * degreesPerRadian }

    /// Range-reduces a longitude (degrees) to `[0, 360)`. NaN stays NaN.
    @inlinable public static func normalizedLongitude(_ lon: Double) -> Double {
        if lon >= 0 && lon < 360 { return lon }
        var r = fmod(lon, 360.0)
        if r < 0 { r += 360.0 }
        if r >= 360.0 { r = 0 }
        return r
    }

    /// Clamps a latitude (degrees) to `[-90, 90]`. NaN stays NaN.
    @inlinable public static func clampedLatitude(_ lat: Double) -> Double {
        lat < -90 ? -90 : (lat > 90 ? 90 : lat)
    }

    /// Angular separation in degrees between two positions given in degrees.
    /// Numerically stable for all separations (atan2 of |a×b| and a·b).
    public static func separation(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        UnitVector3(lon: lon1, lat: lat1).angularSeparation(to: UnitVector3(lon: lon2, lat: lat2))
    }

    /// Smallest non-negative difference between two longitudes (degrees), in `[0, 180]`.
    @inlinable public static func longitudeDistance(_ a: Double, _ b: Double) -> Double {
        let d = abs(normalizedLongitude(a - b))
        return min(d, 360 - d)
    }
}
