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
/// - `director`: the director table, its key column and its position columns (degrees); or
///   `directors`, a list of them, each heading a family of its own (e.g. Object, DiaObject). A
///   director without `key` is placed by its position alone (e.g. Source, TruthSummary): it
///   has overlap rows but no children and no director index.
/// - `children`: tables placed in the chunk of the director row that `foreignKey` names, of
///   the director `director` (default: the first). A child with `match` is a ref-match table
///   (e.g. MatchesTruth): `match.column` of it equals `match.matchedColumn` of the director
///   `match.matchedTable`, and every pair it links lies within `match.maxSeparation` degrees.
/// - `replicated`: small tables copied whole into `replicated.sqlite`.
/// - `csvDirectory`: where relative CSV paths start (default: the descriptor's directory; a
///   relative path is relative to the descriptor's directory).
/// - `csv`: per table, its CSV files (header line, RFC 4180, empty field = NULL). A listed table
///   without CSV files is created empty with every schema column.
/// - `extraIndexes`: per table, more indexes (column lists) beyond the ones the ingest always
///   makes (director key, subChunkId, child foreign key) and the Felis `indexes`.
/// - `aliases`: per replicated table, more schemas that serve it too, under the same name
///   (e.g. `{"ObsCore": ["ivoa"]}`: `ivoa.ObsCore`, the name ObsCore clients look for).
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
        /// nil: placed by its position alone, without children or director index.
        public var key: String?
        public var lon: String
        public var lat: String

        public init(table: String, key: String?, lon: String, lat: String) {
            self.table = table
            self.key = key
            self.lon = lon
            self.lat = lat
        }
    }

    public struct Child: Sendable, Hashable, Codable {
        public var table: String
        public var foreignKey: String
        /// The director whose key `foreignKey` holds; nil: the first director.
        public var director: String?
        /// The second link of a ref-match table.
        public var match: RefMatchSpec?

        public init(table: String, foreignKey: String, director: String? = nil, match: RefMatchSpec? = nil) {
            self.table = table
            self.foreignKey = foreignKey
            self.director = director
            self.match = match
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
    /// The directors, at least one; the first is the catalog's main family.
    public var directors: [Director]
    public var children: [Child]
    public var replicated: [String]
    public var csvDirectory: String?
    public var csv: [String: [String]]
    public var extraIndexes: [String: [[String]]]
    /// Per replicated table, the other schemas it is also served in.
    public var aliases: [String: [String]]
    public var badRows: BadRowPolicy
    /// Per table, the columns written as column files (nil entry: the default choice).
    public var columnFiles: [String: [String]] = [:]
    /// The directory relative paths start from; set by `load(contentsOf:)`, not stored.
    public var baseDirectory: URL?

    enum CodingKeys: String, CodingKey {
        case felis, schema, chunking, director, directors, children, replicated, csvDirectory, csv, extraIndexes, aliases
        case badRows, columnFiles
    }

    public init(
        felis: String, schema: String? = nil, chunking: ChunkingParameters = .demo, directors: [Director],
        children: [Child] = [], replicated: [String] = [], csvDirectory: String? = nil,
        csv: [String: [String]] = [:], extraIndexes: [String: [[String]]] = [:], aliases: [String: [String]] = [:],
        badRows: BadRowPolicy = .abort, baseDirectory: URL? = nil
    ) {
        self.felis = felis
        self.schema = schema
        self.chunking = chunking
        self.directors = directors
        self.children = children
        self.replicated = replicated
        self.csvDirectory = csvDirectory
        self.csv = csv
        self.extraIndexes = extraIndexes
        self.aliases = aliases
        self.badRows = badRows
        self.baseDirectory = baseDirectory
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        felis = try c.decode(String.self, forKey: .felis)
        schema = try c.decodeIfPresent(String.self, forKey: .schema)
        chunking = try c.decodeIfPresent(ChunkingParameters.self, forKey: .chunking) ?? .demo
        if let list = try c.decodeIfPresent([Director].self, forKey: .directors) {
            guard !list.isEmpty, !c.contains(.director) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .directors, in: c, debugDescription: "give one `director` or a non-empty `directors` list")
            }
            directors = list
        } else {
            directors = [try c.decode(Director.self, forKey: .director)]
        }
        children = try c.decodeIfPresent([Child].self, forKey: .children) ?? []
        replicated = try c.decodeIfPresent([String].self, forKey: .replicated) ?? []
        csvDirectory = try c.decodeIfPresent(String.self, forKey: .csvDirectory)
        csv = try c.decodeIfPresent([String: [String]].self, forKey: .csv) ?? [:]
        extraIndexes = try c.decodeIfPresent([String: [[String]]].self, forKey: .extraIndexes) ?? [:]
        aliases = try c.decodeIfPresent([String: [String]].self, forKey: .aliases) ?? [:]
        badRows = try c.decodeIfPresent(BadRowPolicy.self, forKey: .badRows) ?? .abort
        columnFiles = try c.decodeIfPresent([String: [String]].self, forKey: .columnFiles) ?? [:]
        baseDirectory = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(felis, forKey: .felis)
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encode(chunking, forKey: .chunking)
        if directors.count == 1 { try c.encode(directors[0], forKey: .director) } else { try c.encode(directors, forKey: .directors) }
        try c.encode(children, forKey: .children)
        try c.encode(replicated, forKey: .replicated)
        try c.encodeIfPresent(csvDirectory, forKey: .csvDirectory)
        try c.encode(csv, forKey: .csv)
        if !extraIndexes.isEmpty { try c.encode(extraIndexes, forKey: .extraIndexes) }
        if !aliases.isEmpty { try c.encode(aliases, forKey: .aliases) }
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

    /// The first director (the catalog's main family).
    public var director: Director {
        get { directors[0] }
        set { directors[0] = newValue }
    }

    /// Every table the descriptor loads, directors first, then children, then replicated.
    public var tableNames: [String] { directors.map(\.table) + children.map(\.table) + replicated }

    /// The director a child's rows follow.
    public func directorName(of child: Child) -> String { child.director ?? directors[0].table }

    public func partitioning(of table: String) -> Partitioning? {
        if let director = directors.first(where: { $0.table == table }) {
            return .director(DirectorSpec(keyColumn: director.key, lonColumn: director.lon, latColumn: director.lat))
        }
        if let child = children.first(where: { $0.table == table }) {
            return .child(directorTable: directorName(of: child), foreignKey: child.foreignKey)
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
        for d in directors {
            let director = felisSchema.table(named: d.table)!
            for col in [d.key, d.lon, d.lat].compactMap({ $0 }) where director.column(named: col) == nil {
                throw CatalogError(.invalidDescriptor, "director column \(d.table).\(col) is not in the Felis schema")
            }
            if let key = d.key, let keyType = director.column(named: key)?.sqliteType, keyType != "INTEGER" {
                throw CatalogError(.invalidDescriptor, "director key \(d.table).\(key) must be an integer column")
            }
        }
        for child in children {
            let table = felisSchema.table(named: child.table)!
            guard table.column(named: child.foreignKey) != nil else {
                throw CatalogError(
                    .invalidDescriptor, "foreign key column \(child.table).\(child.foreignKey) is not in the Felis schema")
            }
            let directorName = directorName(of: child)
            guard let director = directors.first(where: { $0.table == directorName }) else {
                throw CatalogError(.invalidDescriptor, "child \(child.table) names \(directorName), which is not a director")
            }
            guard director.key != nil else {
                throw CatalogError(
                    .invalidDescriptor,
                    "child \(child.table) follows \(directorName), a director without a key (placed by its position alone)")
            }
            if let match = child.match {
                guard let matched = directors.first(where: { $0.table == match.matchedTable }) else {
                    throw CatalogError(
                        .invalidDescriptor, "ref-match \(child.table) names \(match.matchedTable), which is not a director")
                }
                guard table.column(named: match.column) != nil,
                    felisSchema.table(named: matched.table)!.column(named: match.matchedColumn) != nil
                else {
                    throw CatalogError(
                        .invalidDescriptor,
                        "ref-match columns \(child.table).\(match.column) / \(matched.table).\(match.matchedColumn) are not in the Felis schema")
                }
                guard match.maxSeparation >= 0, match.maxSeparation.isFinite else {
                    throw CatalogError(.invalidDescriptor, "ref-match \(child.table): maxSeparation must be ≥ 0 degrees")
                }
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
        for (table, schemas) in aliases {
            guard replicated.contains(table) else {
                throw CatalogError(.invalidDescriptor, "aliases name \(table), which is not a replicated table")
            }
            for s in schemas where s == schemaName || s.lowercased() == "tap_schema" || s.isEmpty {
                throw CatalogError(.invalidDescriptor, "\(table) cannot also be served in schema \(s)")
            }
        }
        let tables = tableNames.map { name in
            var info = felisSchema.table(named: name)!.tableInfo(schema: schemaName, partitioning: partitioning(of: name)!)
            info.refMatch = children.first { $0.table == name }?.match
            return info
        }.keepingResolvableForeignKeys()
        return (SchemaInfo(name: schemaName, description: felisSchema.description), tables)
    }
}
