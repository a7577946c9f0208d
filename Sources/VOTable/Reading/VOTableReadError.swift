import Tabular

/// The error of the VOTable reader: a document that cannot be read, is not a VOTable the reader
/// understands, holds a value that does not fit its FIELD, or goes past a limit the caller set.
/// Its description is `<file>: <message>` when the document came from a file.
public typealias VOTableError = TargetError<VOTableErrorCode>

public enum VOTableErrorCode: String, TargetErrorCode {
    /// The file cannot be opened or read.
    case unreadable
    /// The bytes are not well-formed XML; the message starts with `line L:` when libxml2 knows it.
    case malformedXML
    /// Well-formed XML that is not a VOTable with a table the reader can take: another root
    /// element, no TABLE, no FIELD, a FIELD without a datatype, a row with too few or too many
    /// cells, a binary stream that ends inside a row.
    case invalidDocument
    /// A VOTable feature the reader does not take: FITS data, a remote STREAM (href), a STREAM
    /// encoding other than base64, the complex datatypes, entity references.
    case unsupported
    /// A cell whose text or bytes are not a value of its FIELD's datatype; the message names the
    /// row and the column.
    case invalidValue
    /// More rows, bytes or FIELDs than the caller's `VOTableReadLimits` allow; the message names
    /// the limit.
    case limitExceeded

    public static func describe(_ error: VOTableError) -> String {
        error.file.map { "\($0): \(error.message)" } ?? error.message
    }
}
