import Hummingbird

/// Cross-origin access (CORS) to the service's endpoints, so that a web page served from
/// elsewhere can query it from the browser.
///
/// Every response allows any origin (`*`: the service sends no cookies, so credentials are
/// never allowed; a token travels in the `Authorization` header, which a preflight allows) and
/// exposes `Location` (the job URL of a UWS redirect) and `Content-Disposition`. A preflight
/// (`OPTIONS`, answered `204` by the routes) also gets the methods and headers a request may
/// use. Hummingbird's own `CORSMiddleware` puts the exposed headers on the preflight only,
/// where browsers do not read them.
struct CORSHeaders<Context: RequestContext>: RouterMiddleware {
    static var allowedMethods: String { "GET, POST, DELETE, OPTIONS" }
    static var allowedHeaders: String { "Authorization, Content-Type, Accept, Origin, X-Requested-With" }
    static var exposedHeaders: String { "Location, Content-Disposition" }
    /// How long a browser may reuse a preflight's answer, in seconds.
    static var maxAge: String { "3600" }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        if request.method == .options {
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = Self.maxAge
            response.headers[.allow] = Self.allowedMethods
        }
        return response
    }
}
