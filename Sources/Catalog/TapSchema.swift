import ADQL
import Tabular

/// TAP_SCHEMA 1.1: the tables that describe the served tables, themselves queryable with ADQL
/// (`SELECT * FROM tap_schema.columns WHERE table_name = 'dp02_dc2_catalogs.Object'`).
public enum TapSchema {
    public static let schemaName = "tap_schema"

    private static func column(
        _ name: String, _ datatype: String, _ description: String, principal: Bool = true, nullable: Bool = true,
        indexed: Bool = false
    ) -> ColumnInfo {
        ColumnInfo(
            name: name, datatype: datatype, description: description, nullable: nullable, principal: principal,
            indexed: indexed)
    }

    private static func key(_ column: String, references table: String, _ referencedColumn: String) -> ForeignKeyInfo {
        ForeignKeyInfo(name: "fk_\(column)", referencing: table, pairs: [(column, referencedColumn)])
    }

    /// The five TAP_SCHEMA tables with their standard columns and the keys between them.
    /// `indexed` columns are indexed in tap_schema.sqlite (`TapSchemaDatabase`).
    public static let tables: [TableInfo] = [
        TableInfo(
            schema: schemaName, name: "schemas", description: "The schemas of this service.",
            columns: [
                column("schema_name", "char", "schema name, as used in queries", nullable: false, indexed: true),
                column("utype", "char", "utype of the schema", principal: false),
                column("description", "char", "description of the schema"),
                column("schema_index", "int", "recommended order of the schemas", principal: false),
            ], primaryKey: ["schema_name"], partitioning: .replicated),
        TableInfo(
            schema: schemaName, name: "tables", description: "The tables of this service.",
            columns: [
                column("schema_name", "char", "the schema the table belongs to", nullable: false, indexed: true),
                column(
                    "table_name", "char", "fully qualified table name, as used in queries", nullable: false,
                    indexed: true),
                column("table_type", "char", "table or view", nullable: false),
                column("utype", "char", "utype of the table", principal: false),
                column("description", "char", "description of the table"),
                column("table_index", "int", "recommended order of the tables", principal: false),
            ], primaryKey: ["table_name"], partitioning: .replicated,
            foreignKeys: [key("schema_name", references: "schemas", "schema_name")]),
        TableInfo(
            schema: schemaName, name: "columns", description: "The columns of the tables of this service.",
            columns: [
                column("table_name", "char", "fully qualified name of the table", nullable: false, indexed: true),
                column("column_name", "char", "column name, as used in queries", nullable: false, indexed: true),
                column("datatype", "char", "VOTable datatype", nullable: false),
                column("arraysize", "char", "VOTable arraysize"),
                column("xtype", "char", "DALI xtype"),
                column("size", "int", "length of fixed-length strings (deprecated: see arraysize)", principal: false),
                column("description", "char", "description of the column"),
                column("utype", "char", "utype of the column", principal: false),
                column("unit", "char", "unit in VOUnit syntax"),
                column("ucd", "char", "UCD of the column"),
                column("indexed", "int", "1 if the column is indexed", nullable: false),
                column("principal", "int", "1 if the column is principal", nullable: false),
                column("std", "int", "1 if the column is defined by a standard", principal: false, nullable: false),
                column("column_index", "int", "recommended order of the columns", principal: false),
            ], primaryKey: ["table_name", "column_name"], partitioning: .replicated,
            foreignKeys: [key("table_name", references: "tables", "table_name")]),
        TableInfo(
            schema: schemaName, name: "keys", description: "Foreign keys between the tables of this service.",
            columns: [
                column("key_id", "char", "key identifier", nullable: false, indexed: true),
                column("from_table", "char", "table with the foreign key", nullable: false, indexed: true),
                column("target_table", "char", "table with the primary key", nullable: false, indexed: true),
                column("utype", "char", "utype of the key", principal: false),
                column("description", "char", "description of the key"),
            ], primaryKey: ["key_id"], partitioning: .replicated,
            foreignKeys: [
                key("from_table", references: "tables", "table_name"),
                key("target_table", references: "tables", "table_name"),
            ]),
        TableInfo(
            schema: schemaName, name: "key_columns", description: "The columns of the foreign keys.",
            columns: [
                column("key_id", "char", "key identifier", nullable: false, indexed: true),
                column("from_column", "char", "column of the from table", nullable: false),
                column("target_column", "char", "column of the target table", nullable: false),
            ], partitioning: .replicated, foreignKeys: [key("key_id", references: "keys", "key_id")]),
    ]

    /// A column name as TAP_SCHEMA and the VOSI tables document publish it: as it is written in
    /// ADQL, delimited when it is a reserved word (`"size"`) or not a regular identifier.
    public static func publishedName(_ column: String) -> String {
        Identifier(column).canonicalADQL
    }

    /// The `key_id` of a foreign key of `table`.
    public static func keyID(_ key: ForeignKeyInfo, of table: TableInfo) -> String {
        "\(table.qualifiedName).\(key.name)"
    }

    /// The rows of each TAP_SCHEMA table for a catalog (which is described together with
    /// TAP_SCHEMA itself).
    public static func rows(for catalog: CatalogDescription) -> [String: [[Value]]] {
        func text(_ s: String?) -> Value { s.map { .text($0) } ?? .null }
        func flag(_ b: Bool) -> Value { .integer(b ? 1 : 0) }
        let described = catalog.tables.filter { $0.schema != schemaName } + tables
        var schemaNames: [String] = []
        for t in described where !schemaNames.contains(t.schema) { schemaNames.append(t.schema) }
        var result: [String: [[Value]]] = [:]
        result["schemas"] = schemaNames.enumerated().map { i, name in
            let description =
                name == schemaName
                ? "Metadata of the tables of this service (TAP_SCHEMA 1.1)."
                : catalog.schemas.first { $0.name == name }?.description
            return [.text(name), .null, text(description), .integer(Int64(i))]
        }
        result["tables"] = described.enumerated().map { i, t in
            [.text(t.schema), .text(t.qualifiedName), .text("table"), .null, text(t.description), .integer(Int64(i))]
        }
        var columnRows: [[Value]] = []
        for t in described {
            for (i, c) in t.columns.enumerated() {
                let f = c.fieldDescriptor
                columnRows.append([
                    .text(t.qualifiedName), .text(publishedName(c.name)), .text(f.datatype.rawValue), text(f.arraysize),
                    text(f.xtype), c.length.map { .integer(Int64($0)) } ?? .null, text(c.description), text(c.utype),
                    text(c.unit), text(c.ucd), flag(c.indexed), flag(c.principal), flag(t.schema == schemaName),
                    .integer(Int64(i)),
                ])
            }
        }
        result["columns"] = columnRows
        var keys: [[Value]] = []
        var keyColumns: [[Value]] = []
        for t in described {
            for key in catalog.foreignKeys(of: t) {
                let id = keyID(key, of: t)
                keys.append([
                    .text(id), .text(t.qualifiedName), .text("\(t.schema).\(key.referencedTable)"), .null,
                    text(key.description),
                ])
                for (from, target) in zip(key.columns, key.referencedColumns) {
                    keyColumns.append([.text(id), .text(publishedName(from)), .text(publishedName(target))])
                }
            }
        }
        result["keys"] = keys
        result["key_columns"] = keyColumns
        return result
    }
}
