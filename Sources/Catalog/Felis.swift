import Foundation
import Yams

/// A schema read from a Felis YAML file (the format of Rubin's lsst-sdm-schemas, e.g.
/// `dp02_dc2.yaml`): the tables with their columns, keys, foreign keys and indexes.
///
/// What is read from the YAML, per column: `name`, `datatype`, `length`, `nullable`
/// (default true), `description`, the unit from `ivoa:unit` or else `fits:tunit`, `ivoa:ucd`,
/// `votable:utype`, `tap:principal` (0/1 or boolean) and `tap:column_index`. Per table:
/// `name`, `description`, `primaryKey` (one `@id` or a list of them), `tap:table_index`,
/// `indexes` (`columns:` lists of `@id`s) and `constraints` of `@type: ForeignKey`
/// (`name`, `description`, `columns` / `referencedColumns` lists of `@id`s). References by `@id` (e.g.
/// `"#Object.objectId"`) are resolved through the `@id`s declared in the file; an unknown id of
/// the form `#Table.column` falls back to its last component. Everything else is ignored.
public struct FelisSchema: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var version: String?
    public var tables: [FelisTable]

    public init(name: String, description: String? = nil, version: String? = nil, tables: [FelisTable]) {
        self.name = name
        self.description = description
        self.version = version
        self.tables = tables
    }

    public func table(named name: String) -> FelisTable? { tables.first { $0.name == name } }

    public var schemaInfo: SchemaInfo { SchemaInfo(name: name, description: description) }

    /// The tables as the catalog model describes them. `partitioning` says how each table is
    /// spread; `schemaName` overrides the schema name of the file.
    public func tableInfos(
        schemaName: String? = nil, partitioning: (FelisTable) -> Partitioning
    ) -> [TableInfo] {
        tables.map { $0.tableInfo(schema: schemaName ?? name, partitioning: partitioning($0)) }
    }
}

public struct FelisTable: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var columns: [ColumnInfo]
    public var primaryKey: [String]
    public var indexes: [FelisIndex]
    public var foreignKeys: [ForeignKeyInfo]
    /// `tap:table_index`, the TAP_SCHEMA ordering hint.
    public var tableIndex: Int?
    /// `tap:column_index` by column name, where given.
    public var columnIndexes: [String: Int]

    public init(
        name: String, description: String? = nil, columns: [ColumnInfo], primaryKey: [String] = [],
        indexes: [FelisIndex] = [], foreignKeys: [ForeignKeyInfo] = [], tableIndex: Int? = nil,
        columnIndexes: [String: Int] = [:]
    ) {
        self.name = name
        self.description = description
        self.columns = columns
        self.primaryKey = primaryKey
        self.indexes = indexes
        self.foreignKeys = foreignKeys
        self.tableIndex = tableIndex
        self.columnIndexes = columnIndexes
    }

    public func column(named name: String) -> ColumnInfo? { columns.first { $0.name == name } }

    /// The catalog model's view of this table, with its foreign keys. Columns of the primary
    /// key and of declared indexes are marked `indexed`.
    public func tableInfo(schema: String, partitioning: Partitioning) -> TableInfo {
        let indexedNames = Set(primaryKey).union(indexes.compactMap { $0.columns.first })
        let cols = columns.map { c -> ColumnInfo in
            var c = c
            if indexedNames.contains(c.name) { c.indexed = true }
            return c
        }
        return TableInfo(
            schema: schema, name: name, description: description, columns: cols, primaryKey: primaryKey,
            partitioning: partitioning, foreignKeys: foreignKeys)
    }
}

public struct FelisIndex: Sendable, Hashable, Codable {
    public var name: String
    public var columns: [String]

    public init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

/// Reads Felis YAML.
public enum Felis {
    public static func load(contentsOf url: URL) throws -> FelisSchema {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CatalogError(
                .unreadable, "cannot read Felis file: \(error.localizedDescription)", file: url.path, cause: error)
        }
        do {
            return try parse(yaml: text)
        } catch var error as CatalogError {
            error.file = url.path
            throw error
        }
    }

    public static func parse(yaml: String) throws -> FelisSchema {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw CatalogError(.invalidSchema, "YAML syntax: \(error)", cause: error)
        }
        guard let root, root.mapping != nil else { throw CatalogError(.invalidSchema, "the document is not a YAML mapping") }
        guard let schemaName = text(root["name"]) else { throw CatalogError(.invalidSchema, "the schema has no name") }
        guard let tableNodes = root["tables"]?.sequence else {
            throw CatalogError(.invalidSchema, "schema \(schemaName) has no `tables` list")
        }

