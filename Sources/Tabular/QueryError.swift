/// The error every layer of the query path reports to its callers: a code that decides how the
/// service answers (HTTP status, UWS phase), a message for a person, and the context that helps
/// to find the cause. Shaped like NIO's FileSystemError.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The query text is not valid ADQL (syntax).
        case syntax
        /// Valid syntax that cannot be run: unknown table/column/function, type errors.
        case semantic
        /// A configured limit was exceeded (result size, overlap radius, nesting, time).
        case limitExceeded
        /// The query was cancelled (client gone, ABORT).
        case cancelled
        /// The query ran past its time limit.
        case timeout
        /// The caller may not do this (authorization).
        case forbidden
        /// The service could not answer now (overload, a worker unavailable).
        case unavailable
        /// The caller has reached one of its per-user quotas (queries at once, jobs, result
        /// bytes); the message names the quota. The same request succeeds once the caller's
        /// own use is below it again.
        case quotaExceeded
        /// A fault of the service itself.
        case `internal`
    }

    public var code: Code
    /// The message for a person; for syntax errors it starts with `line L, column C:`.
    public var message: String
    /// Where in the query text, when the error is about the text.
    public var line: Int?
    public var column: Int?
    /// Further context: the chunk, the SQL, the file.
    public var context: [String: String]
    public var cause: (any Error)?

    public init(
        _ code: Code, _ message: String, line: Int? = nil, column: Int? = nil,
        context: [String: String] = [:], cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.context = context
        self.cause = cause
    }

    public var description: String { message }

    /// Whether the error is the user's to fix (a 400 in TAP) rather than the service's.
    public var isUserError: Bool {
        switch code {
        case .syntax, .semantic, .limitExceeded: true
        default: false
        }
    }
}
