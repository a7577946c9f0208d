import Tabular

/// The error of the Catalog target: a Felis schema or an ingest descriptor that cannot be read
/// or does not make a catalog. Its description is `<file>: <message>` when the file is known.
public typealias CatalogError = TargetError<CatalogErrorCode>

public enum CatalogErrorCode: String, TargetErrorCode {
    /// The file cannot be read.
    case unreadable
    /// The Felis schema is not valid YAML or does not describe tables.
    case invalidSchema
    /// The ingest descriptor cannot be decoded or does not fit the schema.
    case invalidDescriptor

    public static func describe(_ error: CatalogError) -> String {
        error.file.map { "\($0): \(error.message)" } ?? error.message
    }
}
