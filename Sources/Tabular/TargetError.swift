/// The kinds of failure of one target: the `code` of its `TargetError`.
public protocol TargetErrorCode: Sendable, Hashable {
    /// How an error of the target reads (`description`); by default its message.
    static func describe(_ error: TargetError<Self>) -> String
}

extension TargetErrorCode {
    public static func describe(_ error: TargetError<Self>) -> String { error.message }
}

/// The error type of a target whose errors need no context but a file: a code from the target's
/// list of failure kinds, a message for a person, the file it is about and the error that
/// caused it. `CatalogError`, `IngestError`, `DemoDataError` and `TAPServiceError` are this type
/// with their own codes; `QueryError`, `ADQLError`, `SQLiteError` and `SkyError` are types of
/// their own, shaped alike, with the context their errors need.
public struct TargetError<Code: TargetErrorCode>: Error, Sendable, CustomStringConvertible {
    public var code: Code
    /// The message for a person.
    public var message: String
    /// The file the error is about, when there is one.
    public var file: String?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, file: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.cause = cause
    }

    public var description: String { Code.describe(self) }
}
