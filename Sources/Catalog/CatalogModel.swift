import Tabular

/// How a table is spread over the shards.
public enum Partitioning: Sendable, Hashable, Codable {
    /// A director table (e.g. Object, DiaObject): rows placed by their own position, copied to
    /// the neighbouring chunks' overlap; owns the key that its director index maps to a chunk
    /// (none for a table partitioned by its position alone, e.g. Source or TruthSummary). A
    /// catalog may have several directors, each heading a family of its own.
    case director(DirectorSpec)
    /// A child table (e.g. ForcedSource): rows placed in the chunk of the director row they
    /// reference through `foreignKey` (a column of this table holding the director's key).
    case child(directorTable: String, foreignKey: String)
    /// A small table copied whole to every worker (e.g. CcdVisit).
    case replicated
}

public struct DirectorSpec: Sendable, Hashable, Codable {
    /// The director's primary key column (e.g. objectId), an integer column that children
    /// reference and the director index maps to chunks; nil for a table placed by its position
    /// alone (no children, no index).
    public var keyColumn: String?
    /// Longitude / latitude columns in degrees (e.g. coord_ra, coord_dec).
    public var lonColumn: String
    public var latColumn: String

    public init(keyColumn: String?, lonColumn: String, latColumn: String) {
        self.keyColumn = keyColumn
        self.lonColumn = lonColumn
        self.latColumn = latColumn
    }
}

/// The Qserv partitioning parameters of a catalog.
public struct ChunkingParameters: Sendable, Hashable, Codable {
    public var numStripes: Int
    public var numSubStripesPerStripe: Int
    /// Overlap margin in degrees: how far outside its chunk a director row is copied so that
    /// near-neighbour joins up to this distance can be answered chunk by chunk.
    public var overlap: Double

    public init(numStripes: Int, numSubStripesPerStripe: Int, overlap: Double) {
        self.numStripes = numStripes
        self.numSubStripesPerStripe = numSubStripesPerStripe
        self.overlap = overlap
    }

    /// The demo default: 85 stripes (~2.1° chunks), 12 sub-stripes, 1 arcmin overlap.
    public static let demo = ChunkingParameters(numStripes: 85, numSubStripesPerStripe: 12, overlap: 0.01667)
}

/// One column's metadata, as a TAP_SCHEMA column row and a VOTable FIELD need it.
public struct ColumnInfo: Sendable, Hashable, Codable {
    public var name: String
    /// Felis datatype name: boolean, byte, short, int, long, float, double, char, string,
    /// unicode, text, timestamp, binary.
    public var datatype: String
    /// For char/string columns the declared length.
    public var length: Int?
    public var unit: String?
    public var ucd: String?
    public var utype: String?
    public var description: String?
    public var nullable: Bool
    /// TAP_SCHEMA `principal`.
    public var principal: Bool
    public var indexed: Bool

    public init(
        name: String, datatype: String, length: Int? = nil, unit: String? = nil, ucd: String? = nil,
        utype: String? = nil, description: String? = nil, nullable: Bool = true, principal: Bool = false,
        indexed: Bool = false
    ) {
        self.name = name
        self.datatype = datatype
        self.length = length
        self.unit = unit
        self.ucd = ucd
        self.utype = utype
        self.description = description
        self.nullable = nullable
        self.principal = principal
        self.indexed = indexed
    }

    public var voDatatype: VODatatype { VODatatype(felis: datatype) }

    /// The SQLite column type used in shard files.
    public var sqliteType: String {
        switch datatype.lowercased() {
        case "boolean", "byte", "short", "int", "long": "INTEGER"
        case "float", "double": "REAL"
        case "binary": "BLOB"
        default: "TEXT"
        }
    }

    public var fieldDescriptor: FieldDescriptor {
        FieldDescriptor(
            name: name, datatype: voDatatype,
            arraysize: voDatatype.isCharacter ? (length.map { "\($0)*" } ?? "*") : nil,
            unit: unit, ucd: ucd, utype: utype,
            xtype: datatype.lowercased() == "timestamp" ? "timestamp" : nil,
            description: description)
    }
}

