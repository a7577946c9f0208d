import Tabular

/// What the job service reports to its callers: a code that decides the HTTP answer, a
/// message for a person, the file it is about (the job store's) and the cause.
public typealias UWSError = TargetError<UWSErrorCode>

/// - `notFound`: no such job for this caller (it may exist for another: the answer is the same);
/// - `badRequest`: a parameter or value the service does not accept;
/// - `wrongPhase`: valid, but not in the job's phase (parameters of a running job);
/// - `limitReached`: the queue of waiting jobs is full;
/// - `quotaExceeded`: one of the caller's own quotas is reached (unfinished jobs, retained
///   result bytes); the message names it;
/// - `storage`: the job store could not be read or written.
public enum UWSErrorCode: String, TargetErrorCode {
    case notFound, badRequest, wrongPhase, limitReached, quotaExceeded, storage
}
