/// The error of the Catalog target: a Felis schema or an ingest descriptor that cannot be read
/// or does not make a catalog.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file cannot be read.
        case unreadable
        /// The Felis schema is not valid YAML or does not describe tables.
        case invalidSchema
        /// The ingest descriptor cannot be decoded or does not fit the schema.
        case invalidDescriptor
    }

    public var code: Code
    /// The message for a person, without the file.
    public var message: String
    /// The file the error is in, when known.
    public var file: String?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, file: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.cause = cause
    }

    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