/// A declared foreign key of a table (a Felis `ForeignKey` constraint): `columns` of this
/// table reference `referencedColumns` of `referencedTable`, a table of the same schema.
public struct ForeignKeyInfo: Sendable, Hashable, Codable {
    /// The constraint's name, unique among the keys of its table.
    public var name: String
    public var columns: [String]
    public var referencedTable: String
    public var referencedColumns: [String]
    public var description: String?

    /// A key whose `pairs` are (column of this table, column of `referencedTable`).
    public init(
        name: String, referencing referencedTable: String, pairs: [(column: String, referenced: String)],
        description: String? = nil
    ) {
        self.name = name
        self.referencedTable = referencedTable
        columns = pairs.map(\.column)
        referencedColumns = pairs.map(\.referenced)
        self.description = description
    }
}

public struct TableInfo: Sendable, Hashable, Codable {
    public var schema: String
    public var name: String
    public var description: String?
    public var columns: [ColumnInfo]
    public var primaryKey: [String]
    public var partitioning: Partitioning
    /// The declared foreign keys (TAP_SCHEMA `keys`, the VOSI `foreignKey`s). The child →
    /// director link of `partitioning` is published as a key too (`CatalogDescription.foreignKeys(of:)`).
    public var foreignKeys: [ForeignKeyInfo]
    /// For a ref-match table (e.g. MatchesTruth, a child of Object): its second link, to rows
    /// of another director (e.g. TruthSummary) placed by their own positions.
    public var refMatch: RefMatchSpec?

    public init(
        schema: String, name: String, description: String? = nil, columns: [ColumnInfo],
        primaryKey: [String] = [], partitioning: Partitioning, foreignKeys: [ForeignKeyInfo] = [],
        refMatch: RefMatchSpec? = nil
    ) {
        self.schema = schema
        self.name = name
        self.description = description
        self.columns = columns
        self.primaryKey = primaryKey
        self.partitioning = partitioning
        self.foreignKeys = foreignKeys
        self.refMatch = refMatch
    }

    enum CodingKeys: String, CodingKey {
        case schema, name, description, columns, primaryKey, partitioning, foreignKeys, refMatch
    }

    /// Decodes catalog.json; files written before foreign keys were kept have none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            schema: try c.decode(String.self, forKey: .schema), name: try c.decode(String.self, forKey: .name),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            columns: try c.decode([ColumnInfo].self, forKey: .columns),
            primaryKey: try c.decode([String].self, forKey: .primaryKey),
            partitioning: try c.decode(Partitioning.self, forKey: .partitioning),
            foreignKeys: try c.decodeIfPresent([ForeignKeyInfo].self, forKey: .foreignKeys) ?? [],
            refMatch: try c.decodeIfPresent(RefMatchSpec.self, forKey: .refMatch))
    }

    public var qualifiedName: String { "\(schema).\(name)" }

    public func column(named name: String) -> ColumnInfo? {
        columns.first { $0.name == name }
    }

    public var isPartitioned: Bool {
        if case .replicated = partitioning { return false }
        return true
    }

    public var directorSpec: DirectorSpec? {
        if case .director(let spec) = partitioning { return spec }
        return nil
    }
}

/// The description of one served catalog version: every table and how it is partitioned, and
/// the chunks that hold data with their row counts.
public struct CatalogDescription: Sendable, Hashable, Codable {
    public var schemas: [SchemaInfo]
    public var tables: [TableInfo]
    public var chunking: ChunkingParameters
    /// Non-empty chunks (rows of any director) and the first director's rows in each (0 where
    /// a chunk holds only other families).
    public var chunkRowCounts: [Int: Int]
    /// Row counts of every table, all chunks together (overlap rows excluded).
    public var tableRowCounts: [String: Int]
    /// The director's chunk tables have a zone index, (zone, longitude) with zones of this
    /// many per degree of latitude (the planner's `ZoneIndex`); nil for files built without one.
    public var zonesPerDegree: Int?

    public init(
        schemas: [SchemaInfo], tables: [TableInfo], chunking: ChunkingParameters,
        chunkRowCounts: [Int: Int] = [:], tableRowCounts: [String: Int] = [:], zonesPerDegree: Int? = nil
    ) {
        self.schemas = schemas
        self.tables = tables
        self.chunking = chunking
        self.chunkRowCounts = chunkRowCounts
        self.tableRowCounts = tableRowCounts
        self.zonesPerDegree = zonesPerDegree
    }

