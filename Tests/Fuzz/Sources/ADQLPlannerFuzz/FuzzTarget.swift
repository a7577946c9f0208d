import ADQL
import Catalog
import Foundation
import Planner
import Sky
import Tabular

// One fuzz input: bytes → ADQL text → parse → bind → plan over the demo DP0.2 catalog (with and
// without a zone index), as the engine does. Every outcome but a proper error is a finding:
// a trap (crash) is reported by libFuzzer itself, a hang by its -timeout, and an error of the
// wrong kind (anything but an ADQLError from the parser, a user QueryError from the planner;
// an ADQL syntax error without a line and column) stops the run with abort().

/// The demo DP0.2 schema, laid out as `skyshard demo` ingests it, with synthetic chunk row
/// counts over the DC2 footprint: planning needs no data.
enum FuzzCatalog {
    static let schemaFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DemoData/Resources/dp02_dc2_demo.yaml")

    static func make(zones: Bool) -> CatalogDescription {
        do {
            let felis = try Felis.load(contentsOf: schemaFile)
            let replicated = [
                "CcdVisit", "Visit", "CoaddPatches", "Source", "DiaObject", "DiaSource",
                "ForcedSourceOnDiaObject", "TruthSummary", "MatchesTruth",
            ]
            var csv: [String: [String]] = [:]
            for t in ["Object", "ForcedSource"] + replicated { csv[t] = ["\(t).csv"] }
            let descriptor = IngestDescriptor(
                felis: "schema.yaml", schema: "dp02_dc2_catalogs", chunking: .demo,
                director: .init(table: "Object", key: "objectId", lon: "coord_ra", lat: "coord_dec"),
                children: [.init(table: "ForcedSource", foreignKey: "objectId")],
                replicated: replicated, csv: csv, extraIndexes: ["Object": [["tract", "patch"]]], badRows: .abort)
            let (schema, tables) = try descriptor.resolveTables(felisSchema: felis)
            let chunking = ChunkingParameters.demo
            let chunker = Chunker(
                numStripes: chunking.numStripes, numSubStripesPerStripe: chunking.numSubStripesPerStripe)
            var counts: [Int: Int] = [:]
            for id in chunker.chunks(intersecting: .box(SkyBox(lonMin: 50, lonMax: 75, latMin: -45, latMax: -25))) {
                counts[id] = 1 + id % 40_000
            }
            var rows: [String: Int] = [:]
            for t in tables { rows[t.name] = 25_000 }
            rows["Object"] = counts.values.reduce(0, +)
            rows["ForcedSource"] = rows["Object", default: 0] * 60
            return CatalogDescription(
                schemas: [schema, SchemaInfo(name: TapSchema.schemaName, description: "TAP_SCHEMA 1.1")],
                tables: tables + TapSchema.tables, chunking: chunking, chunkRowCounts: counts, tableRowCounts: rows,
                zonesPerDegree: zones ? ZoneIndex.defaultZonesPerDegree : nil)
        } catch {
            fatalError("the fuzz catalog cannot be built from \(schemaFile.path): \(error)")
        }
    }
}

let planners = [
    QueryPlanner(catalog: FuzzCatalog.make(zones: true), directorIndex: nil),
    QueryPlanner(catalog: FuzzCatalog.make(zones: false), directorIndex: nil),
]

func finding(_ what: String, _ text: String) -> Never {
    FileHandle.standardError.write(Data("FINDING: \(what)\n--- input ---\n\(text)\n".utf8))
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    // Invalid UTF-8 is repaired as the service's parameter decoding repairs it.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let query: Query
    do {
        query = try ADQLParser.parse(text)
    } catch {
        if error.code == .syntax && (error.line < 1 || error.column < 1) {
            finding("a syntax error without a position: \(error.message)", text)
        }
        return 0
    }
    for planner in planners {
        do {
            _ = try planner.plan(query)
        } catch let error as QueryError {
            if !error.isUserError { finding("a planner error that is not the user's: \(error)", text) }
        } catch {
            finding("an error that is not a QueryError out of the planner: \(String(reflecting: error))", text)
        }
    }
    return 0
}


// SwiftPM links an executable target with `main` defined as `<target>_main` (so that tests can
// link it), which keeps libFuzzer's own `main` out: this is that entry point, and it runs
// libFuzzer's driver with the arguments as given.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("ADQLPlannerFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
