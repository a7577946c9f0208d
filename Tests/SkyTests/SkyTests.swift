import Foundation
import Testing

@testable import Sky

// MARK: - Geometry

@Suite struct GeometryTests {
    @Test(arguments: [
        (0.0, 0.0), (90.0, 0.0), (180.0, 45.0), (359.5, -30.0), (12.25, 89.0), (200.0, -89.0), (0.0, 90.0), (0.0, -90.0),
    ])
    func lonLatRoundTrip(lon: Double, lat: Double) {
        let v = UnitVector3(lon: lon, lat: lat)
        #expect(abs(v.x * v.x + v.y * v.y + v.z * v.z - 1) < 1e-15)
        #expect(abs(v.lat - lat) < 1e-12)
        if abs(lat) < 90 { #expect(SkyAngle.longitudeDistance(v.lon, lon) < 1e-12) }
    }

    @Test(arguments: [
        // lon1, lat1, lon2, lat2, expected separation (deg)
        (0.0, 0.0, 90.0, 0.0, 90.0),
        (0.0, 0.0, 180.0, 0.0, 180.0),
        (10.0, 20.0, 10.0, 20.0, 0.0),
        (0.0, 90.0, 123.0, 90.0, 0.0),
        (359.9, 0.0, 0.1, 0.0, 0.2),
        (0.0, 89.0, 180.0, 89.0, 2.0),
        (0.0, 0.0, 0.0, 1e-10, 1e-10),
        (0.0, 0.0, 180.0, 1e-10, 180.0 - 1e-10),
    ])
    func separation(lon1: Double, lat1: Double, lon2: Double, lat2: Double, expected: Double) {
        let d = SkyAngle.separation(lon1: lon1, lat1: lat1, lon2: lon2, lat2: lat2)
        #expect(abs(d - expected) <= 1e-12 * max(1, expected), "got \(d)")
    }

    @Test(arguments: [(-10.0, 350.0), (360.0, 0.0), (720.5, 0.5), (-1e-20, 0.0), (359.0, 359.0), (-360.0, 0.0)])
    func normalizeLongitude(input: Double, expected: Double) {
        let n = SkyAngle.normalizedLongitude(input)
        #expect(n >= 0 && n < 360)
        #expect(abs(n - expected) < 1e-9)
    }
}

// MARK: - Regions

@Suite struct RegionTests {
    /// The planner's pruning notes quote this text: each vertex as `(lon, lat)`, in order.
    @Test func polygonDescriptionListsItsVertices() throws {
        let p = try SkyPolygon(vertices: [(62, -37), (63, -37), (63, -36), (62, -36)])
        let listed = p.lonLatVertices.map { "(\($0.lon), \($0.lat))" }.joined(separator: ", ")
        #expect(p.description == "SkyPolygon(\(listed))")
        #expect(p.lonLatVertices.count == 4)
    }

    static let circle = SkyRegion.circle(SkyCircle(centerLon: 10, centerLat: 20, radius: 1))
    static let polarCircle = SkyRegion.circle(SkyCircle(centerLon: 0, centerLat: 89.5, radius: 1))
    static let wrapBox = SkyRegion.box(SkyBox(lonMin: 350, lonMax: 10, latMin: -5, latMax: 5))
    static let capBox = SkyRegion.box(SkyBox(lonMin: 0, lonMax: 360, latMin: 80, latMax: 90))
    static let triangle = SkyRegion.polygon(try! SkyPolygon(vertices: [(0, 0), (10, 0), (5, 8)]))
    static let wrapPolygon = SkyRegion.polygon(try! SkyPolygon(vertices: [(355, -2), (5, -2), (5, 2), (355, 2)]))
    static let polePolygon = SkyRegion.polygon(try! SkyPolygon(vertices: [(0, 80), (120, 80), (240, 80)]))

