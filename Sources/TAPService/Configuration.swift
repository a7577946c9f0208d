import UWS

/// One TAPRegExt language feature of `/capabilities`: its feature type (e.g.
/// `ivo://ivoa.net/std/TAPRegExt#features-adql-sets`), the form a query writes, and an optional
/// description.
public struct LanguageFeature: Sendable, Hashable {
    public var type: String
    public var form: String
    public var description: String?

    public init(type: String, form: String, description: String? = nil) {
        self.type = type
        self.form = form
        self.description = description
    }

    static let prefix = "ivo://ivoa.net/std/TAPRegExt#features-"

    /// ADQL 2.1's optional features (section 4 of the Recommendation), all of which the
    /// planner accepts, by feature type.
    public static let adqlOptional: [LanguageFeature] = [
        ("adql-string", ["LOWER", "UPPER", "ILIKE"]),
        ("adql-sets", ["UNION", "EXCEPT", "INTERSECT"]),
        ("adql-common-table", ["WITH"]),
        ("adql-type", ["CAST"]),
        ("adql-unit", ["IN_UNIT"]),
        ("adql-offset", ["OFFSET"]),
        ("adql-conditional", ["COALESCE"]),
    ].flatMap { type, forms in forms.map { LanguageFeature(type: prefix + type, form: $0) } }

    /// The geometry functions of ADQL 2.1, every one of which is implemented.
    public static let geometry: [LanguageFeature] = [
        "POINT", "CIRCLE", "BOX", "POLYGON", "REGION", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA",
        "COORD1", "COORD2", "COORDSYS", "CENTROID",
    ].map { LanguageFeature(type: prefix + "adqlgeo", form: $0) }

    /// A user-defined function (`features-udf`), its form as TAPRegExt writes it:
    /// `name(arg TYPE, ...) -> TYPE`.
    public static func userDefined(form: String, description: String?) -> LanguageFeature {
        LanguageFeature(type: prefix + "udf", form: form, description: description)
    }
}

/// What a request's uploaded tables (TAP 1.1 `UPLOAD`) may be at most. Past a limit the
/// request is refused with a DALI error naming it by its setting's name (`upload-max-bytes`,
/// `upload-max-rows`, `upload-max-tables`).
public struct UploadLimits: Sendable, Hashable {
    /// The bytes of all the uploaded files of one request together (the VOTable documents as
    /// sent). HTTP 413 past it.
    public var maxBytes: Int
    /// The rows of one uploaded table. HTTP 413 past it.
    public var maxRows: Int
    /// The tables of one request (an async job's, all its POSTs together). HTTP 400 past it.
    public var maxTables: Int
    /// The FIELDs of one uploaded table: SQLite's default column limit, which the engine's
    /// table for it must stay within. Not a setting.
    public var maxColumns: Int

    public init(maxBytes: Int = 64 << 20, maxRows: Int = 1_000_000, maxTables: Int = 4, maxColumns: Int = 2000) {
        self.maxBytes = maxBytes
        self.maxRows = maxRows
        self.maxTables = maxTables
        self.maxColumns = maxColumns
    }
}

