import Foundation

/// Learns what the users' queries are made of from the service itself, before the clock starts:
/// real objectIds and positions (spread over the catalog's chunks) and the names of its tables.
enum Discovery {
    /// How many objects the workload draws from.
    static let objectCount = 2_000

    static func workload(_ client: TAPClient, mix: LoadMix) async throws -> Workload {
        let s = Workload.schema
        // Ordered by a flux, which has nothing to do with position, so that the objects are spread
        // over the sky and the lookups over the chunks (a TOP alone would stop in the first chunks).
        let rows = try table(
            try await client.syncBody(
                "SELECT TOP \(objectCount) objectId, coord_ra, coord_dec FROM \(s).Object ORDER BY r_cModelFlux DESC"))
        let objects = rows.compactMap { row -> KnownObject? in
            guard let id = row["objectId"].flatMap({ Int64($0) }), let ra = row["coord_ra"].flatMap({ Double($0) }),
                let dec = row["coord_dec"].flatMap({ Double($0) })
            else { return nil }
            return KnownObject(objectId: id, ra: ra, dec: dec)
        }
        guard !objects.isEmpty else {
            throw LoadTestError(.discovery, "the service answered no objects of \(s).Object: nothing to look up")
        }
        var tables: [String] = []
        if mix == .dp0 {
            let answer = try await client.syncBody(
                "SELECT table_name FROM TAP_SCHEMA.tables WHERE schema_name = '\(s)'")
            tables = try table(answer).compactMap { $0["table_name"] }
        }
        return Workload(objects: objects, tables: tables, mix: mix)
    }

    /// The rows of a VOTable TABLEDATA document as dictionaries keyed by FIELD name (entities
    /// decoded; an empty cell is missing from its row).
    static func table(_ document: String) throws -> [[String: String]] {
        let names = fieldNames(document)
        guard !names.isEmpty else {
            throw LoadTestError(.discovery, "the answer is not a VOTable with FIELDs:\n\(document.prefix(600))")
        }
        var rows: [[String: String]] = []
        var rest = document[...]
        while let tr = rest.range(of: "<TR>") {
            guard let end = rest.range(of: "</TR>", range: tr.upperBound..<rest.endIndex) else { break }
            var row: [String: String] = [:]
            var cells = rest[tr.upperBound..<end.lowerBound]
            var column = 0
            while let td = cells.range(of: "<TD") {
                let afterTag = td.upperBound
                if cells[afterTag...].hasPrefix("/>") {
                    cells = cells[cells.index(afterTag, offsetBy: 2)...]
                } else if let open = cells.range(of: ">", range: afterTag..<cells.endIndex),
                    let close = cells.range(of: "</TD>", range: open.upperBound..<cells.endIndex)
                {
                    if column < names.count { row[names[column]] = decode(cells[open.upperBound..<close.lowerBound]) }
                    cells = cells[close.upperBound...]
                } else {
                    break
                }
                column += 1
            }
            rows.append(row)
            rest = rest[end.upperBound...]
        }
        return rows
    }

    /// The `name` attributes of the document's FIELD elements, in order.
    static func fieldNames(_ document: String) -> [String] {
        var names: [String] = []
        var rest = document[...]
        while let field = rest.range(of: "<FIELD ") {
            guard let end = rest.range(of: ">", range: field.upperBound..<rest.endIndex) else { break }
            let tag = rest[field.upperBound..<end.lowerBound]
            if let name = tag.range(of: "name=\""),
                let quote = tag.range(of: "\"", range: name.upperBound..<tag.endIndex)
            {
                names.append(decode(tag[name.upperBound..<quote.lowerBound]))
            }
            rest = rest[end.upperBound...]
        }
        return names
    }

    /// XML's five predefined entities.
    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