    @Test(arguments: [
        (circle, 10.0, 20.0, true), (circle, 10.0, 21.0, true), (circle, 10.0, 21.0 + 1e-9, false),
        (circle, 11.064, 20.0, true), (circle, 190.0, -20.0, false),
        (polarCircle, 180.0, 89.5, true), (polarCircle, 77.0, 90.0, true), (polarCircle, 180.0, 89.4, false),
        (wrapBox, 0.0, 0.0, true), (wrapBox, 360.0, 0.0, true), (wrapBox, 355.0, 5.0, true), (wrapBox, -5.0, -5.0, true),
        (wrapBox, 10.0, 5.0, true), (wrapBox, 10.000001, 0.0, false), (wrapBox, 180.0, 0.0, false), (wrapBox, 349.9, 0.0, false),
        (capBox, 123.0, 90.0, true), (capBox, 0.0, 80.0, true), (capBox, 0.0, 79.99, false),
        (triangle, 5.0, 1.0, true), (triangle, 0.0, 0.0, true), (triangle, 5.0, 0.0, true), (triangle, 5.0, -0.001, false),
        (triangle, 5.0, 8.0, true), (triangle, 5.0, 8.001, false), (triangle, 185.0, -1.0, false),
        (wrapPolygon, 0.0, 0.0, true), (wrapPolygon, 359.0, 1.0, true), (wrapPolygon, 4.0, -1.9, true),
        (wrapPolygon, 6.0, 0.0, false), (wrapPolygon, 180.0, 0.0, false),
        (polePolygon, 0.0, 90.0, true), (polePolygon, 60.0, 79.0, false), (polePolygon, 60.0, 85.0, true),
        (polePolygon, 0.0, -90.0, false),
    ])
    func containment(region: SkyRegion, lon: Double, lat: Double, expected: Bool) {
        #expect(region.contains(lon: lon, lat: lat) == expected, "\(region) ∋ (\(lon), \(lat))")
    }

    @Test func polygonWindingIsNormalized() throws {
        let ccw = try SkyPolygon(vertices: [(0, 0), (10, 0), (5, 8)])
        let cw = try SkyPolygon(vertices: [(5, 8), (10, 0), (0, 0)])
        #expect(cw.contains(lon: 5, lat: 2) && ccw.contains(lon: 5, lat: 2))
        #expect(abs(cw.area - ccw.area) < 1e-9)
        #expect(Set(cw.vertices) == Set(ccw.vertices))
        // A closing vertex equal to the first is accepted.
        let closed = try SkyPolygon(vertices: [(0, 0), (10, 0), (5, 8), (0, 0)])
        #expect(closed.vertices.count == 3)
    }

    @Test(arguments: [
        [(0.0, 0.0), (10.0, 0.0)],
        [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)],  // on one great circle
        [(0.0, 0.0), (10.0, 0.0), (10.0, 0.0), (0.0, 0.0)],
        [(0.0, 0.0), (10.0, 0.0), (2.0, 2.0), (10.0, 10.0), (0.0, 10.0)],  // reflex vertex
        [(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)],  // bow tie
        [(0.0, 0.0), (180.0, 0.0), (90.0, 45.0)],  // antipodal neighbours
    ])
    func badPolygonsAreRejected(vertices: [(Double, Double)]) {
        #expect(throws: SkyError.self) { try SkyPolygon(vertices: vertices.map { (lon: $0.0, lat: $0.1) }) }
    }

    @Test func areas() throws {
        let sphere = 4 * Double.pi * SkyAngle.degreesPerRadian * SkyAngle.degreesPerRadian
        #expect(abs(SkyRegion.box(.full).area - sphere) < 1e-9)
        #expect(abs(SkyRegion.circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 90)).area - sphere / 2) < 1e-9)
        #expect(abs(SkyRegion.circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 180)).area - sphere) < 1e-9)
        // Octant triangle = 1/8 of the sphere.
        let octant = try SkyPolygon(vertices: [(0, 0), (90, 0), (0, 90)])
        #expect(abs(octant.area - sphere / 8) < 1e-9)
        // A small box: Δlon · Δ(sin lat).
        let b = SkyBox(lonMin: 359, lonMax: 1, latMin: 0, latMax: 1)
        #expect(abs(b.area - 2 * sin(1 * Double.pi / 180) * SkyAngle.degreesPerRadian) < 1e-9)
        // A tiny circle ≈ π r².
        let c = SkyCircle(centerLon: 10, centerLat: 10, radius: 0.01)
        #expect(abs(c.area - Double.pi * 1e-4) < 1e-9)
    }

    @Test func adqlBoxConstructor() {
        let b = SkyBox(centerLon: 0, centerLat: 89, width: 20, height: 4)
        #expect(b.lonMin == 350 && b.lonMax == 10 && b.wrapsLongitude)
        #expect(b.latMin == 87 && b.latMax == 90)
        let full = SkyBox(centerLon: 100, centerLat: 0, width: 400, height: 2)
        #expect(full.isFullLongitude)
    }

