/// The error of the Sky target: a chunking configuration or overlap the Qserv partitioner would
/// refuse, or a polygon that is not a convex spherical polygon.
public struct SkyError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Stripe and sub-stripe counts out of range.
        case invalidChunking
        /// An overlap radius out of range for the chunking.
        case invalidOverlap
        /// Fewer than 3 distinct polygon vertices.
        case tooFewVertices
        case nonFiniteCoordinate
        /// Zero area, antipodal or coincident neighbours, or all vertices on one great circle.
        case degeneratePolygon
        case nonConvexPolygon
    }

    public var code: Code
    /// The message for a person, with the values that were refused.
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
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
