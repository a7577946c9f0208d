import Hummingbird

/// Cross-origin access (CORS) to the service's endpoints, so that a web page served from
/// elsewhere (a Firefly-style portal) can query it from the browser.
///
/// Which origins may do so is configured (`TAPServiceConfiguration.corsOrigins`, the
/// `cors-origins` setting). With `*` (the default) every response allows any origin (`*`: the
/// service sends no cookies, so credentials are never allowed; a token travels in the
/// `Authorization` header, which a preflight allows). With a list, a request whose `Origin` is
/// in it gets that origin back (and `Vary: Origin`, so that caches keep answers apart); any
/// other origin gets no CORS headers at all, and the browser keeps the answer from its page.
/// Allowed answers also expose `Location` (the job URL of a UWS redirect) and
/// `Content-Disposition`. A preflight (`OPTIONS`, answered `204` by the routes) also gets the
/// methods and headers a request may use. Hummingbird's own `CORSMiddleware` puts the exposed
/// headers on the preflight only, where browsers do not read them.
struct CORSHeaders<Context: RequestContext>: RouterMiddleware {
    static var allowedMethods: String { "GET, POST, DELETE, OPTIONS" }
    static var allowedHeaders: String { "Authorization, Content-Type, Accept, Origin, X-Requested-With" }
    static var exposedHeaders: String { "Location, Content-Disposition" }
    /// How long a browser may reuse a preflight's answer, in seconds.
    static var maxAge: String { "3600" }

    /// Nil: any origin. Otherwise the allowed origins, compared without case and without a
    /// trailing slash (as browsers send them: `scheme://host[:port]`).
    let origins: Set<String>?

    init(origins: [String] = ["*"]) {
        let cleaned = origins.map(Self.normalized).filter { !$0.isEmpty }
        self.origins = cleaned.contains("*") ? nil : Set(cleaned)
    }

    static func normalized(_ origin: String) -> String {
        var text = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or nil when that
    /// origin is not allowed.
    func allowOrigin(for origin: String?) -> String? {
        guard let origins else { return "*" }
        guard let origin, origins.contains(Self.normalized(origin)) else { return nil }
        return origin
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        if origins != nil {
            // The answer depends on the Origin header: caches must not reuse it for another.
            response.headers[.vary] = response.headers[.vary].map { $0 + ", Origin" } ?? "Origin"
        }
        guard let allowed = allowOrigin(for: request.headers[.origin]) else { return response }
        response.headers[.accessControlAllowOrigin] = allowed
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
