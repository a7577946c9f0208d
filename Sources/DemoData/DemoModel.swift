import Foundation
import Ingest

/// The synthetic sky of the demo catalog: footprint, survey visits, tract/patch tiling.
///
/// - Footprint: RA 50…75°, Dec −45…−25° (inside DC2's area).
/// - Where the DP0.2 tutorials look (`hotSpots`: their favourite cone centres), DC2's density,
///   about 135 objects per arcmin², uniform in each spot's disc; the first objects sit exactly
///   on the centres of the tutorials' arcsecond cones (`exactPositions`). The spots take up
///   to half of the objects (`hotObjects`), at a lower density when fewer are generated.
/// - The other positions: 70 % uniform on the sphere inside the footprint (sin(dec) uniform),
///   30 % in 40 Gaussian clusters (σ 0.02…0.25°) whose centres come from the seed.
/// - Tracts: a 2° × 2° grid in (RA, Dec) from (50°, −45°): `tract = 2900 + 20·row + col`
///   (col = ⌊(ra−50)/2⌋ 0…12, row = ⌊(dec+45)/2⌋ 0…9). Patches: each tract split 7 × 7,
///   `patch = 7·py + px` (0…48), px along RA, py along Dec — the DP0.2 sequential patch index.
/// - Visits: `visitCount` pointings in time order, MJD 59580…61400, bands cycling ugrizy with
///   more r and i; each visit covers the footprint with a 5 × 4 grid of 5° detectors, so the
///   detector of a position is `detector = col + 5·row` (col = ⌊(ra−50)/5⌋, row =
///   ⌊(dec+45)/5⌋) and `ccdVisitId = visit·200 + detector`.
public struct DemoSky: Sendable {
    public static let raMin = 50.0, raMax = 75.0
    public static let decMin = -45.0, decMax = -25.0
    public static let bands: [UInt8] = Array("ugrizy".utf8)
    public static let tractSize = 2.0
    /// The first tract number (fixtures/differential queries name tracts 2900…3109).
    public static let tractBase = 2900
    public static let tractColumns = 13, tractRows = 10
    public static let patchesPerSide = 7
    public static let detectorSize = 5.0
    public static let detectorColumns = 5, detectorRows = 4

    struct Cluster { var ra, dec, sigma: Double }
    /// A disc filled at DC2's density.
    struct HotSpot { var ra, dec, radius: Double }

    /// DC2's object density, per square degree (about 135 per arcmin²).
    public static let dc2Density = 135.0 * 3600
    /// The cone centres of the DP0.2 tutorials (`../shared/dp0-queries`), each a disc large
    /// enough for the cones drawn around it there.
    static let hotSpots: [HotSpot] = [
        HotSpot(ra: 62, dec: -37, radius: 0.1),
        HotSpot(ra: 55.745, dec: -32.28, radius: 0.05),
        HotSpot(ra: 62.1479031, dec: -35.799138, radius: 0.012),
        HotSpot(ra: 56.116475, dec: -29.772755, radius: 0.012),
        HotSpot(ra: 50.1089143, dec: -44.4812763, radius: 0.012),
        HotSpot(ra: 67.4579, dec: -44.0802, radius: 0.012),
        HotSpot(ra: 55.6539, dec: -32.19286, radius: 0.012),
        HotSpot(ra: 55.064, dec: -29.783, radius: 0.012),
        HotSpot(ra: 56.0, dec: -40.0, radius: 0.012),
        HotSpot(ra: 57.5, dec: -36.5, radius: 0.02),
    ]
    /// The centres of the tutorials' arcsecond cones: objects 0… sit exactly there.
    static let exactPositions: [(ra: Double, dec: Double)] = [
        (62.1479031, -35.799138), (55.7467, -32.2862), (55.7393808, -32.2751775), (56.116475, -29.772755),
        (50.1089143, -44.4812763), (67.4579, -44.0802), (55.6539, -32.19286), (55.7466, -32.2851),
    ]

