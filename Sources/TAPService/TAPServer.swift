import Access
import Hummingbird
import Logging
import class Prometheus.PrometheusCollectorRegistry
import Tabular
import UWS
import VOTable

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The TAP 1.1 service: `/sync`, `/async`, the VOSI endpoints, the DALI examples and a landing
/// page under `configuration.basePath`, answering through a `TAPQueryEngine`. Every endpoint
/// answers cross-origin requests (`CORSHeaders`).
///
/// ```swift
/// let server = try TAPServer(engine: engine, configuration: config, logger: logger)
/// try await server.makeApplication().runService()
/// ```
public struct TAPServer: Sendable {
    public let configuration: TAPServiceConfiguration
    let engine: any TAPQueryEngine
    let logger: Logger
    let templates: TemplateSet
    let startTime: Date
    /// The async jobs, kept in `configuration.jobsDirectory`; nil when none is set.
    public private(set) var jobs: JobManager?
    /// The sync queries in flight and the admission gate (Operations/QueryRegistry.swift).
    let queries: QueryRegistry
    /// The Prometheus metrics, served at `/metrics` (Operations/ServiceMetrics.swift).
    let metrics: ServiceMetrics
    /// Checks bearer tokens against `configuration.tokenFile`; nil when none is set.
    public let authenticator: Authenticator?
    /// The built-in web page's files (WebPage.swift); nil when they were not found.
    let web: WebAssets?

    /// Reads the templates and opens the job store; throws `TAPServiceError` (`setup`) when
    /// the templates cannot be found, `UWSError` when the job directory cannot be made.
    /// The metrics are recorded into `metrics`, a registry of this server's own unless the
    /// caller passes one (a process that also bootstraps `MetricsSystem` on it, or a test).
    public init(
        engine: any TAPQueryEngine, configuration: TAPServiceConfiguration, logger: Logger,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
        self.metrics = ServiceMetrics(registry: metrics)
        self.queries = QueryRegistry(capacity: configuration.maxSyncQueries)
        self.templates = try TemplateSet(directory: configuration.templateDirectory)
        self.startTime = Date()
        self.web = WebAssets()
        if web == nil {
            logger.warning(
                "the web page's files were not found; / answers 404",
                metadata: ["looked": "\(WebAssets.candidateDirectories.joined(separator: ", "))"])
        }
        if configuration.requireToken && configuration.tokenFile == nil {
            throw TAPServiceError(.setup, "requiring tokens needs a token file (--token-file)")
        }
        let authenticator = configuration.tokenFile.map { Authenticator(path: $0) }
        self.authenticator = authenticator
        if let authenticator, let problem = authenticator.loadError {
            throw TAPServiceError(.setup, problem, file: authenticator.path)
        }
        if let directory = configuration.jobsDirectory {
            let store = try JobStore(directory: URL(fileURLWithPath: directory, isDirectory: true))
            // The runner needs the service (its engine, its parameter checks), not its job manager.
            self.jobs = JobManager(
                store: store, runner: TAPJobRunner(server: self, store: store), limits: configuration.jobLimits)
        }
    }

    /// Loads the stored jobs and starts running queued ones (see `JobManager.recover`).
    public func startJobs() async {
        guard let jobs else { return }
        let report = await jobs.recover()
        logger.info(
            "async jobs recovered",
            metadata: [
                "jobs": "\(report.jobs)", "interrupted": "\(report.interrupted.count)",
                "requeued": "\(report.requeued.count)", "unreadable": "\(report.unreadable.count)",
            ])
        for id in report.unreadable {
            logger.warning("async: a job folder cannot be read and is left alone", metadata: ["job": "\(id)"])
        }
    }

    /// Adds the service's routes to `router` (for a caller that serves more than TAP). They
    /// carry the CORS headers; the caller's other routes are left as they are. With a token
    /// file, the query, job and table endpoints go through `BearerAuthentication`; the VOSI
    /// capabilities and availability, the examples, the landing page and CORS preflights stay
    /// open to anyone.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let base = configuration.normalizedBasePath
        let routes = router.group().add(middleware: CORSHeaders<Context>(origins: configuration.corsOrigins))
        let guarded = routes.group()
        if let authenticator {
            guarded.add(
                middleware: BearerAuthentication<Context>(
                    authenticator: authenticator, requireToken: configuration.requireToken, logger: logger))
        }
        // The router ignores a trailing slash: this also serves `/tap/`.
        let landing = base.isEmpty ? "/" : base
        routes.get(RouterPath(landing)) { request, _ in self.landingPage(request) }
        guarded.get(RouterPath(base + "/sync")) { request, _ in await self.sync(request) }
        guarded.post(RouterPath(base + "/sync")) { request, _ in await self.sync(request) }
        routes.get(RouterPath(base + "/capabilities")) { request, _ in self.capabilities(request) }
        routes.get(RouterPath(base + "/availability")) { _, _ in await self.availability() }
        guarded.get(RouterPath(base + "/tables")) { _, _ in await self.tables() }
        routes.get(RouterPath(base + "/examples")) { request, _ in self.examples(request) }
        let asyncPaths = addAsyncRoutes(to: guarded, base: base)
        // The metrics are open (they name no user and no query); the admin view sits behind
        // the authentication step, so that a bad token is refused there like anywhere else.
        let operationsPaths = addOperationsRoutes(open: routes, guarded: guarded, base: base)
        // The web page: open to anyone (a token is typed into the page, which sends it with
        // its requests); same-origin, so no CORS headers.
        _ = addWebRoutes(to: router.group(), base: base)
        // CORS preflights: the middleware adds what a browser asks for.
        let paths = [landing] + ["/sync", "/capabilities", "/availability", "/tables", "/examples"].map { base + $0 }
        for path in paths + asyncPaths + operationsPaths {
            routes.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
    }

