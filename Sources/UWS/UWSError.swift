/// What the job service reports to its callers: a code that decides the HTTP answer, a
/// message for a person, context (the job, the file) and the cause.
public struct UWSError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No such job for this caller (it may exist for another: the answer is the same).
        case notFound
        /// A parameter or value the service does not accept.
        case badRequest
        /// The request is valid but not in the job's phase (parameters of a running job).
        case wrongPhase
        /// The queue of waiting jobs is full, or a user's quota is reached.
        case limitReached
        /// The job store could not be read or written.
        case storage
    }

    public var code: Code
    public var message: String
    public var context: [String: String]
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, context: [String: String] = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.context = context
        self.cause = cause
    }

    public var description: String { message }
}
