#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// A 3-vector that is not necessarily of unit length (cross products, plane normals).
@usableFromInline
struct Vec3: Sendable, Hashable {
    @usableFromInline var x: Double
    @usableFromInline var y: Double
    @usableFromInline var z: Double

    @inlinable init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }
    @inlinable init(_ u: UnitVector3) { x = u.x; y = u.y; z = u.z }

    @inlinable func dot(_ o: Vec3) -> Double { x * o.x + y * o.y + z * o.z }
    @inlinable func cross(_ o: Vec3) -> Vec3 {
        Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    @inlinable var norm: Double { (x * x + y * y + z * z).squareRoot() }
    @inlinable static prefix func - (v: Vec3) -> Vec3 { Vec3(-v.x, -v.y, -v.z) }
    @inlinable static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable static func * (a: Vec3, s: Double) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    /// The unit vector along this one, or nil if this vector is (numerically) zero.
    @inlinable var normalized: Vec3? {
        let n = norm
        guard n > 0, n.isFinite else { return nil }
        return Vec3(x / n, y / n, z / n)
    }
    @inlinable var unit: UnitVector3 { UnitVector3(uncheckedX: x, y: y, z: z) }

    /// Robust a×b for unit vectors: (b+a)×(b−a) = 2 a×b, more accurate when a ≈ b.
    @inlinable static func robustCross(_ a: Vec3, _ b: Vec3) -> Vec3 { (b + a).cross(b - a) * 0.5 }

    /// Angle in radians between two (not necessarily unit) vectors.
    @inlinable func angle(to o: Vec3) -> Double { atan2(cross(o).norm, dot(o)) }
}

/// A point on the unit sphere.
public struct UnitVector3: Sendable, Hashable, CustomStringConvertible {
    public let x: Double
    public let y: Double
    public let z: Double

    /// Normalizes (x, y, z). A zero vector is a programming error and yields NaN components.
    public init(x: Double, y: Double, z: Double) {
        let n = (x * x + y * y + z * z).squareRoot()
        self.x = x / n; self.y = y / n; self.z = z / n
    }

    @inlinable init(uncheckedX x: Double, y: Double, z: Double) {
        self.x = x; self.y = y; self.z = z
    }

    /// From spherical coordinates in degrees.
    public init(lon: Double, lat: Double) {
        let lonR = lon * SkyAngle.radiansPerDegree
        let latR = lat * SkyAngle.radiansPerDegree
        let cl = cos(latR)
        self.init(uncheckedX: cos(lonR) * cl, y: sin(lonR) * cl, z: sin(latR))
    }

    public static let northPole = UnitVector3(uncheckedX: 0, y: 0, z: 1)
    public static let southPole = UnitVector3(uncheckedX: 0, y: 0, z: -1)

    /// Longitude in degrees, in `[0, 360)`; 0 at the poles.
    public var lon: Double {
        if x == 0 && y == 0 { return 0 }
        return SkyAngle.normalizedLongitude(atan2(y, x) * SkyAngle.degreesPerRadian)
    }

    /// Latitude in degrees, in `[-90, 90]`.
    public var lat: Double { atan2(z, (x * x + y * y).squareRoot()) * SkyAngle.degreesPerRadian }

    @inlinable public func dot(_ o: UnitVector3) -> Double { x * o.x + y * o.y + z * o.z }

    /// Angular separation in degrees (atan2 of |a×b| and a·b: accurate at all separations).
    public func angularSeparation(to o: UnitVector3) -> Double {
        Vec3(self).angle(to: Vec3(o)) * SkyAngle.degreesPerRadian
    }

    @inlinable public static prefix func - (v: UnitVector3) -> UnitVector3 {
        UnitVector3(uncheckedX: -v.x, y: -v.y, z: -v.z)
    }

    public var description: String { "(\(x), \(y), \(z))" }
}
