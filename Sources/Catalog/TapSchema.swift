import Tabular

/// TAP_SCHEMA 1.1: the tables that describe the served tables, themselves queryable with ADQL
/// (`SELECT * FROM tap_schema.columns WHERE table_name = 'dp02_dc2_catalogs.Object'`).
public enum TapSchema {
    public static let schemaName = "tap_schema"

    private static func column(
        _ name: String, _ datatype: String, length: Int? = nil, _ description: String, principal: Bool = true,
        nullable: Bool = true
    ) -> ColumnInfo {
        ColumnInfo(
            name: name, datatype: datatype, length: length, description: description, nullable: nullable,
            principal: principal)
    }

    /// The five TAP_SCHEMA tables with their standard columns.
    public static let tables: [TableInfo] = [
        TableInfo(
            schema: schemaName, name: "schemas", description: "The schemas of this service.",
            columns: [
                column("schema_name", "char", "schema name, as used in queries", nullable: false),
                column("utype", "char", "utype of the schema"),
                column("description", "char", "description of the schema"),
                column("schema_index", "int", "recommended order of the schemas", principal: false),
            ], primaryKey: ["schema_name"], partitioning: .replicated),
        TableInfo(
            schema: schemaName, name: "tables", description: "The tables of this service.",
            columns: [
                column("schema_name", "char", "the schema the table belongs to", nullable: false),
                column("table_name", "char", "fully qualified table name, as used in queries", nullable: false),
                column("table_type", "char", "table or view", nullable: false),
                column("utype", "char", "utype of the table"),
                column("description", "char", "description of the table"),
                column("table_index", "int", "recommended order of the tables", principal: false),
            ], primaryKey: ["table_name"], partitioning: .replicated),
        TableInfo(
            schema: schemaName, name: "columns", description: "The columns of the tables of this service.",
            columns: [
                column("table_name", "char", "fully qualified name of the table", nullable: false),
                column("column_name", "char", "column name", nullable: false),
                column("datatype", "char", "VOTable datatype", nullable: false),
                column("arraysize", "char", "VOTable arraysize"),
                column("xtype", "char", "DALI xtype"),
                column("size", "int", "length of fixed-length strings (deprecated)", principal: false),
                column("description", "char", "description of the column"),
                column("utype", "char", "utype of the column"),
                column("unit", "char", "unit in VOUnit syntax"),
                column("ucd", "char", "UCD of the column"),
                column("indexed", "int", "1 if the column is indexed", nullable: false),
                column("principal", "int", "1 if the column is principal", nullable: false),
                column("std", "int", "1 if the column is defined by a standard", nullable: false),
                column("column_index", "int", "recommended order of the columns", principal: false),
            ], primaryKey: ["table_name", "column_name"], partitioning: .replicated),
        TableInfo(
            schema: schemaName, name: "keys", description: "Foreign keys between the tables of this service.",
            columns: [
                column("key_id", "char", "key identifier", nullable: false),
                column("from_table", "char", "table with the foreign key", nullable: false),
                column("target_table", "char", "table with the primary key", nullable: false),
                column("utype", "char", "utype of the key"),
                column("description", "char", "description of the key"),
            ], primaryKey: ["key_id"], partitioning: .replicated),
        TableInfo(
            schema: schemaName, name: "key_columns", description: "The columns of the foreign keys.",
            columns: [
                column("key_id", "char", "key identifier", nullable: false),
                column("from_column", "char", "column of the from table", nullable: false),
                column("target_column", "char", "column of the target table", nullable: false),
            ], partitioning: .replicated),
    ]

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
                    .text(t.qualifiedName), .text(c.name), .text(f.datatype.rawValue), text(f.arraysize), text(f.xtype),
                    c.length.map { .integer(Int64($0)) } ?? .null, text(c.description), text(c.utype), text(c.unit),
                    text(c.ucd), flag(c.indexed || t.primaryKey.contains(c.name)), flag(c.principal),
                    flag(t.schema == schemaName), .integer(Int64(i)),
                ])
            }
        }
        result["columns"] = columnRows
        var keys: [[Value]] = []
        var keyColumns: [[Value]] = []
        for t in described {
            guard case .child(let directorName, let foreignKey) = t.partitioning,
                let director = catalog.table(schema: t.schema, name: directorName),
                let key = director.directorSpec?.keyColumn
            else { continue }
            let id = "\(t.qualifiedName).\(foreignKey)"
            keys.append([
                .text(id), .text(t.qualifiedName), .text(director.qualifiedName), .null,
                .text("\(t.name) rows belong to the \(director.name) row they reference"),
            ])
            keyColumns.append([.text(id), .text(foreignKey), .text(key)])
        }
        result["keys"] = keys
        result["key_columns"] = keyColumns
        return result
    }
}