    @Test(arguments: [
        // Circle/circle
        (
            SkyRegion.circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 1)),
            SkyRegion.circle(SkyCircle(centerLon: 2, centerLat: 0, radius: 1)), true
        ),
        (
            .circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 1)),
            .circle(SkyCircle(centerLon: 2.001, centerLat: 0, radius: 1)), false
        ),
        (
            .circle(SkyCircle(centerLon: 359.5, centerLat: 0, radius: 0.5)),
            .circle(SkyCircle(centerLon: 0.5, centerLat: 0, radius: 0.5)), true
        ),
        // Circle/box: near a corner (corner distance matters, not the bounding box).
        (
            .circle(SkyCircle(centerLon: 11, centerLat: 11, radius: 1.3)),
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 0, latMax: 10)), false
        ),
        (
            .circle(SkyCircle(centerLon: 11, centerLat: 11, radius: 1.45)),
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 0, latMax: 10)), true
        ),
        (.circle(SkyCircle(centerLon: 180, centerLat: 89, radius: 2)), capBox, true),
        (.circle(SkyCircle(centerLon: 5, centerLat: 0, radius: 0.1)), wrapBox, true),
        // Over the pole: the nearest box point, (10, 88), is 6.97824° away.
        (
            .circle(SkyCircle(centerLon: 180, centerLat: 85, radius: 6.979)),
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 85, latMax: 88)), true
        ),
        (
            .circle(SkyCircle(centerLon: 180, centerLat: 85, radius: 6.978)),
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 85, latMax: 88)), false
        ),
        // Box/box: across 0/360 and at the pole.
        (wrapBox, .box(SkyBox(lonMin: 9, lonMax: 20, latMin: 4, latMax: 6)), true),
        (wrapBox, .box(SkyBox(lonMin: 10.5, lonMax: 349.5, latMin: -1, latMax: 1)), false),
        (
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 80, latMax: 90)),
            .box(SkyBox(lonMin: 100, lonMax: 110, latMin: 85, latMax: 90)), true
        ),
        (
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 80, latMax: 89)),
            .box(SkyBox(lonMin: 100, lonMax: 110, latMin: 85, latMax: 90)), false
        ),
        // Circle/polygon: edge interior closer than any vertex.
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: -0.5, radius: 0.51)), true),
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: -0.5, radius: 0.49)), false),
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: 3, radius: 0.1)), true),  // circle inside
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: 3, radius: 30)), true),  // polygon inside
        // Polygon/polygon: crossing edges with no vertex inside the other.
        (
            .polygon(try! SkyPolygon(vertices: [(0, -1), (10, -1), (10, 1), (0, 1)])),
            .polygon(try! SkyPolygon(vertices: [(4, -5), (6, -5), (6, 5), (4, 5)])), true
        ),
        (triangle, .polygon(try! SkyPolygon(vertices: [(20, 0), (30, 0), (25, 8)])), false),
        (wrapPolygon, .polygon(try! SkyPolygon(vertices: [(4, -10), (6, -10), (5, 10)])), true),
        // Box/polygon: a polygon edge crossing the box's parallel edge only.
        (
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 10, latMax: 20)),
            .polygon(try! SkyPolygon(vertices: [(4, 5), (6, 5), (5, 10.5)])), true
        ),
        (
            .box(SkyBox(lonMin: 0, lonMax: 10, latMin: 10, latMax: 20)),
            .polygon(try! SkyPolygon(vertices: [(4, 5), (6, 5), (5, 9.5)])), false
        ),
        // The great circle between two points at latitude 60 bulges north: the box below it is missed.
        (
            .box(SkyBox(lonMin: 0, lonMax: 60, latMin: 59, latMax: 60.5)),
            .polygon(try! SkyPolygon(vertices: [(0, 61), (60, 61), (30, 70)])), false
        ),
        (
            .box(SkyBox(lonMin: 0, lonMax: 60, latMin: 59, latMax: 62)),
            .polygon(try! SkyPolygon(vertices: [(0, 61), (60, 61), (30, 70)])), true
        ),
        // Full-longitude band inside a polar polygon (no corners at all).
        (.box(SkyBox(lonMin: 0, lonMax: 360, latMin: 85, latMax: 88)), polePolygon, true),
        (capBox, .polygon(try! SkyPolygon(vertices: [(0, 70), (10, 70), (5, 75)])), false),
    ])
    func exactIntersection(a: SkyRegion, b: SkyRegion, expected: Bool) {
        #expect(a.intersectsExactly(b) == expected, "\(a) ∩ \(b)")
        #expect(b.intersectsExactly(a) == expected, "symmetric")
        if expected {
            // The conservative box test must never say disjoint when they intersect.
            if case .box(let box) = b { #expect(a.mayIntersect(box)) }
            if case .box(let box) = a { #expect(b.mayIntersect(box)) }
        }
    }

    @Test(arguments: [
        (
            SkyRegion.circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 5)),
            SkyRegion.circle(SkyCircle(centerLon: 359, centerLat: 1, radius: 2)), true
        ),
        (
            .circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 5)), .circle(SkyCircle(centerLon: 4, centerLat: 0, radius: 2)),
            false
        ),
        (.circle(SkyCircle(centerLon: 5, centerLat: 3, radius: 10)), triangle, true),
        (.circle(SkyCircle(centerLon: 5, centerLat: 3, radius: 5)), triangle, false),
        (.circle(SkyCircle(centerLon: 0, centerLat: 90, radius: 10.01)), capBox, true),
        (.circle(SkyCircle(centerLon: 0, centerLat: 90, radius: 9.99)), capBox, false),
        (wrapBox, .circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 4.9)), true),
        (wrapBox, .circle(SkyCircle(centerLon: 0, centerLat: 0, radius: 5.1)), false),
        (wrapBox, wrapPolygon, true),
        (wrapPolygon, wrapBox, false),
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: 3, radius: 0.5)), true),
        (triangle, .circle(SkyCircle(centerLon: 5, centerLat: 1, radius: 1.5)), false),
        (polePolygon, capBox, false),
        (.polygon(try! SkyPolygon(vertices: [(0, 60), (90, 60), (180, 60), (270, 60)])), capBox, true),
        // The parallel at 60.5 between lon 10 and 80 bulges below the great circle through the corners.
        (
            .polygon(try! SkyPolygon(vertices: [(10, 60.5), (80, 60.5), (80, 70), (10, 70)])),
            .box(SkyBox(lonMin: 10, lonMax: 80, latMin: 60.5, latMax: 65)), false
        ),
    ])
    func exactContainment(outer: SkyRegion, inner: SkyRegion, expected: Bool) {
        #expect(outer.containsExactly(inner) == expected, "\(outer) ⊇ \(inner)")
        if expected { #expect(outer.intersectsExactly(inner)) }
    }

    @Test func randomizedExactIntersectsAgreesWithSampling() throws {
        // Cross-check intersectsExactly against dense sampling of one region's interior.
        var rng = SplitMix64(seed: 7)
        var checked = 0
        for _ in 0..<300 {
            let a = randomRegion(&rng)
            let c = a.boundingBox
            let b = randomRegion(&rng, near: (c.centerLon + (rng.unit() - 0.5) * min(c.lonWidth, 20), c.centerLat))
            let exact = a.intersectsExactly(b)
            // Sample points of a; any point in b proves intersection.
            let bb = a.boundingBox
            var found = false
            for _ in 0..<400 where !found {
                let lon = bb.lonMin + rng.unit() * bb.lonWidth
                let lat = bb.latMin + rng.unit() * (bb.latMax - bb.latMin)
                if a.contains(lon: lon, lat: lat) && b.contains(lon: lon, lat: lat) { found = true }
            }
            if found { #expect(exact, "\(a) ∩ \(b) sampled a common point"); checked += 1 }
            if exact, case .box(let box) = b { #expect(a.mayIntersect(box)) }
        }
        #expect(checked > 20)
    }

    @Test func boundingBoxesContainSamples() throws {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let r = randomRegion(&rng)
            let bb = r.boundingBox.dilated(byRadians: 1e-12)
            // Points on a coarse lon/lat grid around the region.
            for i in 0..<40 {
                for j in 0..<40 {
                    let lon = Double(i) * 9, lat = -90 + Double(j) * 4.5
                    if r.contains(lon: lon, lat: lat) { #expect(bb.contains(lon: lon, lat: lat), "\(r) bbox \(bb)") }
                }
            }
        }
    }
}

// MARK: - Chunker

@Suite struct ChunkerTests {
    static let configs: [(Int, Int)] = [(340, 3), (18, 2), (85, 12), (1, 1), (2, 5)]

    @Test(arguments: configs)
    func everyPointIsInItsChunkAndSubChunk(stripes: Int, subStripes: Int) {
        let ch = Chunker(numStripes: stripes, numSubStripesPerStripe: subStripes)
        var rng = SplitMix64(seed: UInt64(stripes * 1000 + subStripes))
        for i in 0..<3000 {
            var lon = rng.unit() * 360, lat = asin(2 * rng.unit() - 1) * SkyAngle.degreesPerRadian
            if i % 50 == 0 { lat = i % 100 == 0 ? 90 : -90 }
            if i % 37 == 0 { lon = 0 }
            let loc = ch.location(lon: lon, lat: lat)
            #expect(ch.chunkId(lon: lon, lat: lat) == loc.chunkId)
            #expect(ch.isValid(chunkId: loc.chunkId) && ch.isValid(chunkId: loc.chunkId, subChunkId: loc.subChunkId))
            #expect(ch.chunkBounds(loc.chunkId).dilated(byRadians: 1e-12).contains(lon: lon, lat: lat))
            #expect(
                ch.subChunkBounds(chunkId: loc.chunkId, subChunkId: loc.subChunkId)
                    .dilated(byRadians: 1e-12).contains(lon: lon, lat: lat))
            #expect(ch.allSubChunks(of: loc.chunkId).contains(loc.subChunkId))
            // A tiny circle around the point must list the point's chunk and sub-chunk.
            let tiny = SkyRegion.circle(SkyCircle(centerLon: lon, centerLat: lat, radius: 1e-7))
            if i % 10 == 0 {
                #expect(ch.chunks(intersecting: tiny).contains(loc.chunkId))
                #expect(ch.subChunks(of: loc.chunkId, intersecting: tiny).contains(loc.subChunkId))
            }
        }
    }

    @Test func wrapAndPoles() {
        let ch = Chunker(numStripes: 340, numSubStripesPerStripe: 3)
        #expect(ch.location(lon: 360, lat: 12) == ch.location(lon: 0, lat: 12))
        #expect(ch.location(lon: -0.5, lat: 12) == ch.location(lon: 359.5, lat: 12))
        #expect(ch.location(lon: 720.25, lat: -3) == ch.location(lon: 0.25, lat: -3))
        // Every longitude at a pole lands in the single polar chunk.
        let north = ch.chunkId(lon: 0, lat: 90)
        for lon in stride(from: 0.0, to: 360, by: 7.5) { #expect(ch.chunkId(lon: lon, lat: 90) == north) }
        #expect(ch.chunkId(lon: 0, lat: -90) == 0)
        #expect(ch.location(lon: .nan, lat: 0) == (-1, -1))
        #expect(ch.location(lon: 10, lat: 95) == ch.location(lon: 10, lat: 90))
    }

    @Test(arguments: configs)
    func allChunksAndSubChunksTileTheSky(stripes: Int, subStripes: Int) {
        let ch = Chunker(numStripes: stripes, numSubStripesPerStripe: subStripes)
        let all = ch.allChunks()
        #expect(all == all.sorted() && Set(all).count == all.count)
        var area = 0.0
        for c in all {
            let b = ch.chunkBounds(c)
            area += b.area
            var subArea = 0.0
            for s in ch.allSubChunks(of: c) { subArea += ch.subChunkBounds(chunkId: c, subChunkId: s).area }
            #expect(abs(subArea - b.area) < 1e-9 * max(1, b.area))
        }
        #expect(abs(area - 4 * Double.pi * SkyAngle.degreesPerRadian * SkyAngle.degreesPerRadian) < 1e-6)
        #expect(ch.chunks(intersecting: .box(.full)) == all)
    }

    @Test func dp02Layout() {
        let ch = Chunker(numStripes: 340, numSubStripesPerStripe: 3)
        #expect(ch.allChunks().count == 146_332)
        #expect(ch.numChunks(inStripe: 0) == 1 && ch.numChunks(inStripe: 339) == 1)
        #expect(ch.numChunks(inStripe: 170) == 679)
        #expect(ch.maxSubChunksPerSubStripeChunk == 12)
    }

    @Test(arguments: [0.01667, 0.1])
    func overlapChunksAreNeighbours(overlap: Double) throws {
        let ch = Chunker(numStripes: 85, numSubStripesPerStripe: 12)
        try ch.validateOverlap(overlap)
        var rng = SplitMix64(seed: 99)
        var withOverlap = 0
        for i in 0..<4000 {
            let lon = rng.unit() * 360
            let lat = i % 400 == 0 ? 89.99 : asin(2 * rng.unit() - 1) * SkyAngle.degreesPerRadian
            let home = ch.location(lon: lon, lat: lat)
            let overlapIds = ch.overlapChunks(lon: lon, lat: lat, overlap: overlap)
            #expect(!overlapIds.contains(home.chunkId))
            if !overlapIds.isEmpty { withOverlap += 1 }
            let p = UnitVector3(lon: lon, lat: lat)
            for c in overlapIds {
                // The point is within the overlap margin of that chunk (lat ± overlap, lon ± alpha ≥ angular dilation).
                let b = ch.chunkBounds(c)
                #expect(
                    b.dilated(byRadians: overlap * SkyAngle.radiansPerDegree * (1 + 1e-9)).contains(lon: lon, lat: lat),
                    "\(c) \(b) (\(lon), \(lat))")
            }
            // Completeness: every other chunk strictly within `overlap` of the point is listed.
            let near = ch.chunks(intersecting: .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: overlap * 0.999)))
            for c in near where c != home.chunkId {
                let d = SphericalMath.distance(from: Vec3(p), lon: lon, lat: lat, to: ch.chunkBounds(c))
                if d < overlap * 0.999 * SkyAngle.radiansPerDegree { #expect(overlapIds.contains(c), "missing \(c)") }
            }
            // Overlap sub-chunks in the home chunk exclude the home sub-chunk.
            #expect(!ch.subChunkOverlapIds(chunkId: home.chunkId, lon: lon, lat: lat, overlap: overlap).contains(home.subChunkId))
            for loc in ch.overlapLocations(lon: lon, lat: lat, overlap: overlap) {
                #expect(ch.isValid(chunkId: loc.chunkId, subChunkId: loc.subChunkId) && loc.isOverlap)
            }
        }
        #expect(withOverlap > 0)
        #expect(throws: SkyError.self) { try ch.validateOverlap(5) }
    }

    @Test func invalidConfigurationsThrow() {
        #expect(throws: SkyError.self) { try Chunker(validatingStripes: 0, subStripes: 3) }
        #expect(throws: SkyError.self) { try Chunker(validatingStripes: 340, subStripes: 10_000) }
        #expect(Chunker(numStripes: 340, numSubStripesPerStripe: 3) == Chunker(numStripes: 340, numSubStripesPerStripe: 3))
    }

    @Test func regionChunkSetsContainTheirPoints() {
        // Every sampled point of a region lies in a chunk (and sub-chunk) listed for the region.
        let ch = Chunker(numStripes: 85, numSubStripesPerStripe: 12)
        var rng = SplitMix64(seed: 5)
        for _ in 0..<60 {
            let r = randomRegion(&rng)
            let ids = Set(ch.chunks(intersecting: r))
            let bb = r.boundingBox
            var subsByChunk: [Int: Set<Int>] = [:]
            for _ in 0..<300 {
                let lon = bb.lonMin + rng.unit() * bb.lonWidth
                let lat = bb.latMin + rng.unit() * (bb.latMax - bb.latMin)
                guard r.contains(lon: lon, lat: lat) else { continue }
                let loc = ch.location(lon: lon, lat: lat)
                #expect(ids.contains(loc.chunkId), "\(r) misses chunk \(loc.chunkId)")
                if subsByChunk[loc.chunkId] == nil {
                    subsByChunk[loc.chunkId] = Set(ch.subChunks(of: loc.chunkId, intersecting: r))
                }
                #expect(subsByChunk[loc.chunkId]!.contains(loc.subChunkId))
            }
        }
    }

    /// A circle's longitude half-width over a latitude band holds every point of the circle in
    /// that band, the edge included (points on the edge are the widest), and is tight: it
    /// equals the bounding box's half-width for a band holding the widest latitude and is not
    /// much wider than the widest edge point found in the band.
    @Test func longitudeHalfWidthOverABandHoldsTheCirclesPoints() throws {
        var rng = SplitMix64(seed: 23)
        let rad = Double.pi / 180
        var bandsChecked = 0, narrower = 0
        for _ in 0..<120 {
            let radius = [1e-4, 0.01, 0.05, 0.5, 2, 5][Int(rng.next() % 6)] * (0.5 + rng.unit())
            let lat = (rng.unit() * 2 - 1) * (88 - radius)
            let circle = SkyCircle(centerLon: 10 + rng.unit() * 340, centerLat: lat, radius: radius)
            let full = (circle.boundingBox.lonMax - circle.boundingBox.lonMin) / 2
            // Points on the edge, a little inside the containment tolerance.
            let r = (radius * rad + 0.9e-12)
            let edge: [(lon: Double, lat: Double)] = (0..<2000).map { k in
                let theta = Double(k) / 2000 * 2 * .pi
                let d = circle.centerLat * rad
                let lat2 = asin(sin(d) * cos(r) + cos(d) * sin(r) * cos(theta))
                let dlon = atan2(sin(theta) * sin(r) * cos(d), cos(r) - sin(d) * sin(lat2))
                return (circle.centerLon + dlon / rad, lat2 / rad)
            }
            // Bands of a zone's height (1/30°) and wider ones, across the circle.
            for height in [1.0 / 30, radius / 3, radius] {
                var low = circle.centerLat - radius - height / 2
                while low < circle.centerLat + radius {
                    let high = low + height
                    defer { low = high }
                    let inBand = edge.filter { $0.lat >= low && $0.lat <= high }
                    guard let width = circle.longitudeHalfWidth(latitudesFrom: low, to: high) else {
                        #expect(inBand.isEmpty, "\(circle) [\(low), \(high)]: no width but edge points")
                        continue
                    }
                    #expect(width <= full + 2e-7, "\(circle) [\(low), \(high)]: \(width) > \(full)")
                    var widest = 0.0
                    for p in inBand {
                        #expect(circle.contains(lon: p.lon, lat: p.lat))
                        let offset = abs(p.lon - circle.centerLon)
                        #expect(offset <= width, "\(circle) [\(low), \(high)]: edge point \(p) beyond \(width)")
                        widest = max(widest, offset)
                    }
                    if !inBand.isEmpty {
                        // 2000 edge points are ~0.003 r apart: the widest found is near the true one.
                        #expect(width - widest <= 0.01 * full + 2e-7, "\(circle) [\(low), \(high)]: \(width) vs \(widest)")
                        bandsChecked += 1
                    }
                    let middle = asin(sin(circle.centerLat * rad) / cos(radius * rad)) / rad
                    if middle >= low && middle <= high {
                        #expect(width >= full - 1e-9, "\(circle) [\(low), \(high)] holds the widest latitude")
                    } else if width < 0.9 * full {
                        narrower += 1
                    }
                }
            }
        }
        print("longitude half-widths: \(bandsChecked) bands with edge points, \(narrower) narrower than 0.9 of the box")
        #expect(bandsChecked > 2000)
        #expect(narrower > 400)
    }
}

