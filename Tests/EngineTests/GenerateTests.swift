import Catalog
import Foundation
import TestSupport
import Testing

@testable import DemoData
@testable import Ingest
@testable import QueryEngine
@testable import SQLiteKit
@testable import ScatterGather

@Suite struct GenerateTests {
    @Test func embeddedSchemaMatchesFixture() throws {
        let fixture = try String(
            contentsOf: DataTestSupport.fixtures.appendingPathComponent("dp02_dc2_demo.yaml"), encoding: .utf8)
        #expect(
            try DemoSchema.yaml() == fixture,
            "Sources/DemoData/Resources/dp02_dc2_demo.yaml must be a copy of fixtures/schemas/dp02_dc2_demo.yaml (scripts/copy_demo_schema.sh)"
        )
    }

    @Test func isDeterministic() throws {
        let a = try DataTestSupport.tempDirectory("gen-a"), b = try DataTestSupport.tempDirectory("gen-b")
        let c = try DataTestSupport.tempDirectory("gen-c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        var g1 = try DemoGenerator(objects: 2_000, seed: 7)
        g1.threads = 1
        var g2 = try DemoGenerator(objects: 2_000, seed: 7)
        g2.threads = 4
        g2.blockSize = 2048  // same blocks, other thread count
        let f1 = try g1.writeCSV(to: a), f2 = try g2.writeCSV(to: b)
        #expect(Set(f1.keys) == Set(DemoGenerator.knownTables))
        for t in f1.keys {
            #expect(try Data(contentsOf: f1[t]!) == Data(contentsOf: f2[t]!), "\(t).csv differs between runs")
        }
        let f3 = try DemoGenerator(objects: 2_000, seed: 8).writeCSV(to: c)
        #expect(try Data(contentsOf: f1["Object"]!) != Data(contentsOf: f3["Object"]!))
    }

    @Test func objectsLookLikeDC2() throws {
        let dir = try DataTestSupport.tempDirectory("gen-obj")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try DemoGenerator(objects: 2_000, seed: 1)
        let files = try gen.writeCSV(to: dir)
        let (header, rows) = try DataTestSupport.readCSV(files["Object"]!)
        let schema = try DemoSchema.felis()
        #expect(header == schema.table(named: "Object")!.columns.map(\.name))
        #expect(rows.count == 2_000)
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($0.element, $0.offset) })
        var ids = Set<Int64>()
        var ras: [Double] = []
        var nullFluxes = 0, primaries = 0, extended = 0
        for r in rows {
            #expect(r.count == header.count)
            let id = try #require(Int64(r[col["objectId"]!]))
            #expect(id > 1_000_000_000_000_000)
            ids.insert(id)
            let ra = try #require(Double(r[col["coord_ra"]!])), dec = try #require(Double(r[col["coord_dec"]!]))
            #expect(ra >= 50 && ra < 75 && dec >= -45 && dec < -25)
            ras.append(ra)
            let tp = DemoSky.tractPatch(ra: ra, dec: dec)
            #expect(Int(r[col["tract"]!]) == tp.tract)
            #expect(Int(r[col["patch"]!]) == tp.patch)
            if r[col["u_psfFlux"]!].isEmpty { nullFluxes += 1 }
            if r[col["detect_isPrimary"]!] == "1" { primaries += 1 }
            if r[col["refExtendedness"]!] == "1" { extended += 1 }
            if let f = Double(r[col["r_cModelFlux"]!]) {
                #expect(f > -1e4 && f < 1e8)  // mag 16 is 1.45e6 nJy
            }
            #expect(["0", "1", ""].contains(r[col["g_extendedness"]!]))
        }
        #expect(ids.count == 2_000)
        #expect(nullFluxes > 20 && nullFluxes < 200)
        #expect(primaries > 1_700 && primaries < 2_000)
        #expect(extended > 1_200 && extended < 1_800)
        // Ids are not in sky order.
        let byId = zip(ids.sorted(), ras).map { $0 }
        #expect(byId.count == 2_000)
        let sortedByRA = ras.sorted()
        #expect(ras != sortedByRA)
    }

    @Test func childAndReplicatedRowsAreConsistent() throws {
        let dir = try DataTestSupport.tempDirectory("gen-fs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try DemoGenerator(objects: 2_000, seed: 3).writeCSV(to: dir)
        let obj = try DataTestSupport.readCSV(files["Object"]!)
        let objIds = Set(obj.rows.map { $0[obj.header.firstIndex(of: "objectId")!] })
        let ccd = try DataTestSupport.readCSV(files["CcdVisit"]!)
        let ccdIds = Set(ccd.rows.map { $0[ccd.header.firstIndex(of: "ccdVisitId")!] })
        #expect(ccd.rows.count == 360 * 20)
        let mjd = ccd.header.firstIndex(of: "expMidptMJD")!
        for r in ccd.rows {
            let m = try #require(Double(r[mjd]))
            #expect(m >= 59580 && m <= 61400)
        }
        let fs = try DataTestSupport.readCSV(files["ForcedSource"]!)
        #expect(fs.rows.count >= 2_000 * 8 && fs.rows.count <= 2_000 * 12)
        let fsObj = fs.header.firstIndex(of: "objectId")!, fsCcd = fs.header.firstIndex(of: "ccdVisitId")!
        let fsId = fs.header.firstIndex(of: "forcedSourceId")!
        var fsIds = Set<String>()
        for r in fs.rows {
            #expect(objIds.contains(r[fsObj]))
            #expect(ccdIds.contains(r[fsCcd]))
            fsIds.insert(r[fsId])
        }
        #expect(fsIds.count == fs.rows.count)
        let visits = try DataTestSupport.readCSV(files["Visit"]!)
        #expect(visits.rows.count == 360)
        let patches = try DataTestSupport.readCSV(files["CoaddPatches"]!)
        #expect(patches.rows.count == 130 * 49)
        let truth = try DataTestSupport.readCSV(files["TruthSummary"]!)
        #expect(truth.rows.count == 2_000)
        let dia = try DataTestSupport.readCSV(files["DiaObject"]!)
        #expect(dia.rows.count > 20 && dia.rows.count < 120)
    }

    @Test func tutorialIdsArePresent() throws {
        let dir = try DataTestSupport.tempDirectory("gen-ids")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try DemoGenerator(objects: 1_000, seed: 5, tables: ["Object", "DiaObject"])
        let files = try gen.writeCSV(to: dir)
        let obj = try DataTestSupport.readCSV(files["Object"]!)
        let ids = Set(obj.rows.map { Int64($0[obj.header.firstIndex(of: "objectId")!])! })
        #expect(ids.isSuperset(of: DemoGenerator.plantedObjectIds))
        #expect(gen.objectId(ofIndex: 0) == 1_249_537_790_362_809_267)
        let dia = try DataTestSupport.readCSV(files["DiaObject"]!)
        let diaIds = Set(dia.rows.map { Int64($0[dia.header.firstIndex(of: "diaObjectId")!])! })
        #expect(diaIds.isSuperset(of: DemoGenerator.plantedDiaObjectIds))
        // Tracts: 2900 + 20·row + col on a 2° grid.
        let tp = DemoSky.tractPatch(ra: 50 + 11 * 2 + 0.5, dec: -45 + 6 * 2 + 0.9)
        #expect(tp.tract == 2900 + 20 * 6 + 11)
        #expect(tp.patch == 3 * 7 + 1)
    }

    @Test func csvBufferFormatsNumbers() {
        let b = CSVBuffer(capacity: 8)
        b.appendFixed(12.5, 4); b.comma()
        b.appendFixed(-0.003, 4); b.comma()
        b.appendFixed(7, 4); b.comma()
        b.appendFixed(.nan, 4); b.comma()
        b.appendFixed(1.05, 1); b.comma()
        b.appendInt(Int64.min); b.comma()
        b.appendInt(1_250_000_000_000_123); b.comma()
        b.appendFixed(-45.000000001, 9); b.comma()
        b.appendText("a,\"b\"")
        let s = b.withBytes { String(decoding: $0, as: UTF8.self) }
        #expect(s == "12.5,-0.003,7,,1.1,-9223372036854775808,1250000000000123,-45.000000001,\"a,\"\"b\"\"\"")
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(
                atPath: "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/lsst/sdm/schemas/dp02_dc2.yaml")))
    func allColumnsOfTheRealSchema() throws {
        let url = URL(fileURLWithPath: "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/lsst/sdm/schemas/dp02_dc2.yaml")
        let schema = try Felis.load(contentsOf: url)
        let dir = try DataTestSupport.tempDirectory("gen-all")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try DemoGenerator(
            objects: 300, seed: 1, schema: schema, columns: .all,
            tables: ["Object", "ForcedSource", "CcdVisit"])
        let files = try gen.writeCSV(to: dir)
        let obj = try DataTestSupport.readCSV(files["Object"]!)
        #expect(obj.header.count == 991)
        #expect(obj.rows.count == 300)
        for r in obj.rows { #expect(r.count == 991) }
        let core = try DemoGenerator(objects: 10, seed: 1, schema: schema, columns: .core, tables: ["Object"])
        #expect(core.tableColumns["Object"]!.count == (try DemoSchema.felis()).table(named: "Object")!.columns.count)
    }
}

