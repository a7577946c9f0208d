import Foundation
import Yams

/// What `skyshard ingest` loads and how: a JSON (or YAML, by file extension `.yaml`/`.yml`)
/// document.
///
/// ```json
/// {
///   "felis": "dp02_dc2_demo.yaml",
///   "schema": "dp02_dc2_catalogs",
///   "chunking": { "numStripes": 85, "numSubStripesPerStripe": 12, "overlap": 0.01667 },
///   "director": { "table": "Object", "key": "objectId", "lon": "coord_ra", "lat": "coord_dec" },
///   "children": [ { "table": "ForcedSource", "foreignKey": "objectId" } ],
///   "replicated": [ "CcdVisit", "Visit" ],
///   "csvDirectory": "csv",
///   "csv": { "Object": ["Object.csv"], "ForcedSource": ["ForcedSource.csv"], "CcdVisit": ["CcdVisit.csv"] },
///   "extraIndexes": { "ForcedSource": [["ccdVisitId"]] },
///   "badRows": { "policy": "skip", "maxSkipped": 1000 }
/// }
/// ```
///
/// - `felis`: the Felis YAML file; a relative path is relative to the descriptor's directory.
/// - `schema`: the schema name served (default: the Felis schema's `name`).
/// - `chunking`: the Qserv partitioning parameters (default `ChunkingParameters.demo`).
/// - `director`: the one director table, its key column and its position columns (degrees).
/// - `children`: tables placed in the chunk of the director row that `foreignKey` names.
/// - `replicated`: small tables copied whole into `replicated.sqlite`.
/// - `csvDirectory`: where relative CSV paths start (default: the descriptor's directory; a
///   relative path is relative to the descriptor's directory).
/// - `csv`: per table, its CSV files (header line, RFC 4180, empty field = NULL). A listed table
///   without CSV files is created empty with every schema column.
/// - `extraIndexes`: per table, more indexes (column lists) beyond the ones the ingest always
///   makes (director key, subChunkId, child foreign key) and the Felis `indexes`.
/// - `columnFiles`: per partitioned table, the columns that get typed column files for the
///   columnar executor (`"ForcedSource": ["band", "psfFlux"]`; `[]`: none). A table not listed
///   gets its numeric, boolean and short text columns (see `Ingest.ColumnFileExport`).
/// - `badRows`: `"abort"` (default) or `"skip"`, or `{ "policy": "skip", "maxSkipped": N }`:
///   skip and count bad rows, aborting once more than N were skipped.
///
/// Only the tables named in `director`, `children` and `replicated` are loaded; other tables
/// of the Felis file are left out of the catalog.
public struct IngestDescriptor: Sendable, Hashable, Codable {
    public struct Director: Sendable, Hashable, Codable {
        public var table: String
        public var key: String
        public var lon: String
        public var lat: String

        public init(table: String, key: String, lon: String, lat: String) {
            self.table = table
            self.key = key
            self.lon = lon
            self.lat = lat
        }
    }

    public struct Child: Sendable, Hashable, Codable {
        public var table: String
        public var foreignKey: String

        public init(table: String, foreignKey: String) {
            self.table = table
            self.foreignKey = foreignKey
        }
    }

    public struct BadRowPolicy: Sendable, Hashable, Codable {
        public enum Mode: String, Sendable, Hashable, Codable { case abort, skip }
        public var policy: Mode
        /// Under `skip`: the most bad rows tolerated before the ingest aborts anyway (nil: no limit).
        public var maxSkipped: Int?

        public init(policy: Mode, maxSkipped: Int? = nil) {
            self.policy = policy
            self.maxSkipped = maxSkipped
        }

        public static let abort = BadRowPolicy(policy: .abort)
        public static let skip = BadRowPolicy(policy: .skip)

        enum CodingKeys: String, CodingKey { case policy, maxSkipped }

        public init(from decoder: any Decoder) throws {
            if let single = try? decoder.singleValueContainer(), let mode = try? single.decode(Mode.self) {
                self.init(policy: mode)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                policy: try c.decode(Mode.self, forKey: .policy),
                maxSkipped: try c.decodeIfPresent(Int.self, forKey: .maxSkipped))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(policy, forKey: .policy)
            try c.encodeIfPresent(maxSkipped, forKey: .maxSkipped)
        }
    }

