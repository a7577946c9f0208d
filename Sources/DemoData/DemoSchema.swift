import Catalog
import Foundation
import Ingest

/// The built-in demo schema (the resource `Resources/dp02_dc2_demo.yaml`, a copy of
/// `fixtures/schemas/dp02_dc2_demo.yaml`) and its ingest layout.
public enum DemoSchema {
    /// The demo schema, parsed.
    public static func felis() throws -> FelisSchema { try Felis.parse(yaml: yaml()) }

    /// The demo ingest layout, DP0.2's families (`ChunkingParameters.demo`):
    /// - Object (objectId, coord_ra/coord_dec) with its child ForcedSource;
    /// - DiaObject (diaObjectId, ra/decl) with its children DiaSource and
    ///   ForcedSourceOnDiaObject;
    /// - Source (sourceId, coord_ra/coord_dec), a director without children;
    /// - TruthSummary, placed by its position (ra/dec) alone: its key is text;
    /// - MatchesTruth, a ref-match table: a child of Object through match_objectId, matched to
    ///   TruthSummary through id_truth_type, pairs within 1″ (`refMatchSeparation`);
    /// - Visit, CcdVisit, CoaddPatches and ObsCore replicated, ObsCore also as `ivoa.ObsCore`.
    /// Only the tables in `tables` are listed (nil: all twelve), each with CSV `<Table>.csv`;
    /// a family whose director is left out is replicated whole instead.
    public static func descriptor(felis: String, tables: Set<String>? = nil) -> IngestDescriptor {
        let include = { (t: String) in tables?.contains(t) ?? true }
        typealias Director = IngestDescriptor.Director
        typealias Child = IngestDescriptor.Child
        var directors: [Director] = [.init(table: "Object", key: "objectId", lon: "coord_ra", lat: "coord_dec")]
        var children: [Child] = []
        var replicated = ["CcdVisit", "Visit", "CoaddPatches", "ObsCore"]
        if include("ForcedSource") { children.append(.init(table: "ForcedSource", foreignKey: "objectId")) }
        if include("DiaObject") {
            directors.append(.init(table: "DiaObject", key: "diaObjectId", lon: "ra", lat: "decl"))
            for t in ["DiaSource", "ForcedSourceOnDiaObject"] where include(t) {
                children.append(.init(table: t, foreignKey: "diaObjectId", director: "DiaObject"))
            }
        } else {
            replicated += ["DiaSource", "ForcedSourceOnDiaObject"]
        }
        if include("Source") {
            directors.append(.init(table: "Source", key: "sourceId", lon: "coord_ra", lat: "coord_dec"))
        }
        if include("TruthSummary") {
            directors.append(.init(table: "TruthSummary", key: nil, lon: "ra", lat: "dec"))
            if include("MatchesTruth") {
                children.append(
                    .init(
                        table: "MatchesTruth", foreignKey: "match_objectId", director: "Object",
                        match: RefMatchSpec(
                            matchedTable: "TruthSummary", column: "id_truth_type", matchedColumn: "id_truth_type",
                            maxSeparation: refMatchSeparation)))
            }
        } else {
            replicated.append("MatchesTruth")
        }
        var csv: [String: [String]] = [:]
        let listed = directors.map(\.table) + children.map(\.table) + replicated
        for t in listed where include(t) { csv[t] = ["\(t).csv"] }
        return IngestDescriptor(
            felis: felis, schema: "dp02_dc2_catalogs", chunking: .demo,
            directors: directors, children: children, replicated: replicated.filter(include), csv: csv,
            extraIndexes: ["Object": [["tract", "patch"]]],
            aliases: include("ObsCore") ? ["ObsCore": ["ivoa"]] : [:], badRows: .abort)
    }

    /// How far apart a MatchesTruth pair may lie (degrees): 1″, DC2's matching radius.
    public static let refMatchSeparation = 1.0 / 3600
}
