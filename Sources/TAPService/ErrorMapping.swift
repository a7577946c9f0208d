import Hummingbird
import Tabular
import UWS

/// The error of the TAPService target: the service cannot start as configured, or refuses a
/// request before it reaches the engine, or an endpoint other than `/sync` gets nothing from
/// the engine. Query errors are the engine's `QueryError`s. The message is the client's as it is.
public typealias TAPServiceError = TargetError<TAPServiceErrorCode>

public enum TAPServiceErrorCode: String, TargetErrorCode {
    /// The service cannot start as configured (its templates cannot be found or read).
    case setup
    /// A request refused before it reaches the engine: a parameter missing or invalid, or a
    /// body the service cannot read (`badRequest`), larger than the configured limit
    /// (`requestTooLarge`), or of a media type it does not read (`unsupportedMediaType`).
    case badRequest, requestTooLarge, unsupportedMediaType
    /// Nothing to show at the endpoint yet.
    case notFound
    /// Bearer authentication failed (HTTP 401 with a `WWW-Authenticate: Bearer` challenge,
    /// RFC 6750 section 3): no token where one is required (`authenticationRequired`), an
    /// `Authorization` header that is not `Bearer <token>` (`malformedAuthorization`), or a
    /// token that is wrong or was removed (`invalidToken`). The message never holds the token.
    case authenticationRequired, malformedAuthorization, invalidToken
    /// The engine failed to give what an endpoint other than `/sync` needs.
    case engineFailure
    /// The caller may not use the endpoint (the admin view, for a user who is not an administrator).
    case forbidden
    /// The service is shutting down and admits no new query or job.
    case shuttingDown
    /// The service runs as many sync queries as it admits at once (`maxSyncQueries`).
    case overloaded
}

/// How the service answers an error: the HTTP status, the message for the client (the text of
/// the DALI error document, or of a plain-text answer) and the detail for the log.
struct ErrorAnswer: Sendable {
    var status: HTTPResponse.Status
    var message: String
    /// What the log records beyond the message; nil when the message says it all.
    var logDetail: String?
    /// The `WWW-Authenticate` challenge that goes with a 401.
    var challenge: String?
}

extension TAPServer {
    /// The one place that decides the answer to an error, for every endpoint. A fault of the
    /// service gets a generic message naming the request (the detail goes to the log only).
    static func answer(to error: any Error, requestID: String) -> ErrorAnswer {
        switch error {
        case let error as TAPServiceError:
            let status: HTTPResponse.Status =
                switch error.code {
                case .badRequest: .badRequest
                case .requestTooLarge: .contentTooLarge
                case .unsupportedMediaType: .unsupportedMediaType
                case .notFound: .notFound
                case .forbidden: .forbidden
                case .shuttingDown, .overloaded: .serviceUnavailable
                case .authenticationRequired, .malformedAuthorization, .invalidToken: .unauthorized
                case .setup, .engineFailure: .internalServerError
                }
            // RFC 6750 section 3.1: no error code when the request carried no credentials;
            // 401 (not the 400 the RFC suggests) for a malformed header too, so that every
            // client sees an authentication failure as one.
            let challenge: String? =
                switch error.code {
                case .authenticationRequired: #"Bearer realm="SkyShard TAP""#
                case .malformedAuthorization: #"Bearer realm="SkyShard TAP", error="invalid_request""#
                case .invalidToken: #"Bearer realm="SkyShard TAP", error="invalid_token""#
                default: nil
                }
            return ErrorAnswer(
                status: status, message: error.message, logDetail: error.cause.map { String(reflecting: $0) },
                challenge: challenge)
        case let error as QueryError:
            let (status, message) = statusAndMessage(for: error, requestID: requestID)
            return ErrorAnswer(status: status, message: message, logDetail: logDetail(error))
        case let error as UWSError:
            switch error.code {
            case .notFound: return ErrorAnswer(status: .notFound, message: error.message)
            case .badRequest, .wrongPhase: return ErrorAnswer(status: .badRequest, message: error.message)
            case .limitReached: return ErrorAnswer(status: .serviceUnavailable, message: error.message)
            case .quotaExceeded: return ErrorAnswer(status: .tooManyRequests, message: "Quota reached: \(error.message)")
            case .storage:
                return ErrorAnswer(
                    status: .internalServerError, message: "The job store cannot be written; the job was not changed.",
                    logDetail: String(reflecting: error))
            }
        default:
            return ErrorAnswer(
                status: .internalServerError, message: internalErrorMessage(requestID), logDetail: String(reflecting: error))
        }
    }

    /// The HTTP status and the message for the client for a query error.
    private static func statusAndMessage(
        for error: QueryError, requestID: String
    ) -> (status: HTTPResponse.Status, message: String) {
        var message = error.message
        if let line = error.line, let column = error.column, !message.hasPrefix("line ") {
            message = "line \(line), column \(column): \(message)"
        }
        switch error.code {
        case .syntax: return (.badRequest, "ADQL syntax error: \(message)")
        case .semantic: return (.badRequest, "Invalid query: \(message)")
        case .limitExceeded: return (.badRequest, "Limit exceeded: \(message)")
        case .timeout: return (.badRequest, "Query timeout: \(message)")
        case .forbidden: return (.forbidden, "Forbidden: \(message)")
        case .unavailable: return (.serviceUnavailable, "Service unavailable: \(message)")
        case .quotaExceeded: return (.tooManyRequests, "Quota reached: \(message)")
        case .cancelled: return (.serviceUnavailable, "The query was cancelled: \(message)")
        case .internal: return (.internalServerError, internalErrorMessage(requestID))
        }
    }

    static func internalErrorMessage(_ requestID: String) -> String {
        "Internal error in the service (request \(requestID)); the details are in the service log."
    }

    private static func logDetail(_ error: QueryError) -> String {
        var parts = ["code=\(error.code.rawValue)", "message=\(error.message)"]
        if let l = error.line { parts.append("line=\(l)") }
        if let c = error.column { parts.append("column=\(c)") }
        for (k, v) in error.context.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        if let cause = error.cause { parts.append("cause=\(String(reflecting: cause))") }
        return parts.joined(separator: " ")
    }
}
