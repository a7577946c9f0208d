/// The error of the Sky target: a chunking configuration or overlap the Qserv partitioner would
/// refuse, or a polygon that is not a convex spherical polygon.
public struct SkyError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A chunking the partitioner would refuse: stripe and sub-stripe counts, or an overlap
        /// radius, out of range.
        case invalidChunking, invalidOverlap
        /// Not a convex spherical polygon: fewer than 3 distinct vertices, a coordinate that is
        /// not finite, zero area (antipodal or coincident neighbours, all vertices on one great
        /// circle), or not convex.
        case tooFewVertices, nonFiniteCoordinate, degeneratePolygon, nonConvexPolygon
    }

    public var code: Code
    /// The message for a person, with the values that were refused.
    public var message: String
    /// Sky's errors are about the values given to it: none has a cause below it.
    public var cause: (any Error)? { nil }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func invalidStripes(numStripes n: Int, numSubStripesPerStripe m: Int) -> SkyError {
        SkyError(.invalidChunking, "invalid chunking: \(n) stripes × \(m) sub-stripes (both must be ≥ 1, product ≤ 648000)")
    }

    static func invalidOverlap(_ overlap: Double, reason: String) -> SkyError {
        SkyError(.invalidOverlap, "invalid overlap \(overlap)°: \(reason)")
    }

    static func tooFewVertices(_ n: Int) -> SkyError {
        SkyError(.tooFewVertices, "a polygon needs at least 3 distinct vertices, got \(n)")
    }

    static let nonFiniteCoordinate = SkyError(.nonFiniteCoordinate, "polygon vertex coordinates must be finite")
    static let degeneratePolygon = SkyError(
        .degeneratePolygon, "degenerate polygon (zero area, antipodal or repeated vertices)")
    static let nonConvexPolygon = SkyError(
        .nonConvexPolygon, "polygon is not convex (spherical polygons must be convex, with great-circle edges)")
}