    /// A Hummingbird application serving only this service, on `configuration.host`/`port`.
    public func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        addRoutes(to: router)
        var application = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "SkyShard-TAP"),
            logger: logger
        )
        application.beforeServerStarts { await self.startJobs() }
        return application
    }

    // MARK: VOSI and landing page

    func tapURL(for request: Request) -> String {
        if let url = configuration.publicBaseURL {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        let host = request.head.authority ?? Self.header("Host", in: request) ?? "\(configuration.host):\(configuration.port)"
        let proto = Self.header("X-Forwarded-Proto", in: request)?.lowercased() == "https" ? "https" : "http"
        return "\(proto)://\(host)\(configuration.normalizedBasePath)"
    }

    func landingPage(_ request: Request) -> Response {
        let body = templates.landing.render([
            "title": .text(configuration.title),
            "description": .text(configuration.description),
            "tapURL": .text(tapURL(for: request)),
        ])
        return Self.response(.ok, contentType: "text/html; charset=utf-8", body)
    }

    func capabilities(_ request: Request) -> Response {
        let features = Self.languageFeaturesXML(configuration.languageFeatures)
        let limits = configuration.jobLimits
        let url = tapURL(for: request)
        let body = templates.capabilities.render([
            "tapURL": .text(url),
            "tapInterfaces": .markup(interfacesXML(accessURL: url, use: "base", version: "1.1")),
            "tablesInterfaces": .markup(interfacesXML(accessURL: url + "/tables", use: "full", version: "1.1")),
            "defaultMaxRecords": .text(String(min(configuration.defaultMaxRecords, configuration.hardMaxRecords))),
            "hardMaxRecords": .text(String(configuration.hardMaxRecords)),
            "uploadMethods": .markup(engine.acceptsUploads ? Self.uploadMethodsXML : ""),
            "uploadLimit": .markup(engine.acceptsUploads ? Self.uploadLimitXML(configuration.uploadLimits) : ""),
            "defaultExecutionDuration": .text(String(limits.defaultExecutionDuration)),
            "maxExecutionDuration": .text(String(limits.maxExecutionDuration)),
            "defaultRetentionPeriod": .text(String(limits.defaultRetention.components.seconds)),
            "maxRetentionPeriod": .text(String(limits.maxRetention.components.seconds)),
            "languageFeatures": .markup(features),
            "title": .text(configuration.title),
            "description": .text(configuration.description),
        ])
        return Self.response(.ok, contentType: "text/xml; charset=utf-8", body)
    }

    /// TAPRegExt's inline upload method, the one this service takes.
    static let uploadMethodsXML = "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-inline\"/>\n"

    /// The upload limit in bytes, in TAPRegExt 1.0's unit name (`bytes`).
    static func uploadLimitXML(_ limits: UploadLimits) -> String {
        """
            <uploadLimit>
              <default unit="byte">\(limits.maxBytes)</default>
              <hard unit="byte">\(limits.maxBytes)</hard>
            </uploadLimit>

        """
    }

    /// The security method of an interface that takes bearer tokens. IVOA SSO 2.0 (section
    /// "Details on OAuth") registers interfaces whose clients send `Authorization: Bearer
    /// <token>` with `ivo://ivoa.net/sso#OAuth`; it defines no other identifier for bearer
    /// tokens (`#token`, seen in some services, is not in SSO 2.0, and taplint warns about it).
    static let bearerSecurityMethod = "ivo://ivoa.net/sso#OAuth"

    /// The `<interface>` elements of an endpoint behind `BearerAuthentication`: one without a
    /// security method while anonymous callers are allowed, and, with a token file, one that
    /// declares bearer tokens (TAP 1.1 section 2.4: one interface per security method).
    func interfacesXML(accessURL: String, use: String, version: String) -> String {
        var escapedURL = OutputBuffer(capacity: accessURL.utf8.count + 16)
        escapedURL.appendXMLEscaped(accessURL)
        let url = String(decoding: escapedURL.bytes, as: UTF8.self)
        func interface(_ securityMethod: String?) -> String {
            var out = "    <interface xsi:type=\"vs:ParamHTTP\" role=\"std\" version=\"\(version)\">\n"
            out += "      <accessURL use=\"\(use)\">\(url)</accessURL>\n"
            if let securityMethod { out += "      <securityMethod standardID=\"\(securityMethod)\"/>\n" }
            return out + "    </interface>\n"
        }
        var out = ""
        if authenticator == nil || !configuration.requireToken { out += interface(nil) }
        if authenticator != nil { out += interface(Self.bearerSecurityMethod) }
        return out
    }

    /// `<languageFeatures type="...">` elements, one per feature type in order of first
    /// appearance, each with its `<feature>`s.
    static func languageFeaturesXML(_ features: [LanguageFeature]) -> String {
        func escaped(_ s: String) -> String {
            var buffer = OutputBuffer(capacity: s.utf8.count + 16)
            buffer.appendXMLEscaped(s)
            return String(decoding: buffer.bytes, as: UTF8.self)
        }
        var types: [String] = []
        var byType: [String: [LanguageFeature]] = [:]
        for f in features {
            if byType[f.type] == nil { types.append(f.type) }
            byType[f.type, default: []].append(f)
        }
        var out = ""
        for type in types {
            out += "      <languageFeatures type=\"\(escaped(type))\">\n"
            for f in byType[type] ?? [] {
                out += "        <feature><form>\(escaped(f.form))</form>"
                if let d = f.description { out += "<description>\(escaped(d))</description>" }
                out += "</feature>\n"
            }
            out += "      </languageFeatures>\n"
        }
        return out
    }

    /// The DALI examples document (`examples.html`), or 404 when the templates have none.
    func examples(_ request: Request) -> Response {
        guard let examples = templates.examples else {
            return Self.plainTextAnswer(to: TAPServiceError(.notFound, "This service publishes no examples."))
        }
        let body = examples.render(["tapURL": .text(tapURL(for: request)), "title": .text(configuration.title)])
        return Self.response(.ok, contentType: "application/xhtml+xml; charset=utf-8", body)
    }

    func availability() async -> Response {
        let state = await engine.availability()
        var note = ""
        if let n = state.note, !n.isEmpty {
            var escaped = OutputBuffer(capacity: 256)
            escaped.appendXMLEscaped(n)
            note = "  <vosi:note>\(String(decoding: escaped.bytes, as: UTF8.self))</vosi:note>\n"
        }
        let body = templates.availability.render([
            "available": .text(state.isAvailable ? "true" : "false"),
            "upSince": .text(startTime.formatted(.iso8601)),
            "note": .markup(note),
        ])
        return Self.response(.ok, contentType: "text/xml; charset=utf-8", body)
    }

    func tables() async -> Response {
        let failure: TAPServiceError
        do {
            if let set = try await engine.tableSet() {
                return Self.response(.ok, contentType: "text/xml; charset=utf-8", VOSITablesDocument.render(set))
            }
            failure = TAPServiceError(.notFound, "No table metadata is published yet.")
        } catch {
            logger.error("tables: the engine failed", metadata: ["error": "\(String(reflecting: error))"])
            failure = TAPServiceError(.engineFailure, "The table metadata could not be read.", cause: error)
        }
        return Self.plainTextAnswer(to: failure)
    }

    /// The answer to an error of an endpoint that is not a query's, as plain text.
    static func plainTextAnswer(to error: any Error) -> Response {
        let answer = answer(to: error, requestID: "")
        return response(answer.status, contentType: "text/plain; charset=utf-8", Array((answer.message + "\n").utf8))
    }

    /// The value of a header by name (case-insensitive), the first if it repeats.
    static func header(_ name: String, in request: Request) -> String? {
        let lower = name.lowercased()
        return request.headers.first { $0.name.canonicalName == lower }?.value
    }

    static func response(_ status: HTTPResponse.Status, contentType: String, _ bytes: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorDocument(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var answer = response(
            status, contentType: ResultFormat.votableTabledata.mediaType,
            VOTableErrorDocument.bytes(message: message))
        // Every 503 is a refusal for now (overload, a full queue, a shutdown): RFC 9110 section
        // 10.2.3 lets the client know when to come back, and clients (pyvo's retry) read it.
        if status == .serviceUnavailable { answer.headers[.retryAfter] = String(retryAfterSeconds) }
        return answer
    }

    /// Seconds a refused client is asked to wait (`Retry-After` of every 503).
    static let retryAfterSeconds = 5
}

/// The service's own entry point for the CLI: the application serving `engine` as configured.
public func makeTAPApplication(
    engine: any TAPQueryEngine, configuration: TAPServiceConfiguration, logger: Logger
) throws -> some ApplicationProtocol {
    try TAPServer(engine: engine, configuration: configuration, logger: logger).makeApplication()
}
