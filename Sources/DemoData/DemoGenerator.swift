import Catalog
import Foundation
import Ingest
import Synchronization

/// Writes a deterministic, DC2-like synthetic catalog as CSV files (one per table, a header
/// line, empty field = NULL), streaming: memory stays constant whatever the object count.
///
/// Same `objects`, `seed`, schema and column selection → byte-identical files. Object rows are
/// made in blocks of `blockSize`; every block has its own random streams (derived from the seed
/// and the block number), so blocks are generated on all cores and written in order.
///
/// Per object: 1 Object row, 8…12 ForcedSource rows (distinct visits), 1 Source row for half of
/// the objects, 1 TruthSummary row and, for the 92 % matched to it, 1 MatchesTruth row; 3 % of objects are variable and get a
/// DiaObject with 5…11 DiaSource and 8…12 ForcedSourceOnDiaObject rows. Fixed tables: Visit
/// (`visitCount` rows), CcdVisit (20 detectors per visit), CoaddPatches (130 tracts × 49
/// patches). See `DemoSky` for positions and the tract/patch tiling.
public struct DemoGenerator: Sendable {
    public enum ColumnSelection: String, Sendable, CaseIterable {
        /// The columns of the demo schema (those of the given schema that the demo schema has).
        case core
        /// Every column of the given schema.
        case all
    }

    /// The tables the generator knows how to fill, in writing order.
    public static let knownTables = [
        "Object", "ForcedSource", "Source", "DiaObject", "DiaSource", "ForcedSourceOnDiaObject",
        "TruthSummary", "MatchesTruth", "Visit", "CcdVisit", "CoaddPatches", "ObsCore",
    ]

    public let objects: Int
    public let seed: UInt64
    public let schema: FelisSchema
    /// Per table (generated ones only), the columns written, in schema order.
    public let tableColumns: [String: [ColumnInfo]]
    public let visitCount: Int
    public var blockSize = 2048
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// - Parameters:
    ///   - schema: the Felis schema to follow; nil for the built-in demo schema.
    ///   - tables: which tables to write (nil: every table of the schema the generator knows).
    public init(
        objects: Int, seed: UInt64 = 20_220_630, schema: FelisSchema? = nil, columns: ColumnSelection = .core,
        tables: [String]? = nil, visitCount: Int = 360
    ) throws {
        guard objects >= 0 else { throw DemoDataError(.invalidOptions, "the object count must not be negative") }
        guard visitCount >= 8 else { throw DemoDataError(.invalidOptions, "at least 8 visits are needed") }
        let demo = try DemoSchema.felis()
        let schema = schema ?? demo
        var tableColumns: [String: [ColumnInfo]] = [:]
        let wanted = tables ?? Self.knownTables.filter { schema.table(named: $0) != nil }
        for name in wanted {
            guard Self.knownTables.contains(name) else {
                throw DemoDataError(
                    .invalidOptions,
                    "the generator cannot make table \(name); it knows \(Self.knownTables.joined(separator: ", "))")
            }
            guard let t = schema.table(named: name) else {
                throw DemoDataError(.schema, "table \(name) is not in schema \(schema.name)")
            }
            var cols = t.columns
            if columns == .core, let d = demo.table(named: name) {
                let keep = Set(d.columns.map(\.name))
                cols = cols.filter { keep.contains($0.name) }
            }
            tableColumns[name] = cols
        }
        self.objects = objects
        self.seed = seed
        self.schema = schema
        self.tableColumns = tableColumns
        self.visitCount = visitCount
    }

    public var tables: [String] { Self.knownTables.filter { tableColumns[$0] != nil } }

