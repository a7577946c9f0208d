import Tabular
import UWS
import VOTable

/// One table of a TAP 1.1 UPLOAD parameter (`UPLOAD=name,param:part`): the name the query
/// reads it by (`TAP_UPLOAD.name`) and the multipart part that holds its VOTable.
struct UploadSpec: Sendable, Hashable {
    var name: String
    var part: String

    /// How the table is kept in an async job's folder: table names are case-insensitive
    /// identifiers, so the lower-cased name is a safe, unique file name.
    var fileName: String { name.lowercased() + ".vot" }

    /// As an UPLOAD parameter writes it.
    var parameterText: String { "\(name),param:\(part)" }
}

/// Reading uploaded tables (TAP 1.1 section 4.2, DALI 1.1 section 3.4.5): the UPLOAD parameter
/// names each table and the part of the `multipart/form-data` body that holds it inline. This
/// service reaches no other hosts, so a table given by URL is refused.
enum Uploads {
    /// The longest table name accepted.
    static let maxNameLength = 64

    /// The tables that `values` (every UPLOAD value, each a `;`-separated list of `name,URI`)
    /// ask for, checked: valid names, each once, inline parts only, at most `limits.maxTables`.
    /// `accepted`: whether the engine takes uploads at all (`TAPQueryEngine.acceptsUploads`).
    static func specs(
        _ values: [String], limits: UploadLimits, accepted: Bool = true
    ) throws(TAPServiceError)
        -> [UploadSpec]
    {
        guard accepted || values.isEmpty else { throw refusal("UPLOAD is not accepted by this service.") }
        var specs: [UploadSpec] = []
        for value in values {
            let items = value.split(separator: ";", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
            guard !items.isEmpty else {
                throw refusal("UPLOAD is empty; write UPLOAD=name,param:part (e.g. UPLOAD=mylist,param:mylist).")
            }
            for item in items {
                let spec = try spec(item)
                if let earlier = specs.first(where: { $0.name.lowercased() == spec.name.lowercased() }) {
                    throw refusal(
                        "UPLOAD names the table \(earlier.name) more than once (table names are case-insensitive); "
                            + "give each uploaded table its own name.")
                }
                specs.append(spec)
            }
        }
        guard specs.count <= limits.maxTables else {
            throw refusal(
                "The request uploads \(specs.count) tables, more than the limit upload-max-tables of this service "
                    + "(\(limits.maxTables)).")
        }
        return specs
    }

    /// One `name,URI` item.
    private static func spec(_ item: String) throws(TAPServiceError) -> UploadSpec {
        guard let comma = item.firstIndex(of: ",") else {
            throw refusal(
                "UPLOAD=\(shown(item)) is not a table name and a URI separated by a comma; "
                    + "write UPLOAD=name,param:part (e.g. UPLOAD=mylist,param:mylist).")
        }
        let name = item[..<comma].trimmingCharacters(in: " ")
        let uri = item[item.index(after: comma)...].trimmingCharacters(in: " ")
        guard isTableName(name) else {
            throw refusal(
                "UPLOAD table name \(shown(name)) is not valid: a name is an ADQL regular identifier, "
                    + "a letter followed by letters, digits or underscores, at most \(maxNameLength) characters.")
        }
        if uri.lowercased().hasPrefix("param:") {
            let part = String(uri.dropFirst("param:".count))
            guard !part.isEmpty else {
                throw refusal("UPLOAD=\(name),param: names no part; write UPLOAD=\(name),param:part.")
            }
            return UploadSpec(name: name, part: part)
        }
        if hasScheme(uri) {
            throw refusal(
                "UPLOAD=\(name),\(shown(uri)): this service does not fetch tables from URLs (it reaches no other "
                    + "hosts). Send the table inline instead: UPLOAD=\(name),param:\(name) with the VOTable as the "
                    + "file part named \(name) of a multipart/form-data POST.")
        }
        throw refusal(
            "UPLOAD=\(name),\(shown(uri)): the table's location must be param:part, the name of a part of a "
                + "multipart/form-data POST that holds the VOTable.")
    }

    /// An ADQL regular identifier: an ASCII letter, then ASCII letters, digits or underscores.
    static func isTableName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maxNameLength, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    /// Whether `uri` starts with a URI scheme (RFC 3986: a letter, then letters, digits, `+`,
    /// `-` or `.`, then `:`), such as `http:`, `https:`, `ftp:`, `ivo:`.
    private static func hasScheme(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":") else { return false }
        let scheme = Array(uri[..<colon].utf8)
        guard let first = scheme.first, isLetter(first) else { return false }
        return scheme.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }
    }

    /// Client text quoted in a message, cut short: a refusal need not echo a long value back.
    private static func shown(_ text: String) -> String {
        let limit = 80
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + cut + "\""
    }

    private static func refusal(_ message: String) -> TAPServiceError { TAPServiceError(.badRequest, message) }

    // MARK: Reading the tables

    /// Where an uploaded table's VOTable is: in the request (sync, or a job being created), or
    /// in a file of the job's folder (a job that runs).
    enum Source {
        case bytes([UInt8])
        case file(String)
    }

    /// The tables of a request, read from its parts (`param:` names a file part or, failing
    /// that, a plain field of that name).
    static func tables(
        of parameters: DALIParameters, limits: UploadLimits, accepted: Bool
    ) throws(TAPServiceError) -> [UploadedTable] {
        try specs(parameters.uploads, limits: limits, accepted: accepted).map { spec throws(TAPServiceError) in
            try read(spec, from: .bytes(try content(of: spec, in: parameters)), limits: limits)
        }
    }

    /// The bytes of the part that `spec` names.
    static func content(of spec: UploadSpec, in parameters: DALIParameters) throws(TAPServiceError) -> [UInt8] {
        guard let bytes = parameters.part(spec.part) else {
            throw refusal(
                "UPLOAD=\(spec.parameterText): the request has no part named \(spec.part); send the table's VOTable "
                    + "as the file part named \(spec.part) of a multipart/form-data POST.")
        }
        return bytes
    }

    /// Reads one uploaded table (TABLEDATA, BINARY or BINARY2) within `limits`. Its columns
    /// keep their FIELD names, which the engine quotes; an empty name or two names equal but
    /// for case would make a table no query could read unambiguously, so they are refused.
    static func read(
        _ spec: UploadSpec, from source: Source, limits: UploadLimits
    ) throws(TAPServiceError)
        -> UploadedTable
    {
        let readLimits = VOTableReadLimits(maxRows: limits.maxRows, maxBytes: limits.maxBytes, maxColumns: limits.maxColumns)
        do {
            let reader =
                switch source {
                case .bytes(let bytes): try VOTableReader(bytes: bytes, limits: readLimits, batchRows: 4096)
                case .file(let path): try VOTableReader(path: path, limits: readLimits, batchRows: 4096)
                }
            var seen: [String: String] = [:]
            for (i, field) in reader.fields.enumerated() {
                let name = field.name
                guard !name.trimmingCharacters(in: " ").isEmpty else {
                    throw refusal("The uploaded table \(spec.name) has a column without a name (FIELD \(i + 1)).")
                }
                if let other = seen[name.lowercased()] {
                    throw refusal(
                        "The uploaded table \(spec.name) has two columns named \(shown(other)) and \(shown(name)); "
                            + "column names are case-insensitive and must differ.")
                }
                seen[name.lowercased()] = name
            }
            return UploadedTable(name: spec.name, fields: reader.fields, rows: try reader.readAll())
        } catch let error as TAPServiceError {
            throw error
        } catch let error as VOTableError {
            throw readFailure(error, spec: spec, limits: limits)
        } catch {
            throw TAPServiceError(.badRequest, "The uploaded table \(spec.name) cannot be read.", cause: error)
        }
    }

    /// The client's message for a table the reader refused. The message never shows a path
    /// of the job store (the reader's `file`).
    private static func readFailure(_ error: VOTableError, spec: UploadSpec, limits: UploadLimits) -> TAPServiceError {
        guard error.code == .limitExceeded else {
            return TAPServiceError(
                .badRequest, "The uploaded table \(spec.name) cannot be read as a VOTable: \(error.message)", cause: error)
        }
        if error.message.hasSuffix("(maxRows)") {
            return TAPServiceError(
                .requestTooLarge,
                "The uploaded table \(spec.name) has more rows than the limit upload-max-rows of this service "
                    + "(\(limits.maxRows)).", cause: error)
        }
        if error.message.hasSuffix("(maxBytes)") {
            return bytesLimitError(limits)
        }
        return TAPServiceError(
            .badRequest,
            "The uploaded table \(spec.name) has more columns than this service takes (\(limits.maxColumns)).",
            cause: error)
    }

    static func bytesLimitError(_ limits: UploadLimits) -> TAPServiceError {
        TAPServiceError(
            .requestTooLarge,
            "The uploaded tables are larger than the limit upload-max-bytes of this service (\(limits.maxBytes) bytes).")
    }
}