// MARK: - Helpers

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

func randomRegion(_ rng: inout SplitMix64, near: (Double, Double)? = nil) -> SkyRegion {
    var lon = rng.unit() * 360
    var lat = rng.unit() < 0.2 ? (80 + rng.unit() * 10) * (rng.unit() < 0.5 ? 1 : -1) : -85 + rng.unit() * 170
    if let (l, b) = near {
        lon = l + (rng.unit() - 0.5) * 4
        lat = max(-89.9, min(89.9, b + (rng.unit() - 0.5) * 4))
    }
    let size = [0.01, 0.3, 2.0, 10.0][Int(rng.next() % 4)]
    switch rng.next() % 3 {
    case 0:
        return .circle(SkyCircle(centerLon: lon, centerLat: lat, radius: size))
    case 1:
        return .box(SkyBox(centerLon: lon, centerLat: lat, width: size * 2, height: size))
    default:
        // A regular-ish polygon around (lon, lat).
        let n = 3 + Int(rng.next() % 5)
        let c = UnitVector3(lon: lon, lat: lat)
        let phase = rng.unit() * 2 * Double.pi
        var verts: [UnitVector3] = []
        let e = Vec3(-sin(lon * SkyAngle.radiansPerDegree), cos(lon * SkyAngle.radiansPerDegree), 0)
        let nv = Vec3(c).cross(e)
        let r = size * SkyAngle.radiansPerDegree
        for k in 0..<n {
            let t = phase + 2 * Double.pi * Double(k) / Double(n)
            let v = Vec3(c) * cos(r) + (e * cos(t) + nv * sin(t)) * sin(r)
            verts.append(v.unit)
        }
        return .polygon(try! SkyPolygon(unitVectors: verts))
    }
}