    /// The chunk ids that hold data, sorted.
    public var chunkIds: [Int] { chunkRowCounts.keys.sorted() }

    public func table(schema: String, name: String) -> TableInfo? {
        tables.first { $0.schema == schema && $0.name == name }
    }

    /// The first director table (the catalog's main family, e.g. Object).
    public var directorTable: TableInfo? {
        tables.first { $0.directorSpec != nil }
    }

    /// Every director table, in catalog order: the heads of the partitioned families.
    public var directorTables: [TableInfo] {
        tables.filter { $0.directorSpec != nil }
    }

    /// The name of `director`'s table in director_index.sqlite: the first keyed director keeps
    /// the historical name, each other keyed director has a table of its own.
    public func directorIndexTable(of director: String) -> String {
        let first = tables.first { $0.directorSpec?.keyColumn != nil }?.name
        return director == first ? ShardTableNames.directorIndex : ShardTableNames.directorIndex(of: director)
    }

    /// The foreign keys published for `table`: its declared keys, then the child → director
    /// link of its partitioning unless a declared key says the same.
    public func foreignKeys(of table: TableInfo) -> [ForeignKeyInfo] {
        var keys = table.foreignKeys
        if case .child(let directorName, let foreignKey) = table.partitioning,
            let director = self.table(schema: table.schema, name: directorName),
            let key = director.directorSpec?.keyColumn,
            !keys.contains(where: {
                $0.referencedTable == directorName && $0.columns == [foreignKey] && $0.referencedColumns == [key]
            })
        {
            keys.append(
                ForeignKeyInfo(
                    name: foreignKey, referencing: directorName, pairs: [(foreignKey, key)],
                    description: "\(table.name) rows belong to the \(director.name) row they reference"))
        }
        return keys
    }
}

extension CatalogDescription {
    /// Adds, for each replicated table of `aliases`, a copy of it in each of the other
    /// schemas named (with the schema): one table of replicated.sqlite served under several
    /// names (ObsCore as `ivoa.ObsCore`).
    public mutating func addAliases(_ aliases: [String: [String]]) {
        for (name, schemas) in aliases.sorted(by: { $0.key < $1.key }) {
            guard let table = tables.first(where: { $0.name == name && !$0.isPartitioned }) else { continue }
            for schema in schemas where self.table(schema: schema, name: name) == nil {
                var copy = table
                copy.schema = schema
                copy.foreignKeys = []
                tables.append(copy)
                if !self.schemas.contains(where: { $0.name == schema }) {
                    self.schemas.append(SchemaInfo(name: schema, description: "\(schema) tables, served from the catalog"))
                }
            }
        }
    }
}

extension [TableInfo] {
    /// The tables with only the foreign keys that resolve among them: the referenced table is
    /// one of them and every column on both sides is there (an ingest loads some tables of a
    /// schema, and of a table only the columns its CSV files have).
    public func keepingResolvableForeignKeys() -> [TableInfo] {
        map { table in
            var resolvable = table
            resolvable.foreignKeys = table.foreignKeys.filter { key in
                guard let target = first(where: { $0.schema == table.schema && $0.name == key.referencedTable }) else {
                    return false
                }
                return key.columns.allSatisfy { table.column(named: $0) != nil }
                    && key.referencedColumns.allSatisfy { target.column(named: $0) != nil }
            }
            return resolvable
        }
    }
}

/// The second link of a ref-match table (Qserv's match tables, e.g. MatchesTruth): `column`
/// of the match table equals `matchedColumn` of `matchedTable`, a director placed by its own
/// position. The match table's rows sit in the chunk of the director row they reference as a
/// child; every pair they link lies within `maxSeparation` degrees (the ingest checks it per
/// chunk), so when that is within the catalog's overlap the matched row is in the same chunk
/// or in its overlap, and joins through the match table are answered chunk by chunk.
public struct RefMatchSpec: Sendable, Hashable, Codable {
    public var matchedTable: String
    public var column: String
    public var matchedColumn: String
    public var maxSeparation: Double

    public init(matchedTable: String, column: String, matchedColumn: String, maxSeparation: Double) {
        self.matchedTable = matchedTable
        self.column = column
        self.matchedColumn = matchedColumn
        self.maxSeparation = maxSeparation
    }
}

public struct SchemaInfo: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}
