import Catalog
import Foundation
import Ingest

/// The built-in demo schema (the resource `Resources/dp02_dc2_demo.yaml`, a copy of
/// `fixtures/schemas/dp02_dc2_demo.yaml`) and its ingest layout.
public enum DemoSchema {
    /// The demo schema, parsed.
    public static func felis() throws -> FelisSchema { try Felis.parse(yaml: yaml()) }

    /// The demo ingest layout: Object is the director (objectId, coord_ra/coord_dec), ForcedSource
    /// its child through objectId, every other table replicated; `ChunkingParameters.demo`.
    /// Only the tables in `tables` are listed (nil: all eleven), each with CSV `<Table>.csv`.
    public static func descriptor(felis: String, tables: Set<String>? = nil) -> IngestDescriptor {
        let replicated = [
            "CcdVisit", "Visit", "CoaddPatches", "Source", "DiaObject", "DiaSource",
            "ForcedSourceOnDiaObject", "TruthSummary", "MatchesTruth",
        ]
        let include = { (t: String) in tables?.contains(t) ?? true }
        var csv: [String: [String]] = [:]
        for t in ["Object", "ForcedSource"] + replicated where include(t) { csv[t] = ["\(t).csv"] }
        return IngestDescriptor(
            felis: felis, schema: "dp02_dc2_catalogs", chunking: .demo,
            director: .init(table: "Object", key: "objectId", lon: "coord_ra", lat: "coord_dec"),
            children: include("ForcedSource") ? [.init(table: "ForcedSource", foreignKey: "objectId")] : [],
            replicated: replicated.filter(include), csv: csv,
            extraIndexes: ["Object": [["tract", "patch"]]], badRows: .abort)
    }
}
