import Foundation
import Testing

@testable import Sky

/// Checks against Fixtures/sphgeom_reference.csv, generated once with the real lsst.sphgeom by
/// scripts/interop/gen_chunker_fixture.py.
@Suite struct SphgeomReferenceTests {
    struct Row: Sendable {
        let kind: String
        let stripes: Int
        let subStripes: Int
        let params: [Double]
        let rawParams: String
        let expected: [String]
    }

    static let rows: [Row] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sphgeom_reference.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return Row(
                kind: String(f[0]), stripes: Int(f[1])!, subStripes: Int(f[2])!,
                params: f[3].split(separator: " ").compactMap { Double($0) }, rawParams: String(f[3]),
                expected: f[4].split(separator: " ").map(String.init))
        }
    }()

    static func chunker(_ r: Row) -> Chunker { Chunker(numStripes: r.stripes, numSubStripesPerStripe: r.subStripes) }

    @Test func fixtureIsPresent() {
        #expect(Self.rows.count > 4000)
        #expect(Set(Self.rows.map(\.kind)) == ["layout", "point", "circle", "box", "polygon"])
    }

    @Test func layoutMatches() {
        for r in Self.rows where r.kind == "layout" {
            let ch = Self.chunker(r)
            let stripe = Int(r.rawParams)!
            #expect(r.expected[0] == "nc=\(ch.numChunks(inStripe: stripe))", "\(r.stripes)/\(r.subStripes) stripe \(stripe)")
            let firstChunk = stripe * 2 * r.stripes
            #expect(ch.allSubChunks(of: firstChunk).map(String.init) == Array(r.expected.dropFirst()))
        }
    }

    @Test func pointLocationsMatch() {
        var unique = 0, boundary = 0
        for r in Self.rows where r.kind == "point" {
            let ch = Self.chunker(r)
            let loc = ch.location(lon: r.params[0], lat: r.params[1])
            let token = "\(loc.chunkId):\(loc.subChunkId)"
            if r.expected.count == 1 {
                unique += 1
                #expect(token == r.expected[0], "\(r.stripes)/\(r.subStripes) (\(r.rawParams))")
            } else {
                boundary += 1
                #expect(r.expected.contains(token), "\(r.stripes)/\(r.subStripes) (\(r.rawParams)) → \(token) ∉ \(r.expected)")
            }
        }
        #expect(unique > 2000 && boundary > 500)
    }

    @Test(arguments: ["circle", "box", "polygon"])
    func regionChunkSetsAreSupersets(kind: String) throws {
        var ours = 0, theirs = 0
        for r in Self.rows where r.kind == kind {
            let ch = Self.chunker(r)
            let region: SkyRegion
            switch kind {
            case "circle": region = .circle(SkyCircle(centerLon: r.params[0], centerLat: r.params[1], radius: r.params[2]))
            case "box": region = .box(SkyBox(lonMin: r.params[0], lonMax: r.params[1], latMin: r.params[2], latMax: r.params[3]))
            default:
                region = .polygon(
                    try SkyPolygon(vertices: stride(from: 0, to: r.params.count, by: 2).map { (r.params[$0], r.params[$0 + 1]) }))
            }
            let got = Set(ch.chunks(intersecting: region))
            // "~k": k more chunks sphgeom lists only through its loose polygon bounding box (provably disjoint).
            let required = Set(r.expected.filter { !$0.hasPrefix("~") }.map { Int($0)! })
            #expect(required.isSubset(of: got), "\(kind) \(r.rawParams): missing \(required.subtracting(got).sorted())")
            ours += got.count
            theirs += required.count
        }
        #expect(ours >= theirs)
    }
}