    /// Writes `<Table>.csv` for every generated table into `directory` (created if needed) and
    /// returns the files by table name. `progress` is called on the calling thread with the
    /// number of objects written so far.
    @discardableResult
    public func writeCSV(to directory: URL, progress: ((Int) -> Void)? = nil) throws -> [String: URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sky = DemoSky(seed: seed, visitCount: visitCount, objects: objects)
        var files: [String: CSVFile] = [:]
        var urls: [String: URL] = [:]
        let plans = tables.map { TablePlan(name: $0, columns: tableColumns[$0]!) }
        for plan in plans {
            let url = directory.appendingPathComponent("\(plan.name).csv")
            let f = try CSVFile(path: url.path)
            let header = CSVBuffer(capacity: 4096)
            for (i, c) in plan.columns.enumerated() {
                if i > 0 { header.comma() }
                header.appendText(c.name)
            }
            header.newline()
            try f.write(header)
            files[plan.name] = f
            urls[plan.name] = url
        }
        let planByKind = Dictionary(uniqueKeysWithValues: plans.map { ($0.kind, $0) })

        // Fixed tables.
        try writeFixedTables(sky: sky, plans: planByKind, files: files)

        // Object-driven tables, in blocks generated in parallel and written in order: round
        // r + 1 is generated on the worker threads while the calling thread writes round r.
        let blockCount = (objects + blockSize - 1) / blockSize
        let round = max(1, threads) * 2
        let gen = self
        let makeRound = { @Sendable (first: Int) -> [BlockOutput] in
            let n = min(round, blockCount - first)
            let results = Mutex<[Int: BlockOutput]>([:])
            DispatchQueue.concurrentPerform(iterations: n) { k in
                let out = gen.makeBlock(first + k, sky: sky, plans: planByKind)
                results.withLock { $0[k] = out }
            }
            return results.withLock { r in (0..<n).map { r[$0]! } }
        }
        var nextBlock = 0
        var pending: [BlockOutput] = blockCount > 0 ? makeRound(0) : []
        while !pending.isEmpty {
            let following = nextBlock + pending.count
            let ahead = Mutex<[BlockOutput]?>(nil)
            let group = DispatchGroup()
            if following < blockCount {
                DispatchQueue.global().async(group: group) {
                    let r = makeRound(following)
                    ahead.withLock { $0 = r }
                }
            }
            for out in pending {
                for (kind, buffer) in out.buffers where buffer.count > 0 {
                    try files[planByKind[kind]!.name]!.write(buffer)
                }
            }
            nextBlock = following
            progress?(min(objects, nextBlock * blockSize))
            group.wait()
            pending = ahead.withLock { $0 } ?? []
        }
        for f in files.values { try f.close() }
        return urls
    }

    /// Writes the CSV files, the Felis schema they follow (`schema.yaml`) and an ingest
    /// descriptor (`descriptor.json`) for them into `directory`; returns the descriptor's URL.
    /// The descriptor follows the demo layout: Object director, ForcedSource child, the rest
    /// replicated.
    @discardableResult
    public func writeBundle(
        to directory: URL, schemaYAML: String? = nil, badRows: IngestDescriptor.BadRowPolicy = .abort,
        progress: ((Int) -> Void)? = nil
    ) throws -> URL {
        guard tableColumns["Object"] != nil else { throw DemoDataError(.invalidOptions, "a bundle needs the Object table") }
        let urls = try writeCSV(to: directory, progress: progress)
        try (schemaYAML ?? DemoSchema.yaml()).write(
            to: directory.appendingPathComponent("schema.yaml"), atomically: true, encoding: .utf8)
        var descriptor = DemoSchema.descriptor(felis: "schema.yaml", tables: Set(urls.keys))
        descriptor.badRows = badRows
        let url = directory.appendingPathComponent("descriptor.json")
        try descriptor.writeJSON(to: url)
        return url
    }

    // MARK: - Generation

    struct TablePlan {
        let name: String
        let kind: DemoTableKind
        let columns: [ColumnInfo]
        let gens: [ColumnGen]

        init(name: String, columns: [ColumnInfo]) {
            self.name = name
            self.kind = DemoTableKind(table: name)!
            self.columns = columns
            self.gens = columns.map { resolveColumnGen(kind: DemoTableKind(table: name)!, column: $0) }
        }
    }

    struct BlockOutput: Sendable {
        var buffers: [(DemoTableKind, CSVBuffer)]
    }