/// How the TAP service is set up.
public struct TAPServiceConfiguration: Sendable {
    /// Address and port to listen on.
    public var host: String
    public var port: Int
    /// The path under which the TAP endpoints live (`/tap` → `/tap/sync`, `/tap/capabilities`…).
    public var basePath: String
    /// MAXREC when the client sends none.
    public var defaultMaxRecords: Int
    /// The largest MAXREC honoured; a larger request is lowered to it.
    public var hardMaxRecords: Int
    public var title: String
    public var description: String
    /// The service's public URL (e.g. `https://data.example.org/api/tap`), used for the access
    /// URLs in `/capabilities`. When nil they are built from the request's Host header and
    /// `basePath`.
    public var publicBaseURL: String?
    /// The folder holding the VOSI templates (`capabilities.xml`, `availability.xml`,
    /// `landing.html`). When nil: `$SKYSHARD_VO_TEMPLATES`, else `./vo-templates`, else the
    /// `vo-templates` folder of the source checkout this module was built from.
    public var templateDirectory: String?
    /// A request header that carries the authenticated user, set by a trusted front proxy
    /// (e.g. `X-Auth-Request-User`). Nil: the service does not read a user. A valid bearer
    /// token's user takes precedence (`TAPServer.user(of:)`).
    public var userHeader: String?
    /// The largest POST body accepted, not counting the files of a `multipart/form-data` body
    /// (uploaded tables), which `uploadLimits.maxBytes` bounds.
    public var maxRequestBodyBytes: Int
    /// What uploaded tables may be at most.
    public var uploadLimits: UploadLimits
    /// Output is sent to the client whenever this many bytes are buffered.
    public var flushThresholdBytes: Int
    /// The ADQL language features advertised in `/capabilities` (TAPRegExt), grouped there
    /// by type in the order of first appearance. Default: ADQL 2.1's optional features and
    /// geometry functions; the service adds its user-defined functions.
    public var languageFeatures: [LanguageFeature]
    /// While a query produces no rows, buffered rows are sent, or (VOTable) a line break is
    /// written, at this interval: proxies do not time the connection out, and a client that hung
    /// up is noticed (and its query cancelled) even when the query is idle. Nil: never.
    public var keepAliveInterval: Duration?
    /// Where async jobs, their parameters and results are kept (UWS); nil: no `/async`.
    public var jobsDirectory: String?
    /// The async job service's limits (queue, execution duration, retention, WAIT).
    public var jobLimits: JobLimits
    /// The users (as `TAPServer.user(of:)` names them) who may use the admin view
    /// (`/admin/queries`): list every running query and cancel any.
    public var adminUsers: Set<String>
    /// On a graceful shutdown (SIGTERM), how long running queries are given to finish before
    /// they are stopped (see `TAPServer.drain`).
    public var shutdownGrace: Duration
    /// The token file (`skyshard token add`) against which bearer tokens are checked. Nil:
    /// the service checks no tokens and ignores `Authorization` headers (a front proxy may
    /// send its own).
    public var tokenFile: String?
    /// With `tokenFile`: every query, job and table endpoint needs a valid bearer token;
    /// without it anonymous callers may use them too. VOSI capabilities and availability,
    /// the examples and the landing page are always open.
    public var requireToken: Bool
    /// The origins (`https://portal.example.org`) whose web pages may call the service from
    /// the browser (CORS); `*` (the default) allows every origin. Requests from other origins
    /// are answered without CORS headers, so the browser keeps the answer from the page.
    public var corsOrigins: [String]
    /// Sync queries in flight at most; another is refused with 503 and `Retry-After` (its
    /// client is asked to come back rather than queued without bound).
    public var maxSyncQueries = 256

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        basePath: String = "/tap",
        defaultMaxRecords: Int = 100_000,
        hardMaxRecords: Int = 10_000_000,
        title: String = "SkyShard TAP service",
        description: String = "ADQL queries over a sharded sky catalog (TAP 1.1).",
        publicBaseURL: String? = nil,
        templateDirectory: String? = nil,
        userHeader: String? = nil,
        maxRequestBodyBytes: Int = 4 * 1024 * 1024,
        uploadLimits: UploadLimits = UploadLimits(),
        flushThresholdBytes: Int = 64 * 1024,
        languageFeatures: [LanguageFeature] = LanguageFeature.adqlOptional + LanguageFeature.geometry,
        keepAliveInterval: Duration? = .seconds(10),
        jobsDirectory: String? = nil,
        jobLimits: JobLimits = JobLimits(),
        adminUsers: Set<String> = [],
        shutdownGrace: Duration = .seconds(30),
        tokenFile: String? = nil,
        requireToken: Bool = false,
        corsOrigins: [String] = ["*"]
    ) {
        self.host = host
        self.port = port
        self.basePath = basePath
        self.defaultMaxRecords = defaultMaxRecords
        self.hardMaxRecords = hardMaxRecords
        self.title = title
        self.description = description
        self.publicBaseURL = publicBaseURL
        self.templateDirectory = templateDirectory
        self.userHeader = userHeader
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.uploadLimits = uploadLimits
        self.flushThresholdBytes = flushThresholdBytes
        self.languageFeatures = languageFeatures
        self.keepAliveInterval = keepAliveInterval
        self.jobsDirectory = jobsDirectory
        self.jobLimits = jobLimits
        self.adminUsers = adminUsers
        self.shutdownGrace = shutdownGrace
        self.tokenFile = tokenFile
        self.requireToken = requireToken
        self.corsOrigins = corsOrigins
    }

    /// `basePath` with one leading and no trailing slash (`""` for the root).
    var normalizedBasePath: String {
        let trimmed = basePath.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? "" : "/" + trimmed
    }
}