    public var felis: String
    public var schema: String?
    public var chunking: ChunkingParameters
    public var director: Director
    public var children: [Child]
    public var replicated: [String]
    public var csvDirectory: String?
    public var csv: [String: [String]]
    public var extraIndexes: [String: [[String]]]
    public var badRows: BadRowPolicy
    /// Per table, the columns written as column files (nil entry: the default choice).
    public var columnFiles: [String: [String]] = [:]
    /// The directory relative paths start from; set by `load(contentsOf:)`, not stored.
    public var baseDirectory: URL?

    enum CodingKeys: String, CodingKey {
        case felis, schema, chunking, director, children, replicated, csvDirectory, csv, extraIndexes, badRows, columnFiles
    }

    public init(
        felis: String, schema: String? = nil, chunking: ChunkingParameters = .demo, director: Director,
        children: [Child] = [], replicated: [String] = [], csvDirectory: String? = nil,
        csv: [String: [String]] = [:], extraIndexes: [String: [[String]]] = [:], badRows: BadRowPolicy = .abort,
        baseDirectory: URL? = nil
    ) {
        self.felis = felis
        self.schema = schema
        self.chunking = chunking
        self.director = director
        self.children = children
        self.replicated = replicated
        self.csvDirectory = csvDirectory
        self.csv = csv
        self.extraIndexes = extraIndexes
        self.badRows = badRows
        self.baseDirectory = baseDirectory
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        felis = try c.decode(String.self, forKey: .felis)
        schema = try c.decodeIfPresent(String.self, forKey: .schema)
        chunking = try c.decodeIfPresent(ChunkingParameters.self, forKey: .chunking) ?? .demo
        director = try c.decode(Director.self, forKey: .director)
        children = try c.decodeIfPresent([Child].self, forKey: .children) ?? []
        replicated = try c.decodeIfPresent([String].self, forKey: .replicated) ?? []
        csvDirectory = try c.decodeIfPresent(String.self, forKey: .csvDirectory)
        csv = try c.decodeIfPresent([String: [String]].self, forKey: .csv) ?? [:]
        extraIndexes = try c.decodeIfPresent([String: [[String]]].self, forKey: .extraIndexes) ?? [:]
        badRows = try c.decodeIfPresent(BadRowPolicy.self, forKey: .badRows) ?? .abort
        columnFiles = try c.decodeIfPresent([String: [String]].self, forKey: .columnFiles) ?? [:]
        baseDirectory = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(felis, forKey: .felis)
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encode(chunking, forKey: .chunking)
        try c.encode(director, forKey: .director)
        try c.encode(children, forKey: .children)
        try c.encode(replicated, forKey: .replicated)
        try c.encodeIfPresent(csvDirectory, forKey: .csvDirectory)
        try c.encode(csv, forKey: .csv)
        if !extraIndexes.isEmpty { try c.encode(extraIndexes, forKey: .extraIndexes) }
        try c.encode(badRows, forKey: .badRows)
        if !columnFiles.isEmpty { try c.encode(columnFiles, forKey: .columnFiles) }
    }

