import VOTable

/// Renders a `TAPTableSet` as a VOSI tableset document (VODataService 1.1).
enum VOSITablesDocument {
    static func render(_ set: TAPTableSet) -> [UInt8] {
        var out = OutputBuffer(capacity: 64 * 1024)
        out.append(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <vosi:tableset xmlns:vosi="http://www.ivoa.net/xml/VOSITables/v1.0" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1">

            """)
        for schema in set.schemas {
            out.append("  <schema>\n")
            element("name", schema.name, indent: 4, into: &out)
            element("title", schema.title, indent: 4, into: &out)
            element("description", schema.description, indent: 4, into: &out)
            for table in schema.tables {
                out.append("    <table type=\"")
                out.appendXMLEscaped(table.type, attribute: true)
                out.append("\">\n")
                element("name", table.name, indent: 6, into: &out)
                element("title", table.title, indent: 6, into: &out)
                element("description", table.description, indent: 6, into: &out)
                for column in table.columns {
                    let f = column.field
                    out.append("      <column>\n")
                    element("name", f.name, indent: 8, into: &out)
                    element("description", f.description, indent: 8, into: &out)
                    element("unit", f.unit, indent: 8, into: &out)
                    element("ucd", f.ucd, indent: 8, into: &out)
                    element("utype", f.utype, indent: 8, into: &out)
                    out.append("        <dataType xsi:type=\"vs:VOTableType\"")
                    if let a = f.arraysize {
                        out.append(" arraysize=\"")
                        out.appendXMLEscaped(a, attribute: true)
                        out.append("\"")
                    }
                    if let x = f.xtype {
                        out.append(" extendedType=\"")
                        out.appendXMLEscaped(x, attribute: true)
                        out.append("\"")
                    }
                    out.append(">")
                    out.append(utf8: f.datatype.rawValue)
                    out.append("</dataType>\n")
                    if column.indexed { element("flag", "indexed", indent: 8, into: &out) }
                    if column.principal { element("flag", "principal", indent: 8, into: &out) }
                    if column.standard { element("flag", "std", indent: 8, into: &out) }
                    if column.nullable { element("flag", "nullable", indent: 8, into: &out) }
                    out.append("      </column>\n")
                }
                for key in table.foreignKeys {
                    out.append("      <foreignKey>\n")
                    element("targetTable", key.targetTable, indent: 8, into: &out)
                    for pair in key.columns {
                        out.append("        <fkColumn>\n")
                        element("fromColumn", pair.from, indent: 10, into: &out)
                        element("targetColumn", pair.target, indent: 10, into: &out)
                        out.append("        </fkColumn>\n")
                    }
                    element("description", key.description, indent: 8, into: &out)
                    out.append("      </foreignKey>\n")
                }
                out.append("    </table>\n")
            }
            out.append("  </schema>\n")
        }
        out.append("</vosi:tableset>\n")
        return out.bytes
    }

    private static func element(_ name: String, _ value: String?, indent: Int, into out: inout OutputBuffer) {
        guard let value, !value.isEmpty else { return }
        for _ in 0..<indent { out.append(UInt8(ascii: " ")) }
        out.append(UInt8(ascii: "<"))
        out.append(utf8: name)
        out.append(UInt8(ascii: ">"))
        out.appendXMLEscaped(value)
        out.append("</")
        out.append(utf8: name)
        out.append(">\n")
    }
}