    /// How many objects the hot spots get out of `objects`: DC2's density over their area,
    /// but at most half of the objects.
    static func hotObjects(of objects: Int) -> Int {
        let area = hotSpots.reduce(0.0) { $0 + Double.pi * $1.radius * $1.radius }
        return min(Int(area * dc2Density), objects / 2)
    }
    struct Visit {
        var visitId: Int64
        var band: Int
        var mjd: Double
        var ra, dec: Double
        var seeing: Double
        var airmass: Double
        var rotation: Double
        var zeroPoint: Double
        var depth: Double  // 5σ point-source depth (mag)
    }

    let clusters: [Cluster]
    let visits: [Visit]
    /// The objects of the hot spots, and where each spot's share ends (cumulative, by area).
    let hotCount: Int
    let hotEnds: [Int]
    let sinDecMin = sin(decMin * .pi / 180), sinDecMax = sin(decMax * .pi / 180)

    init(seed: UInt64, visitCount: Int = 360, objects: Int = 0) {
        hotCount = Self.hotObjects(of: objects)
        let areas = Self.hotSpots.map { $0.radius * $0.radius }
        let total = areas.reduce(0, +)
        var ends: [Int] = []
        var sum = 0.0
        for a in areas {
            sum += a
            ends.append(Int((Double(hotCount) * sum / total).rounded()))
        }
        hotEnds = ends
        var rng = Xoshiro256(seed: SplitMix64.mix(seed ^ 0x5EED_C1A5_7E25))
        var cl: [Cluster] = []
        for _ in 0..<40 {
            cl.append(
                Cluster(
                    ra: rng.uniform(Self.raMin + 0.5, Self.raMax - 0.5), dec: rng.uniform(Self.decMin + 0.5, Self.decMax - 0.5),
                    sigma: rng.uniform(0.02, 0.25)))
        }
        clusters = cl
        // Band sequence: u g r r i i z y (r and i observed twice as often).
        let bandCycle = [0, 1, 2, 2, 3, 3, 4, 5]
        var vs: [Visit] = []
        let span = 61400.0 - 59580.0 - 1
        let depths = [24.0, 25.0, 24.7, 24.0, 23.3, 22.1]
        for k in 0..<visitCount {
            let band = bandCycle[(k &* 5 &+ k / 8) % bandCycle.count]
            let mjd = 59580.0 + (Double(k) + rng.uniform(0.05, 0.95)) * span / Double(visitCount)
            let airmass = rng.uniform(1.0, 1.6)
            vs.append(
                Visit(
                    visitId: 190_000 + Int64(k) * 17 + Int64(rng.int(0, 16)), band: band, mjd: mjd,
                    ra: rng.uniform(61, 64), dec: rng.uniform(-37, -33),
                    seeing: rng.uniform(0.55, 1.3), airmass: airmass, rotation: rng.uniform(0, 360),
                    zeroPoint: 31.4 + rng.uniform(-0.08, 0.08), depth: depths[band] + rng.uniform(-0.4, 0.3)))
        }
        visits = vs
    }

    /// The position of object `index`: exact, in a hot spot, or elsewhere (see above).
    @inline(__always)
    func position(index: Int, _ rng: inout Xoshiro256) -> (ra: Double, dec: Double) {
        if index < Self.exactPositions.count, index < hotCount { return Self.exactPositions[index] }
        if index < hotCount, let k = hotEnds.firstIndex(where: { index < $0 }) {
            // Uniform in the disc (small enough for a flat approximation).
            let spot = Self.hotSpots[k]
            let r = spot.radius * rng.uniform().squareRoot()
            let angle = rng.uniform(0, 2 * .pi)
            let dec = spot.dec + r * sin(angle)
            return (spot.ra + r * cos(angle) / cos(dec * .pi / 180), dec)
        }
        return position(&rng)
    }