    /// Reads a descriptor; `.yaml`/`.yml` files as YAML, anything else as JSON.
    public static func load(contentsOf url: URL) throws -> IngestDescriptor {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CatalogError(
                .unreadable, "cannot read ingest descriptor: \(error.localizedDescription)", file: url.path,
                cause: error)
        }
        var descriptor: IngestDescriptor
        do {
            let ext = url.pathExtension.lowercased()
            if ext == "yaml" || ext == "yml" {
                descriptor = try YAMLDecoder().decode(IngestDescriptor.self, from: String(decoding: data, as: UTF8.self))
            } else {
                descriptor = try JSONDecoder().decode(IngestDescriptor.self, from: data)
            }
        } catch {
            throw CatalogError(.invalidDescriptor, "invalid ingest descriptor: \(error)", file: url.path, cause: error)
        }
        descriptor.baseDirectory = url.deletingLastPathComponent().standardizedFileURL
        return descriptor
    }

    /// Writes the descriptor as pretty JSON.
    public func writeJSON(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    private func resolve(_ path: String, from base: URL?) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        let dir = base ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return dir.appendingPathComponent(path).standardizedFileURL
    }

    public var felisURL: URL { resolve(felis, from: baseDirectory) }

    public var csvBaseURL: URL {
        csvDirectory.map { resolve($0, from: baseDirectory) } ?? baseDirectory
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    /// The CSV files of a table, resolved.
    public func csvFiles(for table: String) -> [URL] {
        (csv[table] ?? []).map { resolve($0, from: csvBaseURL) }
    }

    /// Every table the descriptor loads, director first, then children, then replicated.
    public var tableNames: [String] { [director.table] + children.map(\.table) + replicated }

    public func partitioning(of table: String) -> Partitioning? {
        if table == director.table {
            return .director(DirectorSpec(keyColumn: director.key, lonColumn: director.lon, latColumn: director.lat))
        }
        if let child = children.first(where: { $0.table == table }) {
            return .child(directorTable: director.table, foreignKey: child.foreignKey)
        }
        if replicated.contains(table) { return .replicated }
        return nil
    }

    /// Checks the descriptor against its Felis schema and returns the schema and the loaded
    /// tables (every schema column; the ingest narrows them to the CSV headers), with the
    /// foreign keys that reference loaded tables.
    public func resolveTables(felisSchema: FelisSchema) throws -> (schema: SchemaInfo, tables: [TableInfo]) {
        var seen = Set<String>()
        for name in tableNames {
            guard seen.insert(name).inserted else {
                throw CatalogError(.invalidDescriptor, "table \(name) is listed more than once in the ingest descriptor")
            }
            guard felisSchema.table(named: name) != nil else {
                throw CatalogError(.invalidDescriptor, "table \(name) is not in the Felis schema \(felisSchema.name)")
            }
        }
        for name in csv.keys where !seen.contains(name) {
            throw CatalogError(.invalidDescriptor, "CSV files are given for \(name), which is not director, child or replicated")
        }
        let director = felisSchema.table(named: self.director.table)!
        for col in [self.director.key, self.director.lon, self.director.lat] where director.column(named: col) == nil {
            throw CatalogError(.invalidDescriptor, "director column \(self.director.table).\(col) is not in the Felis schema")
        }
        if let keyType = director.column(named: self.director.key)?.sqliteType, keyType != "INTEGER" {
            throw CatalogError(
                .invalidDescriptor, "director key \(self.director.table).\(self.director.key) must be an integer column")
        }
        for child in children {
            guard felisSchema.table(named: child.table)!.column(named: child.foreignKey) != nil else {
                throw CatalogError(
                    .invalidDescriptor, "foreign key column \(child.table).\(child.foreignKey) is not in the Felis schema")
            }
        }
        for (table, indexes) in extraIndexes {
            guard let t = felisSchema.table(named: table) else {
                throw CatalogError(.invalidDescriptor, "extraIndexes names \(table), which is not in the Felis schema")
            }
            for cols in indexes {
                for col in cols where t.column(named: col) == nil {
                    throw CatalogError(.invalidDescriptor, "extraIndexes column \(table).\(col) is not in the Felis schema")
                }
            }
        }
        for (table, columns) in columnFiles {
            guard let t = felisSchema.table(named: table) else {
                throw CatalogError(.invalidDescriptor, "columnFiles names \(table), which is not in the Felis schema")
            }
            for col in columns where t.column(named: col) == nil {
                throw CatalogError(.invalidDescriptor, "columnFiles column \(table).\(col) is not in the Felis schema")
            }
        }
        let schemaName = schema ?? felisSchema.name
        let tables = tableNames.map { name in
            felisSchema.table(named: name)!.tableInfo(schema: schemaName, partitioning: partitioning(of: name)!)
        }.keepingResolvableForeignKeys()
        return (SchemaInfo(name: schemaName, description: felisSchema.description), tables)
    }
}
