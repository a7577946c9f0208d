import Tabular

/// What the job service reports to its callers: a code that decides the HTTP answer, a
/// message for a person, the file it is about (the job store's) and the cause.
public typealias UWSError = TargetError<UWSErrorCode>

public enum UWSErrorCode: String, TargetErrorCode {
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