    @inline(__always)
    func position(_ rng: inout Xoshiro256) -> (ra: Double, dec: Double) {
        if rng.chance(0.3) {
            let c = clusters[rng.int(0, clusters.count - 1)]
            for _ in 0..<4 {
                let dec = c.dec + c.sigma * rng.gaussian()
                let ra = c.ra + c.sigma * rng.gaussian() / cos(dec * .pi / 180)
                if ra >= Self.raMin && ra < Self.raMax && dec >= Self.decMin && dec < Self.decMax {
                    return (ra, dec)
                }
            }
        }
        let ra = rng.uniform(Self.raMin, Self.raMax)
        let dec = asin(rng.uniform(sinDecMin, sinDecMax)) * 180 / .pi
        return (ra, dec)
    }

    @inline(__always)
    static func tractPatch(ra: Double, dec: Double) -> (tract: Int, patch: Int, x: Double, y: Double) {
        let fx = (ra - raMin) / tractSize, fy = (dec - decMin) / tractSize
        let col = min(tractColumns - 1, max(0, Int(fx))), row = min(tractRows - 1, max(0, Int(fy)))
        let px = min(patchesPerSide - 1, max(0, Int((fx - Double(col)) * Double(patchesPerSide))))
        let py = min(patchesPerSide - 1, max(0, Int((fy - Double(row)) * Double(patchesPerSide))))
        // Pixel coordinates on the tract (0.2"/pixel, origin at the tract corner).
        let x = (fx - Double(col)) * tractSize * cos(dec * .pi / 180) * 18000
        let y = (fy - Double(row)) * tractSize * 18000
        return (tractBase + 20 * row + col, py * patchesPerSide + px, x, y)
    }

    @inline(__always)
    static func detector(ra: Double, dec: Double) -> Int {
        let col = min(detectorColumns - 1, max(0, Int((ra - raMin) / detectorSize)))
        let row = min(detectorRows - 1, max(0, Int((dec - decMin) / detectorSize)))
        return col + detectorColumns * row
    }
}

/// Flux of an AB magnitude in nJy.
@inline(__always)
func nJy(mag: Double) -> Double { pow(10, (31.4 - mag) / 2.5) }

/// Everything known about the row being written; columns pick what they need.
struct DemoRowContext {
    var pk: Int64 = 0
    var objectIndex: Int = 0
    var objectId: Int64 = 0
    var parentId: Int64 = 0
    var ra = 0.0, dec = 0.0
    var tract = 0, patch = 0
    var x = 0.0, y = 0.0
    var magR = 0.0
    var trueFlux = SIMD8<Double>(repeating: 0)
    var flux = SIMD8<Double>(repeating: 0)  // measured (coadd); NaN = not measured
    var fluxErr = SIMD8<Double>(repeating: 0)
    var extended = false
    var primary = true
    var variable = false
    /// Variability amplitude, as a fraction of the flux (light curves and DiaObject statistics).
    var varAmp = 0.0
    /// Deblending: children of this object when it is a blend parent (0 otherwise).
    var nChild = 0
    var refBand = 3
    // Per-visit rows.
    var band = 0
    var visitIndex = 0
    var visitId: Int64 = 0
    var ccdVisitId: Int64 = 0
    var detector = 0
    var mjd = 0.0
    var epochFlux = 0.0, epochFluxErr = 0.0
    var diffFlux = 0.0, diffFluxErr = 0.0
    var count = 0
    var seeing = 1.0, airmass = 1.0, rotation = 0.0, zeroPoint = 31.4
    // Truth.
    var truthId: Int64 = 0
    var truthType = 1
    var redshift = 0.0
    var matched = true
    // Coadd patch outline.
    var corners: (Double, Double, Double, Double) = (0, 0, 0, 0)
    // ObsCore: a coadd patch (else a calexp), and the MJD span of its inputs.
    var coadd = false
    var mjdSpan = (0.0, 0.0)
}
