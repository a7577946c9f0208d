import Catalog
import Foundation
import Tabular
import Testing

/// The repository root, found from this file's path.
private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let fixtures = repoRoot.appendingPathComponent("fixtures/schemas")
private let demoYAML = fixtures.appendingPathComponent("dp02_dc2_demo.yaml")
private let demoDescriptor = fixtures.appendingPathComponent("dp02_dc2_demo.descriptor.json")

/// The real DP0.2 Felis file, when the lsst-sdm-schemas Python package is installed.
private let realDP02: URL? = {
    var candidates = ["/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/lsst/sdm/schemas/dp02_dc2.yaml"]
    if let env = ProcessInfo.processInfo.environment["SKYSHARD_DP02_YAML"] { candidates.insert(env, at: 0) }
    return candidates.map { URL(fileURLWithPath: $0) }.first { FileManager.default.fileExists(atPath: $0.path) }
}()

/// dp02_columns_used.json of the shared query corpus, beside the repository or at /work/shared.
private let columnsUsed: URL? = {
    [
        repoRoot.deletingLastPathComponent().appendingPathComponent("shared/dp0-queries/dp02_columns_used.json"),
        URL(fileURLWithPath: "/work/shared/dp0-queries/dp02_columns_used.json"),
    ]
    .first { FileManager.default.fileExists(atPath: $0.path) }
}()

@Suite struct FelisTests {
    @Test func demoSchemaLoads() throws {
        let schema = try Felis.load(contentsOf: demoYAML)
        #expect(schema.name == "dp02_dc2_catalogs")
        #expect(
            schema.tables.map(\.name) == [
                "Object", "Source", "ForcedSource", "DiaObject", "DiaSource", "ForcedSourceOnDiaObject", "Visit",
                "CcdVisit", "CoaddPatches", "MatchesTruth", "TruthSummary", "ObsCore",
            ])
        let object = try #require(schema.table(named: "Object"))
        #expect(object.primaryKey == ["objectId"])
        let required =
            ["objectId", "coord_ra", "coord_dec", "detect_isPrimary", "tract", "patch"]
            + "ugrizy".flatMap { b in
                ["cModelFlux", "cModelFluxErr", "psfFlux", "psfFluxErr", "calibFlux", "calibFluxErr", "extendedness"]
                    .map { "\(b)_\($0)" }
            }
        for name in required { #expect(object.column(named: name) != nil, "Object.\(name)") }
        let ra = try #require(object.column(named: "coord_ra"))
        #expect(ra.datatype == "double")
        #expect(ra.unit == "deg")
        #expect(ra.ucd == "pos.eq.ra;meta.main")
        #expect(ra.principal)
        #expect(ra.sqliteType == "REAL")
        let flux = try #require(object.column(named: "g_psfFlux"))
        #expect(flux.unit == "nJy")
        #expect(object.column(named: "detect_isPrimary")?.sqliteType == "INTEGER")
        #expect(object.column(named: "refBand")?.length == 1)
        for t in schema.tables {
            for c in t.columns { #expect(c.description?.isEmpty == false, "\(t.name).\(c.name) has a description") }
        }

        let fs = try #require(schema.table(named: "ForcedSource"))
        for name in [
            "forcedSourceId", "objectId", "ccdVisitId", "band", "psfFlux", "psfFluxErr", "psfDiffFlux",
            "psfDiffFluxErr", "coord_ra", "coord_dec",
        ] {
            #expect(fs.column(named: name) != nil, "ForcedSource.\(name)")
        }
        #expect(
            fs.foreignKeys.contains {
                $0.columns == ["objectId"] && $0.referencedTable == "Object"
                    && $0.referencedColumns == ["objectId"]
            })
        #expect(fs.indexes.contains { $0.columns == ["ccdVisitId"] })
        let ccd = try #require(schema.table(named: "CcdVisit"))
        for name in ["ccdVisitId", "visitId", "band", "expMidptMJD", "obsStartMJD", "ra", "decl"] {
            #expect(ccd.column(named: name) != nil, "CcdVisit.\(name)")
        }
        #expect(schema.table(named: "CcdVisit")?.foreignKeys.first?.referencedTable == "Visit")
        #expect(schema.table(named: "Visit")?.primaryKey == ["visit"])
        #expect(schema.table(named: "CoaddPatches")?.primaryKey == [])
    }

