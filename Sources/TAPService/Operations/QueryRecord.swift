import Logging
import Tabular
import UWS

/// What the service records of one finished query, sync or async: one log line at `info`
/// ("query finished") and the metrics. docs/operations.md lists the fields.
struct QueryRecord: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case sync, async
    }

    /// How a query ended.
    enum Outcome: String, Sendable {
        /// All its rows were delivered (or MAXREC of them: `overflow` says so).
        case completed
        /// It failed: bad parameters or ADQL, an engine failure; `code` says which.
        case error
        /// Stopped on purpose: an ABORT, an administrator, a shutdown.
        case cancelled
        /// It ran past its time limit.
        case timedOut = "timed_out"
        /// The client hung up before the response was complete.
        case clientGone = "client_gone"
        /// It was not admitted (the user's limit, a full queue, a shutdown); `refusal` says why.
        case refused
    }

    var id: String
    var kind: Kind
    var user: String?
    var outcome: Outcome = .completed
    /// The error's code (`QueryError`, `TAPServiceError` or `UWSError` code), for errors.
    var code: String?
    /// The HTTP status of a sync answer.
    var status: Int?
    var refusal: ServiceMetrics.RefusalReason?
    /// Chunk statements the query started (0 when the engine tells no progress).
    var chunks = 0
    var rows = 0
    /// Bytes of the result: sent to the client (sync), or written to the result file (async).
    var bytes = 0
    var overflow = false
    var duration: Duration = .zero
    /// Further fields of the log line (format, MAXREC, RUNID, the error's detail).
    var metadata: Logger.Metadata = [:]

    init(id: String, kind: Kind, user: String?) {
        self.id = id
        self.kind = kind
        self.user = user
    }

    /// Sets the outcome, code and refusal for the error that ended the query.
    mutating func failed(with error: any Error) {
        switch error {
        case let error as QueryError:
            code = error.code.rawValue
            switch error.code {
            case _ where error.context["admission"] == "queries-per-user":
                outcome = .refused
                refusal = .userLimit
            case .cancelled: outcome = .cancelled
            case .timeout: outcome = .timedOut
            default: outcome = .error
            }
        case let error as TAPServiceError:
            code = error.code.rawValue
            if error.code == .shuttingDown {
                outcome = .refused
                refusal = .shuttingDown
            } else if error.code == .overloaded {
                outcome = .refused
                refusal = .overloaded
            } else {
                outcome = .error
            }
        case let error as UWSError:
            code = error.code.rawValue
            outcome = .error
        case is CancellationError:
            outcome = .cancelled
            code = QueryError.Code.cancelled.rawValue
        default:
            outcome = .error
            code = QueryError.Code.internal.rawValue
        }
    }

    /// The log line's fields. Never a request header: tokens stay out of the log.
    var logMetadata: Logger.Metadata {
        var meta = metadata
        meta["query"] = "\(id)"
        meta["kind"] = "\(kind.rawValue)"
        meta["user"] = "\(user ?? "anonymous")"
        meta["outcome"] = "\(outcome.rawValue)"
        if let code { meta["code"] = "\(code)" }
        if let status { meta["status"] = "\(status)" }
        meta["chunks"] = "\(chunks)"
        meta["rows"] = "\(rows)"
        meta["bytes"] = "\(bytes)"
        if overflow { meta["overflow"] = "true" }
        let (seconds, attoseconds) = duration.components
        meta["ms"] = "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)"
        return meta
    }
}

extension TAPServer {
    /// Logs and counts one finished query.
    func record(_ query: QueryRecord) {
        logger.info("query finished", metadata: query.logMetadata)
        metrics.record(query)
    }
}