        // Pass 1: every declared @id → (table, column).
        var ids: [String: (table: String, column: String?)] = [:]
        for t in tableNodes {
            guard let tn = text(t["name"]) else { continue }
            if let id = text(t["@id"]) { ids[id] = (tn, nil) }
            for c in t["columns"]?.sequence ?? Node.Sequence() {
                if let cn = text(c["name"]), let id = text(c["@id"]) { ids[id] = (tn, cn) }
            }
        }
        func resolve(_ ref: String, table: String?) -> (table: String?, column: String) {
            if let hit = ids[ref], let column = hit.column { return (hit.table, column) }
            var s = Substring(ref)
            if s.hasPrefix("#") { s = s.dropFirst() }
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count >= 2 { return (String(parts[parts.count - 2]), String(parts[parts.count - 1])) }
            return (table, String(s))
        }
        func refs(_ node: Node?) -> [String] {
            guard let node else { return [] }
            if let seq = node.sequence { return seq.compactMap { text($0) } }
            return text(node).map { [$0] } ?? []
        }

        var tables: [FelisTable] = []
        var seen = Set<String>()
        for t in tableNodes {
            guard let tn = text(t["name"]) else { throw CatalogError(.invalidSchema, "a table of \(schemaName) has no name") }
            guard seen.insert(tn).inserted else { throw CatalogError(.invalidSchema, "table \(tn) is declared twice") }
            var columns: [ColumnInfo] = []
            var columnIndexes: [String: Int] = [:]
            var columnNames = Set<String>()
            for c in t["columns"]?.sequence ?? Node.Sequence() {
                guard let cn = text(c["name"]) else { throw CatalogError(.invalidSchema, "a column of \(tn) has no name") }
                guard let datatype = text(c["datatype"]) else {
                    throw CatalogError(.invalidSchema, "column \(tn).\(cn) has no datatype")
                }
                guard columnNames.insert(cn).inserted else {
                    throw CatalogError(.invalidSchema, "column \(tn).\(cn) is declared twice")
                }
                let unit = text(c["ivoa:unit"]) ?? text(c["fits:tunit"])
                columns.append(
                    ColumnInfo(
                        name: cn, datatype: datatype, length: integer(c["length"]), unit: unit,
                        ucd: text(c["ivoa:ucd"]), utype: text(c["votable:utype"]),
                        description: text(c["description"]).map(normalizeSpace),
                        nullable: flag(c["nullable"]) ?? true, principal: flag(c["tap:principal"]) ?? false))
                if let ci = integer(c["tap:column_index"]) { columnIndexes[cn] = ci }
            }
            if columns.isEmpty { throw CatalogError(.invalidSchema, "table \(tn) has no columns") }
            let pk = refs(t["primaryKey"]).map { resolve($0, table: tn).column }
            for k in pk where !columnNames.contains(k) {
                throw CatalogError(.invalidSchema, "primary key column \(k) of \(tn) is not a column of \(tn)")
            }
            var indexes: [FelisIndex] = []
            for (i, ix) in (t["indexes"]?.sequence ?? Node.Sequence()).enumerated() {
                let cols = refs(ix["columns"]).map { resolve($0, table: tn).column }
                if cols.isEmpty { continue }  // expression indexes are not supported; ignored
                for k in cols where !columnNames.contains(k) {
                    throw CatalogError(.invalidSchema, "index column \(k) of \(tn) is not a column of \(tn)")
                }
                indexes.append(FelisIndex(name: text(ix["name"]) ?? "IDX_\(tn)_\(i)", columns: cols))
            }
            var fks: [ForeignKeyInfo] = []
            for k in t["constraints"]?.sequence ?? Node.Sequence() {
                guard (text(k["@type"]) ?? "ForeignKey") == "ForeignKey" else { continue }
                let cols = refs(k["columns"]).map { resolve($0, table: tn).column }
                let referenced = refs(k["referencedColumns"]).map { resolve($0, table: nil) }
                guard !cols.isEmpty, cols.count == referenced.count, let rt = referenced.first?.table else { continue }
                fks.append(
                    ForeignKeyInfo(
                        name: text(k["name"]) ?? "FK_\(tn)_\(cols.joined(separator: "_"))", referencing: rt,
                        pairs: Array(zip(cols, referenced.map(\.column))),
                        description: text(k["description"]).map(normalizeSpace)))
            }
            tables.append(
                FelisTable(
                    name: tn, description: text(t["description"]).map(normalizeSpace), columns: columns,
                    primaryKey: pk, indexes: indexes, foreignKeys: fks, tableIndex: integer(t["tap:table_index"]),
                    columnIndexes: columnIndexes))
        }
        return FelisSchema(
            name: schemaName, description: text(root["description"]).map(normalizeSpace),
            version: text(root["version"]), tables: tables)
    }

    /// A scalar's text; nil for a missing, null or empty value.
    private static func text(_ node: Node?) -> String? {
        guard let node, let scalar = node.scalar else { return nil }
        if node.null != nil { return nil }
        let s = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    private static func integer(_ node: Node?) -> Int? {
        guard let s = text(node) else { return nil }
        return Int(s) ?? Double(s).flatMap { $0.rounded() == $0 ? Int($0) : nil }
    }

    /// `1`/`0`, `true`/`false`, `yes`/`no`.
    private static func flag(_ node: Node?) -> Bool? {
        guard let s = text(node)?.lowercased() else { return nil }
        switch s {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: return nil
        }
    }

    private static func normalizeSpace(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }
}