    @Test(.enabled(if: columnsUsed != nil)) func demoSchemaHasEveryColumnTheDP02QueriesUse() throws {
        struct Used: Decodable {
            struct Table: Decodable {
                struct Column: Decodable { var name: String; var datatype: String; var unit: String?; var ucd: String? }
                var columns: [Column]
            }
            var tables: [String: Table]
        }
        let used = try JSONDecoder().decode(Used.self, from: Data(contentsOf: columnsUsed!))
        let schema = try Felis.load(contentsOf: demoYAML)
        for (tableName, table) in used.tables where tableName != "ObsCore" {
            let t = try #require(schema.table(named: tableName), "table \(tableName)")
            for c in table.columns {
                let mine = t.column(named: c.name)
                #expect(mine != nil, "\(tableName).\(c.name)")
                #expect(mine?.datatype == c.datatype, "\(tableName).\(c.name) datatype")
                #expect(mine?.unit == c.unit, "\(tableName).\(c.name) unit")
                #expect(mine?.ucd == c.ucd, "\(tableName).\(c.name) ucd")
            }
        }
    }

    @Test(.enabled(if: realDP02 != nil)) func realDP02SchemaLoads() throws {
        let schema = try Felis.load(contentsOf: realDP02!)
        #expect(schema.name == "dp02_dc2_catalogs")
        #expect(schema.tables.count == 12)
        let object = try #require(schema.table(named: "Object"))
        #expect(object.columns.count == 991)
        #expect(object.primaryKey == ["objectId"])
        // `fits:tunit:` with no value is no unit.
        #expect(object.column(named: "deblend_nChild")?.unit == nil)
        #expect(object.column(named: "coord_ra")?.unit == "deg")
        let fs = try #require(schema.table(named: "ForcedSource"))
        #expect(fs.column(named: "forcedSourceId")?.principal == true)
        #expect(fs.column(named: "parentObjectId")?.principal == false)
        #expect(fs.foreignKeys.map(\.referencedTable).sorted() == ["CcdVisit", "Object"])
        // CoaddPatches' ids are lower-case (#coaddpatches.lsst_tract): resolved through @id.
        let cp = try #require(schema.table(named: "CoaddPatches"))
        #expect(cp.column(named: "lsst_tract")?.nullable == false)
        #expect(cp.column(named: "s_ra")?.utype == "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1")
        #expect(schema.table(named: "MatchesTruth")?.foreignKeys.count == 2)

        // The demo schema copies its facts from here.
        let demo = try Felis.load(contentsOf: demoYAML)
        for t in demo.tables {
            let real = try #require(schema.table(named: t.name))
            for c in t.columns {
                let r = try #require(real.column(named: c.name), "\(t.name).\(c.name) exists in dp02_dc2.yaml")
                #expect(
                    r.datatype == c.datatype && r.unit == c.unit && r.ucd == c.ucd && r.length == c.length,
                    "\(t.name).\(c.name)")
            }
        }
    }

    @Test func parsesInlineFelis() throws {
        let yaml = """
            name: s
            description: "A
              schema"
            tables:
            - name: T
              "@id": "#T"
              primaryKey: ["#T.a", "#T.b"]
              columns:
              - name: a
                "@id": "#T.a"
                datatype: long
                nullable: false
                tap:principal: 1
              - name: b
                "@id": "#T.b"
                datatype: char
                length: 8
                fits:tunit:
              - name: c
                "@id": "#T.c"
                datatype: float
                ivoa:unit: mag
                fits:tunit: ignored
                tap:principal: true
              indexes:
              - name: IDX_T_c
                "@id": "#IDX_T_c"
                columns: ["#T.c"]
            """
        let schema = try Felis.parse(yaml: yaml)
        #expect(schema.description == "A schema")
        let t = try #require(schema.table(named: "T"))
        #expect(t.primaryKey == ["a", "b"])
        #expect(t.column(named: "a")?.nullable == false)
        #expect(t.column(named: "a")?.principal == true)
        #expect(t.column(named: "b")?.unit == nil)
        #expect(t.column(named: "b")?.length == 8)
        #expect(t.column(named: "c")?.unit == "mag")
        #expect(t.column(named: "c")?.principal == true)
        #expect(t.indexes == [FelisIndex(name: "IDX_T_c", columns: ["c"])])
        let info = t.tableInfo(schema: "x", partitioning: .replicated)
        #expect(info.qualifiedName == "x.T")
        #expect(info.column(named: "a")?.indexed == true)
        #expect(info.column(named: "c")?.indexed == true)
        #expect(info.column(named: "b")?.indexed == true)  // primary key columns count as indexed
    }

    @Test func rejectsBadFelis() {
        #expect(throws: CatalogError.self) { try Felis.parse(yaml: "tables: []") }
        #expect(throws: CatalogError.self) { try Felis.parse(yaml: "name: s\ntables:\n- name: T\n  columns:\n  - name: a\n") }
        #expect(throws: CatalogError.self) {
            try Felis.parse(
                yaml: "name: s\ntables:\n- name: T\n  primaryKey: \"#T.zz\"\n  columns:\n  - name: a\n    datatype: int\n")
        }
        #expect(throws: CatalogError.self) { try Felis.parse(yaml: "name: [unclosed") }
    }
}