// Where the DP0.2 tutorials look, the demo sky has DC2's density (issue 21).
@Suite struct DemoDensityTests {
    /// Positions of `objects` objects, as the generator draws them (same streams per block).
    static func positions(objects: Int) -> [(ra: Double, dec: Double)] {
        let sky = DemoSky(seed: DemoCatalog.seed, objects: objects)
        var rng = Xoshiro256(seed: 99)
        return (0..<objects).map { sky.position(index: $0, &rng) }
    }

    static func count(_ positions: [(ra: Double, dec: Double)], ra: Double, dec: Double, radius: Double) -> Int {
        let c = cos(dec * .pi / 180)
        return positions.filter { p in
            let dx = (p.ra - ra) * c, dy = p.dec - dec
            return dx * dx + dy * dy <= radius * radius
        }.count
    }

    @Test func tutorialConesHoldDC2Density() {
        let all = Self.positions(objects: 100_000)
        // DC2: about 135 objects per arcmin², 153 in a cone of 0.01° (36″).
        for (ra, dec) in [(62.0, -37.0), (55.745, -32.28), (62.1479031, -35.799138)] {
            let n = Self.count(all, ra: ra, dec: dec, radius: 0.01)
            let perArcmin2 = Double(n) / (Double.pi * 0.6 * 0.6)
            #expect(perArcmin2 > 100 && perArcmin2 < 175, "\(n) objects in 0.01° around (\(ra), \(dec))")
        }
        // The arcsecond cones of the tutorials each find their object.
        for p in DemoSky.exactPositions {
            #expect(Self.count(all, ra: p.ra, dec: p.dec, radius: 0.0001) >= 1)
        }
        // Everywhere else the footprint stays covered.
        #expect(Self.count(all, ra: 70, dec: -30, radius: 1) > 100)
    }

    @Test func smallCatalogsKeepHalfOfTheirObjectsElsewhere() {
        #expect(DemoSky.hotObjects(of: 4_000) == 2_000)
        #expect(DemoSky.hotObjects(of: 10_000_000) < 25_000)
    }
}