    // DP0.2-like magnitudes: real objectIds are ~1.25e18.
    private static let objectIdBase: Int64 = 1_250_000_000_000_000_000
    /// Ids that the DP0.2 tutorial queries look up (outside the scrambled ranges, so unique):
    /// objects 0…4 get these objectIds, and objects 0…4 are variable with these diaObjectIds.
    public static let plantedObjectIds: [Int64] = [
        1_249_537_790_362_809_267, 1_252_220_598_734_559_348, 1_252_528_461_990_360_512,
        1_486_698_050_427_598_336, 1_651_589_610_221_899_038,
    ]
    public static let plantedDiaObjectIds: [Int64] = [
        1_250_953_961_339_360_185, 1_252_220_598_734_556_212, 1_253_478_440_036_730_088,
        1_650_393_341_570_843_235, 1_249_537_790_362_809_267,
    ]
    private static let forcedSourceIdBase: Int64 = 3_000_000_000_000_000
    private static let sourceIdBase: Int64 = 500_000_000_000_000_000
    private static let diaObjectIdBase: Int64 = 1_400_000_000_000_000_000
    private static let diaSourceIdBase: Int64 = 1_600_000_000_000_000_000
    private static let fsodoIdBase: Int64 = 1_800_000_000_000_000_000
    private static let strides = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]

    private var idKey: UInt64 { SplitMix64.mix(seed ^ 0x1D5_CA3B_1E00) }

    /// The objectId of object `index` (0-based): unique, positive, scattered over ~1.25e15 + 2^40.
    public func objectId(ofIndex index: Int) -> Int64 {
        index < Self.plantedObjectIds.count
            ? Self.plantedObjectIds[index] : Self.objectIdBase + Int64(scramble40(UInt64(index), key: idKey))
    }

    private func rng(_ block: Int, _ stream: UInt64) -> Xoshiro256 {
        Xoshiro256(seed: SplitMix64.mix(seed &+ SplitMix64.mix(UInt64(block) &* 0x100 &+ stream)))
    }

    func makeBlock(_ block: Int, sky: DemoSky, plans: [DemoTableKind: TablePlan]) -> BlockOutput {
        let lo = block * blockSize, hi = min(objects, lo + blockSize)
        var rObj = rng(block, 1), rObjV = rng(block, 2)
        var rFS = rng(block, 3), rFSV = rng(block, 4)
        var rSrc = rng(block, 5), rSrcV = rng(block, 6)
        var rDia = rng(block, 7), rDiaV = rng(block, 8)
        var rTru = rng(block, 9)
        let count = hi - lo
        var bufs: [DemoTableKind: CSVBuffer] = [:]
        for kind in plans.keys {
            let per: Int
            switch kind {
            case .object: per = 24 + 12 * plans[kind]!.columns.count
            case .forcedSource: per = 10 * (20 + 10 * plans[kind]!.columns.count)
            default: per = 8 * plans[kind]!.columns.count
            }
            bufs[kind] = CSVBuffer(capacity: count * per)
        }
        let objPlan = plans[.object], fsPlan = plans[.forcedSource], srcPlan = plans[.source]
        let doPlan = plans[.diaObject], dsPlan = plans[.diaSource], fsoPlan = plans[.forcedSourceOnDiaObject]
        let tsPlan = plans[.truthSummary], mtPlan = plans[.matchesTruth]
        let visits = sky.visits
        let key = idKey
        let objBuf = bufs[.object], fsBuf = bufs[.forcedSource], srcBuf = bufs[.source]
        let doBuf = bufs[.diaObject], dsBuf = bufs[.diaSource], fsoBuf = bufs[.forcedSourceOnDiaObject]
        let tsBuf = bufs[.truthSummary], mtBuf = bufs[.matchesTruth]
        var ctx = DemoRowContext()
        for i in lo..<hi {
            // --- the object itself
            let scr = scramble40(UInt64(i), key: key)
            ctx.objectIndex = i
            ctx.pk = i < Self.plantedObjectIds.count ? Self.plantedObjectIds[i] : Self.objectIdBase + Int64(scr)
            ctx.objectId = ctx.pk
            let pos = sky.position(index: i, &rObj)
            ctx.ra = pos.ra
            ctx.dec = pos.dec
            let tp = DemoSky.tractPatch(ra: pos.ra, dec: pos.dec)
            ctx.tract = tp.tract
            ctx.patch = tp.patch
            ctx.x = tp.x
            ctx.y = tp.y
            ctx.extended = rObj.chance(0.75)
            ctx.primary = rObj.chance(0.93)
            ctx.parentId =
                rObj.chance(0.15) ? Self.objectIdBase + Int64(scramble40(UInt64(i) ^ 0xFF_FFFF_FFFF, key: key ^ 0x5A5A)) : 0
            ctx.variable = rObj.chance(0.03) || i < Self.plantedDiaObjectIds.count
            // Amplitudes from a few per cent to more than the mean flux (median 13 %).
            ctx.varAmp = min(1.5, max(0.02, exp(-2.0 + 0.8 * rObj.gaussian())))
            // 15 % are blend parents, with a heavy tail of large blends; some parents are
            // themselves deblended from a larger one.
            ctx.nChild = rObj.chance(0.15) ? min(80, 2 + Int(exp(1.5 + 1.1 * rObj.gaussian()))) : 0
            ctx.refBand = rObj.chance(0.8) ? 3 : 2
            // r magnitude: log-normal distance below 28, clamped to 16…28.
            let dm = exp(1.25 + 0.45 * rObj.gaussian())
            let magR = min(28, max(16, 28 - dm))
            ctx.magR = magR
            let gr = ctx.extended ? 0.6 + 0.25 * rObj.gaussian() : 0.9 + 0.4 * rObj.gaussian()
            let colors = (
                1.1 + 0.3 * rObj.gaussian(), gr, 0.35 + 0.15 * rObj.gaussian(),
                0.15 + 0.1 * rObj.gaussian(), 0.08 + 0.08 * rObj.gaussian()
            )
            let mags = SIMD8<Double>(
                magR + gr + colors.0, magR + gr, magR, magR - colors.2,
                magR - colors.2 - colors.3, magR - colors.2 - colors.3 - colors.4, 0, 0)
            let depth = SIMD8<Double>(26.1, 27.4, 27.5, 26.8, 26.1, 24.9, 0, 0)
            for b in 0..<6 {
                let f = nJy(mag: mags[b])
                let err = (nJy(mag: depth[b]) / 5) * (1 + 0.1 * rObj.uniform()) + 0.005 * f
                ctx.trueFlux[b] = f
                ctx.fluxErr[b] = err
                let nullP = b == 0 ? 0.04 : 0.01
                ctx.flux[b] = rObj.chance(nullP) ? .nan : f + err * rObj.gaussian()
            }
            if let p = objPlan { writeRow(p, objBuf!, &ctx, &rObjV) }

            // --- forced photometry on ~10 distinct visits
            if let p = fsPlan {
                let nfs = rFS.int(8, 12)
                writeEpochRows(
                    nfs, p, fsBuf!, idBase: Self.forcedSourceIdBase + Int64(scr) * 64, visits: visits, &ctx,
                    rng: &rFS, valueRNG: &rFSV)
            }
            // --- one single-epoch detection for half of the objects
            if let p = srcPlan, rSrc.chance(0.5) {
                setEpoch(&ctx, visit: visits[rSrc.int(0, visits.count - 1)], index: 0, rng: &rSrc)
                ctx.pk = Self.sourceIdBase + Int64(scr) * 4
                writeRow(p, srcBuf!, &ctx, &rSrcV)
            }
            // --- variables: DiaObject, DiaSource, ForcedSourceOnDiaObject
            if ctx.variable {
                let diaId =
                    i < Self.plantedDiaObjectIds.count
                    ? Self.plantedDiaObjectIds[i] : Self.diaObjectIdBase + Int64(scr)
                // DIA sources per object: median about 13, a tail beyond 100 (DC2's DiaObjects
                // span 1 to hundreds); the planted objects have long light curves.
                let nds =
                    i < Self.plantedDiaObjectIds.count
                    ? rDia.int(80, 120) : min(300, 3 + Int(exp(2.3 + 0.9 * rDia.gaussian())))
                let savedObjectId = ctx.objectId
                ctx.objectId = diaId
                if let p = doPlan {
                    ctx.pk = diaId
                    ctx.count = nds
                    ctx.mjd = 59580 + rDia.uniform(0, 1800)
                    writeRow(p, doBuf!, &ctx, &rDiaV)
                }
                if let p = dsPlan {
                    writeEpochRows(
                        nds, p, dsBuf!, idBase: Self.diaSourceIdBase + Int64(scr) * 64, visits: visits, &ctx,
                        rng: &rDia, valueRNG: &rDiaV)
                }
                if let p = fsoPlan {
                    let n = nds + rDia.int(0, 6)
                    writeEpochRows(
                        n, p, fsoBuf!, idBase: Self.fsodoIdBase + Int64(scr) * 64, visits: visits, &ctx,
                        rng: &rDia, valueRNG: &rDiaV)
                }
                ctx.objectId = savedObjectId
            }
            // --- truth
            if tsPlan != nil || mtPlan != nil {
                // Truth types: galaxies, stars, and supernovae (a third of the variables,
                // at low redshift like DC2's SNe Ia).
                ctx.truthType = ctx.variable && rTru.chance(0.35) ? 3 : ctx.extended ? 1 : 2
                ctx.truthId = ctx.extended ? 10_070_000_000 + Int64(i) : 30_000_000_000 + Int64(scr)
                ctx.redshift =
                    ctx.truthType == 3 ? rTru.uniform(0.02, 1.0) : ctx.extended ? rTru.uniform(0.05, 3.0) : 0
                ctx.matched = rTru.chance(0.92)
                if let p = tsPlan { writeRow(p, tsBuf!, &ctx, &rTru) }
                // Only matched truths have a MatchesTruth row: the table is a child of Object
                // (its rows sit with the object they name).
                if let p = mtPlan, ctx.matched { writeRow(p, mtBuf!, &ctx, &rTru) }
            }
        }
        return BlockOutput(buffers: bufs.map { ($0.key, $0.value) })
    }

    @inline(__always)
    /// `count` rows of `plan` for the object's epochs: visits `stride` apart from a random first
    /// one, the stride a prime from `strides`; the rows' keys are `idBase + j` for epoch j.
    private func writeEpochRows(
        _ count: Int, _ plan: TablePlan, _ buf: CSVBuffer, idBase: Int64, visits: [DemoSky.Visit],
        _ ctx: inout DemoRowContext, rng: inout Xoshiro256, valueRNG: inout Xoshiro256
    ) {
        let start = rng.int(0, visits.count - 1)
        let stride = Self.strides[rng.int(0, Self.strides.count - 1)]
        for j in 0..<count {
            setEpoch(&ctx, visit: visits[(start + j * stride) % visits.count], index: j, rng: &rng)
            ctx.pk = idBase + Int64(j)
            writeRow(plan, buf, &ctx, &valueRNG)
        }
    }

    private func setEpoch(_ ctx: inout DemoRowContext, visit v: DemoSky.Visit, index: Int, rng: inout Xoshiro256) {
        ctx.band = v.band
        ctx.visitId = v.visitId
        ctx.detector = DemoSky.detector(ra: ctx.ra, dec: ctx.dec)
        ctx.ccdVisitId = v.visitId * 200 + Int64(ctx.detector)
        ctx.mjd = v.mjd
        let err = nJy(mag: v.depth) / 5
        let variation =
            ctx.variable ? ctx.varAmp * ctx.trueFlux[v.band] * sin(v.mjd * 0.37 + Double(ctx.objectIndex % 97)) : 0
        let base = ctx.trueFlux[v.band] * (ctx.extended ? 0.8 : 1.0)
        ctx.epochFluxErr = err * (1 + 0.05 * rng.uniform()) + 0.01 * base
        ctx.diffFluxErr = ctx.epochFluxErr * 1.3
        let noise = rng.gaussian()
        ctx.epochFlux = rng.chance(0.005) ? .nan : base + variation + ctx.epochFluxErr * noise
        ctx.diffFlux = variation + ctx.diffFluxErr * rng.gaussian()
    }

    private func writeFixedTables(sky: DemoSky, plans: [DemoTableKind: TablePlan], files: [String: CSVFile]) throws {
        var rng = Xoshiro256(seed: SplitMix64.mix(seed ^ 0xF1_7ED))
        var ctx = DemoRowContext()
        if let p = plans[.visit] {
            let buf = CSVBuffer(capacity: 1 << 16)
            for v in sky.visits {
                setVisit(&ctx, v)
                ctx.ra = v.ra
                ctx.dec = v.dec
                writeRow(p, buf, &ctx, &rng)
            }
            try files[p.name]!.write(buf)
        }
        if let p = plans[.ccdVisit] {
            let buf = CSVBuffer(capacity: 1 << 20)
            for v in sky.visits {
                setVisit(&ctx, v)
                forEachDetector(of: v, &ctx) { writeRow(p, buf, &$0, &rng) }
                try flushLarge(buf, to: files[p.name]!)
            }
            try files[p.name]!.write(buf)
        }
        if let p = plans[.coaddPatches] {
            let buf = CSVBuffer(capacity: 1 << 20)
            forEachPatch(&ctx) { writeRow(p, buf, &$0, &rng) }
            try files[p.name]!.write(buf)
        }
        if let p = plans[.obsCore] { try writeObsCore(p, sky: sky, file: files[p.name]!, rng: &rng) }
    }

    /// Writes `buf` to `file` and empties it once it holds more than 1 MiB.
    private func flushLarge(_ buf: CSVBuffer, to file: CSVFile) throws {
        if buf.count > 1 << 20 {
            try file.write(buf)
            buf.removeAll()
        }
    }

    /// Calls `body` for each detector of visit `v`, the context set to it: outline, centre,
    /// detector and ccdVisitId (`DemoSky` has the detector grid).
    private func forEachDetector(
        of v: DemoSky.Visit, _ ctx: inout DemoRowContext, _ body: (inout DemoRowContext) throws -> Void
    ) rethrows {
        for det in 0..<(DemoSky.detectorColumns * DemoSky.detectorRows) {
            let col = det % DemoSky.detectorColumns, row = det / DemoSky.detectorColumns
            let ra0 = DemoSky.raMin + Double(col) * DemoSky.detectorSize
            let dec0 = DemoSky.decMin + Double(row) * DemoSky.detectorSize
            ctx.corners = (ra0, dec0, ra0 + DemoSky.detectorSize, dec0 + DemoSky.detectorSize)
            ctx.ra = ra0 + DemoSky.detectorSize / 2
            ctx.dec = dec0 + DemoSky.detectorSize / 2
            ctx.detector = det
            ctx.ccdVisitId = v.visitId * 200 + Int64(det)
            try body(&ctx)
        }
    }

    /// Calls `body` for each patch of each tract, the context set to it: tract, patch,
    /// outline and centre.
    private func forEachPatch(_ ctx: inout DemoRowContext, _ body: (inout DemoRowContext) throws -> Void) rethrows {
        let side = DemoSky.tractSize / Double(DemoSky.patchesPerSide)
        for row in 0..<DemoSky.tractRows {
            for col in 0..<DemoSky.tractColumns {
                for patch in 0..<(DemoSky.patchesPerSide * DemoSky.patchesPerSide) {
                    let px = patch % DemoSky.patchesPerSide, py = patch / DemoSky.patchesPerSide
                    let ra0 = DemoSky.raMin + Double(col) * DemoSky.tractSize + Double(px) * side
                    let dec0 = DemoSky.decMin + Double(row) * DemoSky.tractSize + Double(py) * side
                    ctx.tract = DemoSky.tractBase + 20 * row + col
                    ctx.patch = patch
                    ctx.corners = (ra0, dec0, ra0 + side, dec0 + side)
                    ctx.ra = ra0 + side / 2
                    ctx.dec = dec0 + side / 2
                    try body(&ctx)
                }
            }
        }
    }

    /// ObsCore: one calexp per visit and detector (the CcdVisit rows), and one deep coadd per
    /// tract, patch and band (the CoaddPatches rows), outlines as STC-S polygons.
    private func writeObsCore(_ p: TablePlan, sky: DemoSky, file: CSVFile, rng: inout Xoshiro256) throws {
        var ctx = DemoRowContext()
        let buf = CSVBuffer(capacity: 1 << 20)
        ctx.coadd = false
        for v in sky.visits {
            setVisit(&ctx, v)
            forEachDetector(of: v, &ctx) { writeRow(p, buf, &$0, &rng) }
            try flushLarge(buf, to: file)
        }
        ctx.coadd = true
        ctx.mjdSpan = (sky.visits.first?.mjd ?? 59580, sky.visits.last?.mjd ?? 61400)
        ctx.seeing = 0.7
        try forEachPatch(&ctx) { c in
            for band in 0..<6 {
                c.band = band
                writeRow(p, buf, &c, &rng)
            }
            try flushLarge(buf, to: file)
        }
        try file.write(buf)
    }

    private func setVisit(_ ctx: inout DemoRowContext, _ v: DemoSky.Visit) {
        ctx.band = v.band
        ctx.visitId = v.visitId
        ctx.mjd = v.mjd
        ctx.epochFlux = 0
        ctx.epochFluxErr = 0
        ctx.visitIndex = Int(v.visitId)
        ctx.detector = 0
        ctx.ccdVisitId = v.visitId * 200
        ctx.seeing = v.seeing
        ctx.airmass = v.airmass
        ctx.rotation = v.rotation
        ctx.zeroPoint = v.zeroPoint
    }

    // MARK: - Writing one row

    private static let bandBytes: [UInt8] = Array("ugrizy".utf8)

    @inline(__always)
    func writeRow(_ plan: TablePlan, _ buf: CSVBuffer, _ ctx: inout DemoRowContext, _ rng: inout Xoshiro256) {
        var first = true
        for g in plan.gens {
            if first { first = false } else { buf.comma() }
            writeValue(g, buf, &ctx, &rng)
        }
        buf.newline()
    }

    @inline(__always)
    func writeValue(_ g: ColumnGen, _ buf: CSVBuffer, _ ctx: inout DemoRowContext, _ rng: inout Xoshiro256) {
        switch g {
        case .null: break
        case .pk: buf.appendInt(ctx.pk)
        case .objectId: buf.appendInt(ctx.objectId)
        case .parentId: buf.appendInt(ctx.parentId)
        case .zero: buf.append("0")
        case .ra(let j): buf.appendFixed(j == 0 ? ctx.ra : ctx.ra + j * rng.uniform(-1, 1), 9)
        case .dec(let j): buf.appendFixed(j == 0 ? ctx.dec : ctx.dec + j * rng.uniform(-1, 1), 9)
        case .tract: buf.appendInt(ctx.tract)
        case .patch: buf.appendInt(ctx.patch)
        case .x: buf.appendFixed(ctx.x, 3)
        case .y: buf.appendFixed(ctx.y, 3)
        case .bandFlux(let b, let gal, let star):
            let f = ctx.flux[b]
            if f.isNaN { return }
            buf.appendFixed(f * (ctx.extended ? gal : star), 3)
        case .bandFluxErr(let b, let k):
            if ctx.flux[b].isNaN { return }
            buf.appendFixed(ctx.fluxErr[b] * k, 3)
        case .bandExt(let b):
            if ctx.flux[b].isNaN { return }
            buf.append(ctx.extended ? "1" : "0")
        case .ext: buf.append(ctx.extended ? "1" : "0")
        case .pointSource: buf.append(ctx.extended ? "0" : "1")
        case .bandLetter: buf.byte(Self.bandBytes[ctx.band])
        case .refBand: buf.byte(Self.bandBytes[ctx.refBand])
        case .physicalFilter:
            buf.byte(Self.bandBytes[ctx.band])
            buf.append("_sim_1.4")
        case .primary: buf.appendBool(ctx.primary)
        case .primaryOr(let p): buf.appendBool(ctx.primary || rng.chance(p))
        case .isolated: buf.appendBool(ctx.parentId == 0)
        case .fromBlend: buf.appendBool(ctx.parentId != 0)
        case .ccdVisitId: buf.appendInt(ctx.ccdVisitId)
        case .visitId: buf.appendInt(ctx.visitId)
        case .detector: buf.appendInt(ctx.detector)
        case .mjd(let off): buf.appendFixed(ctx.mjd + off, 8)
        case .timestamp(let off): appendTimestamp(mjd: ctx.mjd + off, buf)
        case .epochFlux(let k): buf.appendFixed(ctx.epochFlux * k, 3)
        case .epochFluxErr(let k):
            if ctx.epochFlux.isNaN { return }
            buf.appendFixed(ctx.epochFluxErr * k, 3)
        case .diffFlux(let k): buf.appendFixed(ctx.diffFlux * k, 3)
        case .diffFluxErr(let k): buf.appendFixed(ctx.diffFluxErr * k, 3)
        case .snr: buf.appendFixed(abs(ctx.diffFlux) / max(ctx.diffFluxErr, 1e-9), 4)
        case .refFlux(let k):
            let f = ctx.flux[ctx.refBand]
            if f.isNaN { return }
            buf.appendFixed(f * k * rng.uniform(0.9, 1.1), 3)
        case .refFluxErr(let k): buf.appendFixed(ctx.fluxErr[ctx.refBand] * k, 3)
        case .flag(let p): buf.appendBool(rng.chance(p))
        case .int(let lo, let hi): buf.appendInt(lo == hi ? lo : rng.int(lo, hi))
        case .real(let lo, let hi, let d): buf.appendFixed(lo == hi ? lo : rng.uniform(lo, hi), d)
        case .gauss(let m, let s, let d): buf.appendFixed(m + s * rng.gaussian(), d)
        case .moment: buf.appendFixed(ctx.extended ? rng.uniform(3, 25) : rng.uniform(2.5, 6), 3)
        case .text(let t): buf.append(t)
        case .count: buf.appendInt(ctx.count)
        case .nChild: buf.appendInt(ctx.nChild)
        case .footprintArea:
            // Pixels: a parent's footprint grows with its children.
            buf.appendInt(ctx.nChild > 0 ? ctx.nChild * rng.int(800, 3000) : rng.int(20, 2000))
        case .seeing: buf.appendFixed(ctx.seeing, 4)
        case .airmass: buf.appendFixed(ctx.airmass, 4)
        case .zenith: buf.appendFixed(acos(1 / ctx.airmass) * 180 / .pi, 4)
        case .altitude: buf.appendFixed(90 - acos(1 / ctx.airmass) * 180 / .pi, 4)
        case .rotation: buf.appendFixed(ctx.rotation, 4)
        case .zeroPoint: buf.appendFixed(ctx.zeroPoint, 4)
        case .psfSigma: buf.appendFixed(ctx.seeing / 0.2 / 2.355, 4)
        case .cornerRa(let hi): buf.appendFixed(hi ? ctx.corners.2 : ctx.corners.0, 8)
        case .cornerDec(let hi): buf.appendFixed(hi ? ctx.corners.3 : ctx.corners.1, 8)
        case .truthIdText: buf.appendInt(ctx.truthId)
        case .idTruthType:
            buf.appendInt(ctx.truthId)
            buf.append("_")
            buf.appendInt(ctx.truthType)
        case .truthIdInt: buf.appendInt(ctx.truthId)
        case .truthType: buf.appendInt(ctx.truthType)
        case .redshift: buf.appendFixed(ctx.redshift, 5)
        case .isVariable: buf.append(ctx.variable ? "1" : "0")
        case .magR: buf.appendFixed(ctx.magR, 4)
        case .trueFlux(let b, let k): buf.appendFixed(ctx.trueFlux[b] * k, 3)
        case .matchObjectId: if ctx.matched { buf.appendInt(ctx.objectId) }
        case .region:
            let (ra0, dec0, ra1, dec1) = ctx.corners
            buf.append("POLYGON ICRS ")
            for (k, v) in [ra0, dec0, ra1, dec0, ra1, dec1, ra0, dec1].enumerated() {
                if k > 0 { buf.append(" ") }
                buf.appendFixed(v, 8)
            }
        case .obs(let field): writeObs(field, buf, ctx)
        case .diaStat(let b, let tot, let s):
            let amp = ctx.varAmp * ctx.trueFlux[b] + 50
            let center = tot ? ctx.trueFlux[b] : 0
            let v: Double
            switch s {
            case .mean: v = center + 0.2 * amp * rng.gaussian()
            case .meanErr, .errMean: v = amp * rng.uniform(0.05, 0.2)
            case .sigma: v = amp * rng.uniform(0.8, 1.2)
            case .chi2: v = rng.uniform(1, 50)
            case .ndata: v = Double(max(1, ctx.count + rng.int(-2, 2)))
            // A difference flux stays above the template's (a brightening): its minimum is a
            // fraction of its maximum.
            case .min: v = tot ? center - 2 * amp * rng.uniform(0.8, 1.2) : 2 * amp * rng.uniform(0.02, 0.3)
            case .max: v = center + 2 * amp * rng.uniform(0.8, 1.2)
            case .mad: v = 0.67 * amp * rng.uniform(0.8, 1.2)
            case .percentile(let p): v = center + amp * (p - 50) / 34
            case .skew: v = 0.5 * rng.gaussian()
            case .stetsonJ: v = ctx.varAmp * rng.uniform(40, 120)
            case .linearSlope, .maxSlope: v = amp * 0.01 * rng.gaussian()
            case .linearIntercept: v = center + amp * 0.1 * rng.gaussian()
            case .other: v = rng.uniform(0, 1)
            }
            buf.appendFixed(v, 4)
        }
    }

    /// The band's wavelength range in metres (LSST filter edges, rounded).
    private static let bandEdges: [(Double, Double)] = [
        (3.3e-7, 4.0e-7), (4.0e-7, 5.52e-7), (5.52e-7, 6.91e-7), (6.91e-7, 8.18e-7), (8.18e-7, 9.22e-7), (9.22e-7, 1.06e-6),
    ]

    private func writeObs(_ field: ObsField, _ buf: CSVBuffer, _ ctx: DemoRowContext) {
        let band = Self.bandBytes[ctx.band]
        switch field {
        case .subtype: buf.append(ctx.coadd ? "lsst.deepCoadd_calexp" : "lsst.calexp")
        case .calibLevel: buf.append(ctx.coadd ? "3" : "2")
        case .obsId, .publisherDid, .accessUrl:
            switch field {
            case .publisherDid: buf.append("ivo://org.rubinobs/usdac/lsst-dp02?repo=dp02&id=")
            case .accessUrl: buf.append("https://data.lsst.cloud/api/datalink/links?ID=")
            default: break
            }
            if ctx.coadd {
                buf.append("deepCoadd_calexp_")
                buf.appendInt(ctx.tract)
                buf.append("_")
                buf.appendInt(ctx.patch)
                buf.append("_")
                buf.byte(band)
            } else {
                buf.append("calexp_")
                buf.appendInt(ctx.visitId)
                buf.append("_")
                buf.appendInt(ctx.detector)
            }
        case .fov:
            let (ra0, dec0, ra1, dec1) = ctx.corners
            buf.appendFixed(max((ra1 - ra0) * cos((dec0 + dec1) / 2 * .pi / 180), dec1 - dec0) * 2.squareRoot(), 6)
        case .tMin: buf.appendFixed(ctx.coadd ? ctx.mjdSpan.0 : ctx.mjd - 15.0 / 86400, 8)
        case .tMax: buf.appendFixed(ctx.coadd ? ctx.mjdSpan.1 : ctx.mjd + 15.0 / 86400, 8)
        case .exptime: buf.append(ctx.coadd ? "1800.0" : "30.0")
        case .emMin: buf.appendFixed(Self.bandEdges[ctx.band].0, 10)
        case .emMax: buf.appendFixed(Self.bandEdges[ctx.band].1, 10)
        case .visit: if !ctx.coadd { buf.appendInt(ctx.visitId) }
        case .detector: if !ctx.coadd { buf.appendInt(ctx.detector) }
        case .ccdVisitId: if !ctx.coadd { buf.appendInt(ctx.ccdVisitId) }
        case .tract: if ctx.coadd { buf.appendInt(ctx.tract) }
        case .patch: if ctx.coadd { buf.appendInt(ctx.patch) }
        }
    }

    private func appendTimestamp(mjd: Double, _ buf: CSVBuffer) {
        // MJD → civil date (Howard Hinnant's days_from_civil inverse), UTC, milliseconds dropped.
        let secondsTotal = Int64((mjd - 40587) * 86400)
        var days = secondsTotal / 86400
        var secs = secondsTotal % 86400
        if secs < 0 { secs += 86400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) {
            if v < 10 { buf.append("0") }
            buf.appendInt(v)
        }
        buf.appendInt(y)
        buf.append("-"); two(m)
        buf.append("-"); two(d)
        buf.append("T"); two(secs / 3600)
        buf.append(":"); two((secs % 3600) / 60)
        buf.append(":"); two(secs % 60)
    }
}