@Suite struct IngestDescriptorTests {
    @Test func demoDescriptorResolves() throws {
        let d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        #expect(d.felisURL == demoYAML.standardizedFileURL)
        #expect(d.chunking == .demo)
        #expect(d.badRows == .abort)
        #expect(d.csvFiles(for: "Object") == [fixtures.appendingPathComponent("Object.csv").standardizedFileURL])
        let felis = try Felis.load(contentsOf: d.felisURL)
        let (schema, tables) = try d.resolveTables(felisSchema: felis)
        #expect(schema.name == "dp02_dc2_catalogs")
        #expect(tables.first?.name == "Object")
        #expect(tables.first?.directorSpec == DirectorSpec(keyColumn: "objectId", lonColumn: "coord_ra", latColumn: "coord_dec"))
        let fs = try #require(tables.first { $0.name == "ForcedSource" })
        #expect(fs.partitioning == .child(directorTable: "Object", foreignKey: "objectId"))
        #expect(tables.first { $0.name == "CcdVisit" }?.partitioning == .replicated)
        #expect(tables.count == 11)
    }

    @Test func yamlDescriptorAndBadRowForms() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("desc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            felis: \(demoYAML.path)
            director: {table: Object, key: objectId, lon: coord_ra, lat: coord_dec}
            children: [{table: ForcedSource, foreignKey: objectId}]
            csvDirectory: csv
            csv: {Object: [o1.csv, /abs/o2.csv]}
            badRows: skip
            """
        let url = dir.appendingPathComponent("d.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        let d = try IngestDescriptor.load(contentsOf: url)
        #expect(d.badRows == .skip)
        #expect(d.chunking == .demo)
        #expect(d.replicated.isEmpty)
        #expect(d.csvFiles(for: "Object").map(\.path) == [dir.appendingPathComponent("csv/o1.csv").path, "/abs/o2.csv"])

        let json =
            #"{"felis": "f.yaml", "director": {"table": "O", "key": "k", "lon": "x", "lat": "y"}, "#
            + #""badRows": {"policy": "skip", "maxSkipped": 3}}"#
        let j = try JSONDecoder().decode(IngestDescriptor.self, from: Data(json.utf8))
        #expect(j.badRows == IngestDescriptor.BadRowPolicy(policy: .skip, maxSkipped: 3))
        // Round trip.
        let again = try JSONDecoder().decode(IngestDescriptor.self, from: JSONEncoder().encode(j))
        #expect(again == j)
    }

    /// Several families: directors with and without keys, children of the second director, a
    /// ref-match child, an alias schema; and the descriptors that contradict themselves.
    @Test func familiesDescriptor() throws {
        let felis = try Felis.load(contentsOf: demoYAML)
        let json = #"""
            {"felis": "\#(demoYAML.path)",
             "directors": [
               {"table": "Object", "key": "objectId", "lon": "coord_ra", "lat": "coord_dec"},
               {"table": "DiaObject", "key": "diaObjectId", "lon": "ra", "lat": "decl"},
               {"table": "TruthSummary", "lon": "ra", "lat": "dec"}],
             "children": [
               {"table": "ForcedSource", "foreignKey": "objectId"},
               {"table": "DiaSource", "foreignKey": "diaObjectId", "director": "DiaObject"},
               {"table": "MatchesTruth", "foreignKey": "match_objectId",
                "match": {"matchedTable": "TruthSummary", "column": "id_truth_type",
                          "matchedColumn": "id_truth_type", "maxSeparation": 0.0003}}],
             "replicated": ["ObsCore"],
             "aliases": {"ObsCore": ["ivoa"]}
            """#
        let d = try JSONDecoder().decode(IngestDescriptor.self, from: Data((json + "}").utf8))
        let (_, tables) = try d.resolveTables(felisSchema: felis)
        func table(_ name: String) throws -> TableInfo { try #require(tables.first { $0.name == name }) }
        #expect(try table("DiaObject").directorSpec == DirectorSpec(keyColumn: "diaObjectId", lonColumn: "ra", latColumn: "decl"))
        #expect(try table("TruthSummary").directorSpec?.keyColumn == nil)
        #expect(try table("DiaSource").partitioning == .child(directorTable: "DiaObject", foreignKey: "diaObjectId"))
        #expect(try table("MatchesTruth").partitioning == .child(directorTable: "Object", foreignKey: "match_objectId"))
        #expect(try table("MatchesTruth").refMatch?.matchedTable == "TruthSummary")
        // The JSON form round-trips with its list of directors.
        let again = try JSONDecoder().decode(IngestDescriptor.self, from: JSONEncoder().encode(d))
        #expect(again == d)
        var catalog = CatalogDescription(schemas: [], tables: tables, chunking: .demo)
        catalog.addAliases(d.aliases)
        #expect(catalog.table(schema: "ivoa", name: "ObsCore")?.partitioning == .replicated)
        #expect(catalog.directorIndexTable(of: "Object") == "director_index")
        #expect(catalog.directorIndexTable(of: "DiaObject") == "director_index_DiaObject")

        // A child of a director without a key, a ref-match to a table that is no director, both
        // `director` and `directors`, an alias of a partitioned table: refused.
        var bad = d
        bad.children[1].director = "TruthSummary"
        #expect(throws: CatalogError.self) { try bad.resolveTables(felisSchema: felis) }
        bad = d
        bad.children[2].match?.matchedTable = "ObsCore"
        #expect(throws: CatalogError.self) { try bad.resolveTables(felisSchema: felis) }
        bad = d
        bad.aliases = ["Object": ["ivoa"]]
        #expect(throws: CatalogError.self) { try bad.resolveTables(felisSchema: felis) }
        let both = json + #", "director": {"table": "Object", "key": "objectId", "lon": "coord_ra", "lat": "coord_dec"}}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(IngestDescriptor.self, from: Data(both.utf8)) }
    }

    @Test func rejectsInconsistentDescriptors() throws {
        let felis = try Felis.load(contentsOf: demoYAML)
        var d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        d.director.key = "noSuchColumn"
        #expect(throws: CatalogError.self) { try d.resolveTables(felisSchema: felis) }
        d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        d.replicated.append("NoSuchTable")
        #expect(throws: CatalogError.self) { try d.resolveTables(felisSchema: felis) }
        d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        d.replicated.append("Object")
        #expect(throws: CatalogError.self) { try d.resolveTables(felisSchema: felis) }
        d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        d.children = [.init(table: "ForcedSource", foreignKey: "nope")]
        #expect(throws: CatalogError.self) { try d.resolveTables(felisSchema: felis) }
        d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        d.director.key = "refBand"  // not an integer
        #expect(throws: CatalogError.self) { try d.resolveTables(felisSchema: felis) }
    }
}

@Suite struct ForeignKeyTests {
    /// The demo catalog's tables as the demo descriptor resolves them.
    static func demoCatalog(replicated: [String]? = nil) throws -> CatalogDescription {
        var d = try IngestDescriptor.load(contentsOf: demoDescriptor)
        if let replicated {
            d.replicated = replicated
            d.csv = d.csv.filter { d.tableNames.contains($0.key) }
        }
        let (schema, tables) = try d.resolveTables(felisSchema: try Felis.load(contentsOf: d.felisURL))
        return CatalogDescription(schemas: [schema], tables: tables, chunking: d.chunking)
    }

    @Test func felisForeignKeysReachTheCatalogTables() throws {
        let catalog = try Self.demoCatalog()
        let fs = try #require(catalog.table(schema: "dp02_dc2_catalogs", name: "ForcedSource"))
        #expect(
            fs.foreignKeys == [
                ForeignKeyInfo(
                    name: "Obj_FS", referencing: "Object", pairs: [("objectId", "objectId")],
                    description: "Links ForcedSource rows to Object."),
                ForeignKeyInfo(
                    name: "CcdV_FS", referencing: "CcdVisit", pairs: [("ccdVisitId", "ccdVisitId")],
                    description: "Links ForcedSource rows to CcdVisit."),
            ])
        #expect(catalog.table(schema: "dp02_dc2_catalogs", name: "Source")?.foreignKeys.map(\.referencedTable) == ["CcdVisit"])
        #expect(
            catalog.table(schema: "dp02_dc2_catalogs", name: "DiaSource")?.foreignKeys.map(\.referencedTable)
                == ["DiaObject", "CcdVisit"])
        // The child → director link is the declared Obj_FS: published once.
        #expect(catalog.foreignKeys(of: fs).map(\.name) == ["Obj_FS", "CcdV_FS"])
    }

    @Test func keysToTablesNotLoadedAreDropped() throws {
        let catalog = try Self.demoCatalog(replicated: ["Visit"])
        let fs = try #require(catalog.table(schema: "dp02_dc2_catalogs", name: "ForcedSource"))
        #expect(fs.foreignKeys.map(\.name) == ["Obj_FS"])
        // A key whose column the table does not have (a CSV without it) is dropped too.
        var narrowed = catalog.tables
        let i = try #require(narrowed.firstIndex { $0.name == "ForcedSource" })
        narrowed[i].columns.removeAll { $0.name == "objectId" }
        #expect(narrowed.keepingResolvableForeignKeys()[i].foreignKeys.isEmpty)
    }

    @Test func childTablesWithoutADeclaredKeyPublishTheirDirectorLink() throws {
        var catalog = try Self.demoCatalog()
        let i = try #require(catalog.tables.firstIndex { $0.name == "ForcedSource" })
        catalog.tables[i].foreignKeys = []
        let keys = catalog.foreignKeys(of: catalog.tables[i])
        #expect(
            keys.map { [$0.name, $0.referencedTable] + $0.columns + $0.referencedColumns } == [
                ["objectId", "Object", "objectId", "objectId"]
            ])
    }

    @Test func catalogJSONRoundTripsWithAndWithoutForeignKeys() throws {
        let catalog = try Self.demoCatalog()
        let encoded = try JSONEncoder().encode(catalog)
        #expect(try JSONDecoder().decode(CatalogDescription.self, from: encoded) == catalog)
        // A catalog.json written before foreign keys were kept: no `foreignKeys` member.
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let tables = try #require(object["tables"] as? [[String: Any]])
        object["tables"] = tables.map { t in
            var t = t
            t.removeValue(forKey: "foreignKeys")
            return t
        }
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(!String(decoding: old, as: UTF8.self).contains("foreignKeys"))
        let decoded = try JSONDecoder().decode(CatalogDescription.self, from: old)
        #expect(decoded.tables.allSatisfy { $0.foreignKeys.isEmpty })
        var expected = catalog
        for i in expected.tables.indices { expected.tables[i].foreignKeys = [] }
        #expect(decoded == expected)
    }
}

@Suite struct TapSchemaTests {
    let rows: [String: [[Value]]]

    init() throws {
        rows = TapSchema.rows(for: try ForeignKeyTests.demoCatalog())
    }

    /// The rows of TAP_SCHEMA table `table` as text (NULL as "NULL").
    func text(_ table: String) -> [[String]] {
        (rows[table] ?? []).map { row in
            row.map {
                switch $0 {
                case .text(let s): s
                case .integer(let i): String(i)
                case .null: "NULL"
                default: "\($0)"
                }
            }
        }
    }

    @Test func keysComeFromTheCatalogsRelationsAndTapSchemaItself() {
        let keys = text("keys").map { [$0[0], $0[1], $0[2]] }
        let s = "dp02_dc2_catalogs"
        for expected in [
            ["\(s).ForcedSource.Obj_FS", "\(s).ForcedSource", "\(s).Object"],
            ["\(s).ForcedSource.CcdV_FS", "\(s).ForcedSource", "\(s).CcdVisit"],
            ["\(s).Source.CcdV_Src", "\(s).Source", "\(s).CcdVisit"],
            ["\(s).DiaSource.DiaO_DiaS", "\(s).DiaSource", "\(s).DiaObject"],
            ["\(s).CcdVisit.Visit_CcdV", "\(s).CcdVisit", "\(s).Visit"],
            ["tap_schema.tables.fk_schema_name", "tap_schema.tables", "tap_schema.schemas"],
            ["tap_schema.columns.fk_table_name", "tap_schema.columns", "tap_schema.tables"],
            ["tap_schema.keys.fk_from_table", "tap_schema.keys", "tap_schema.tables"],
            ["tap_schema.keys.fk_target_table", "tap_schema.keys", "tap_schema.tables"],
            ["tap_schema.key_columns.fk_key_id", "tap_schema.key_columns", "tap_schema.keys"],
        ] {
            #expect(keys.contains(expected), "\(expected)")
        }
        // No key twice (the child → director link is the declared Obj_FS).
        #expect(Set(keys.map { $0[0] }).count == keys.count)
        #expect(!keys.contains { $0[0] == "\(s).ForcedSource.objectId" })
        let keyColumns = text("key_columns")
        #expect(keyColumns.contains(["\(s).ForcedSource.Obj_FS", "objectId", "objectId"]))
        #expect(keyColumns.contains(["\(s).ForcedSource.CcdV_FS", "ccdVisitId", "ccdVisitId"]))
        #expect(keyColumns.contains(["tap_schema.key_columns.fk_key_id", "key_id", "key_id"]))
        // Every key has its columns, and every key column its key.
        #expect(Set(keyColumns.map { $0[0] }) == Set(keys.map { $0[0] }))
        #expect(text("keys").first { $0[0] == "\(s).ForcedSource.Obj_FS" }?[4] == "Links ForcedSource rows to Object.")
    }

    /// TAP_SCHEMA.columns as published: `"size"` delimited (an ADQL reserved word), the
    /// standard's columns `std`, the key columns indexed.
    @Test func tapSchemaDescribesItsOwnColumns() throws {
        let columns = text("columns")
        func row(_ table: String, _ column: String) -> [String]? {
            columns.first { $0[0] == "tap_schema.\(table)" && $0[1] == column }
        }
        #expect(row("columns", "size") == nil)
        let size = try #require(row("columns", "\"size\""))
        // table_name, column_name, datatype, arraysize, xtype, size, description, utype, unit, ucd,
        // indexed, principal, std, column_index
        #expect(size[2] == "int" && size[10] == "0" && size[11] == "0" && size[12] == "1")
        for name in [
            "table_name", "column_name", "datatype", "arraysize", "xtype", "\"size\"", "description", "utype", "unit",
            "ucd", "indexed", "principal", "std", "column_index",
        ] {
            #expect(row("columns", name)?[12] == "1", "tap_schema.columns.\(name) is std")
        }
        for (table, column) in [
            ("schemas", "schema_name"), ("tables", "table_name"), ("columns", "table_name"),
            ("columns", "column_name"), ("keys", "key_id"), ("key_columns", "key_id"),
        ] {
            #expect(row(table, column)?[10] == "1", "\(table).\(column) is indexed")
        }
        #expect(row("columns", "description")?[10] == "0")
        #expect(row("columns", "column_name")?[11] == "1")
        #expect(row("columns", "column_index")?[11] == "0")
        // Catalog columns: not standard; the director key indexed (as the ingest marks it).
        let objectId = try #require(columns.first { $0[0] == "dp02_dc2_catalogs.Object" && $0[1] == "objectId" })
        #expect(objectId[10] == "1" && objectId[12] == "0")
    }

    @Test func publishedNamesAreWrittenAsADQLNeedsThem() {
        #expect(TapSchema.publishedName("size") == "\"size\"")
        #expect(TapSchema.publishedName("SIZE") == "\"SIZE\"")
        #expect(TapSchema.publishedName("coord_ra") == "coord_ra")
        #expect(TapSchema.publishedName("objectId") == "objectId")
        #expect(TapSchema.publishedName("two words") == "\"two words\"")
    }
}
