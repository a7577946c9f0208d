import Access
import Hummingbird
import Logging

/// Who a request is from, as the authentication step found it, for `TAPServer.user(of:)`.
enum CallerIdentity: Sendable, Equatable {
    /// No token was sent (and none was required).
    case anonymous
    /// A valid bearer token of this user.
    case token(user: String)
}

extension TAPServer {
    /// The identity the authentication step established for the request being handled. A
    /// task-local rather than a field of the request context: the routes are generic over any
    /// `RequestContext`, and a `Request` has no room for it. Handlers run inside the
    /// middleware's scope, so they see it; code outside that scope finds nil and
    /// authenticates the request itself.
    @TaskLocal static var callerIdentity: CallerIdentity?

    /// The user a request speaks for — the single place that decides it: the user of a valid
    /// bearer token; else the user the trusted front proxy names in `userHeader`, when one is
    /// configured; else nil (anonymous). Never throws: a request whose token is wrong was
    /// refused (401) by `BearerAuthentication` before any handler ran.
    func user(of request: Request) -> String? {
        switch Self.callerIdentity {
        case .token(let user): return user
        case .anonymous: break
        case nil:
            if let authenticator, case .user(let user) = authenticator.authenticate(
                authorization: request.headers[.authorization])
            {
                return user
            }
        }
        return configuration.userHeader.flatMap { Self.header($0, in: request) }
    }

    /// The refusal of a request that failed authentication: 401, the `WWW-Authenticate`
    /// challenge, and a DALI error document (`errorDocument`).
    static func authenticationFailure(_ error: TAPServiceError) -> Response {
        let answer = answer(to: error, requestID: "")
        var response = errorDocument(answer.status, answer.message)
        if let challenge = answer.challenge { response.headers[.wwwAuthenticate] = challenge }
        return response
    }
}

/// The authentication step in front of every query, job and table endpoint: checks the
/// `Authorization` header against the token file and either refuses the request (401) or
/// runs the handler with the caller's identity (`TAPServer.callerIdentity`).
///
/// - No header: refused when tokens are required (`--require-token`), else anonymous.
/// - A header that is not `Bearer <token>`, or a wrong or removed token: refused, required or
///   not (a client that sends a token expects it to be honoured, not silently ignored).
///
/// Neither the header nor the token is ever logged; the log names the path and the reason.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator
    let requireToken: Bool
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let refusal: TAPServiceError
        switch authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .user(let user):
            return try await TAPServer.$callerIdentity.withValue(.token(user: user)) { try await next(request, context) }
        case .none:
            guard requireToken else {
                return try await TAPServer.$callerIdentity.withValue(.anonymous) { try await next(request, context) }
            }
            refusal = TAPServiceError(
                .authenticationRequired,
                "This service requires a bearer token: send the header \"Authorization: Bearer <token>\" "
                    + "(the service's operator issues tokens with \"skyshard token add\").")
        case .malformed:
            refusal = TAPServiceError(
                .malformedAuthorization,
                "The Authorization header is not of the form \"Bearer <token>\"; this service accepts bearer tokens only.")
        case .invalidToken:
            refusal = TAPServiceError(
                .invalidToken, "The bearer token is not valid: it is wrong, or it was revoked. Ask for a new token.")
        }
        var metadata: Logger.Metadata = ["path": "\(request.uri.path)", "reason": "\(refusal.code.rawValue)"]
        if let problem = authenticator.loadError { metadata["token_file"] = "\(problem)" }
        logger.info("request refused: authentication", metadata: metadata)
        return TAPServer.authenticationFailure(refusal)
    }
}
