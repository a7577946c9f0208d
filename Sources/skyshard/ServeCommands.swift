import ArgumentParser
import CoreMetrics
import DemoData
import Foundation
import Hummingbird
import Access
import Ingest
import Logging
import Planner
import Prometheus
import QueryEngine
import ServiceLifecycle
import TAPService
import UWS

/// Flags of the HTTP service. Each may also come from the environment or the configuration
/// file (Settings.swift); `ServiceSettings` holds the values in force.
struct ServiceOptions: ParsableArguments {
    @Option(help: "A YAML file of settings (keys are the flags' names, e.g. `port: 8080`).")
    var config: String?

    @Option(help: "Address to listen on (default: 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free port (default: 8080).")
    var port: Int?

    @Option(
        name: .customLong("public-url"),
        help: "The service's URL as clients see it behind a proxy, e.g. https://data.example.org/tap (default: from the request).")
    var publicURL: String?

    @Option(help: "SQLite worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "MAXREC when a request gives none (default: 100000).")
    var defaultMaxrec: Int?

    @Option(help: "Time limit of a query, in seconds (default: 600).")
    var queryTimeout: Int?

    @Option(help: "Queries one user may run at once (default: 8).")
    var queriesPerUser: Int?

    @Option(help: "Request header naming the authenticated user, set by a trusted front proxy (default: none).")
    var userHeader: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: info).")
    var logLevel: String?

    @Option(
        name: .customLong("jobs-dir"),
        help: "Folder for async jobs, their parameters and results (default: DATA/jobs).")
    var jobsDirectory: String?

    @Option(help: "Async jobs executing at once; more wait in the queue (default: 2).")
    var executingJobs: Int?

    @Option(help: "Async jobs that may wait in the queue (default: 100).")
    var queuedJobs: Int?

    @Option(
        name: .customLong("admin"),
        help: "A user who may list and cancel every running query (/tap/admin/queries); repeat for more (default: none).")
    var admins: [String] = []

    @Option(help: "On SIGTERM, seconds running queries get to finish before they are stopped (default: 30).")
    var shutdownGrace: Int?

    @Option(help: "Unfinished async jobs (pending, queued, executing) one user may have (default: 50).")
    var jobsPerUser: Int?

    @Option(help: "Bytes of async results one user may keep; suffixes K, M, G, T are powers of 1024 (default: 10G).")
    var resultBytesPerUser: ByteCount?

    @Option(
        help: "Bytes of the tables one request uploads (UPLOAD), all together; K, M, G, T are powers of 1024 (default: 64M).")
    var uploadMaxBytes: ByteCount?

    @Option(help: "Rows of one uploaded table (default: 1000000).")
    var uploadMaxRows: Int?

    @Option(help: "Tables one query or async job may upload (default: 4).")
    var uploadMaxTables: Int?

    @Option(help: "Token file of the users who may call the service (see 'skyshard token add') (default: none).")
    var tokenFile: String?

    @Option(help: "Sync queries in flight at once; more are refused with 503 and Retry-After (default: 256).")
    var maxSyncQueries: Int?

    @Option(help: "Async jobs one user keeps, finished ones included; the oldest finished make room (default: 1000).")
    var jobsKeptPerUser: Int?

    @Option(
        help: "Seconds a connection may take to send a whole request head, or stay idle between requests, before it is closed (default: 30).")
    var requestHeaderTimeout: Int?

    @Option(
        help: "Prepared statements each chunk connection keeps, least recently used evicted; 0 keeps none (default: 32).")
    var statementCacheSize: Int?

    @Flag(
        inversion: .prefixedNo,
        help: "Require a bearer token on every query, job and table request; needs a token file (default: off).")
    var requireToken: Bool?

    @Option(
        help: "Origins whose web pages may call the service from the browser (CORS), e.g. https://portal.example.org; repeat or separate with commas; * allows all (default: *).")
    var corsOrigins: [String] = []

    /// The settings in force: these flags over the environment over the configuration file
    /// over the defaults. `report` receives where each value came from.
    func resolve(dataRoot: URL, report: ((SettingsResolver) -> Void)? = nil) async throws -> ServiceSettings {
        let r = try await SettingsResolver(configFile: config)
        var s = ServiceSettings()
        s.host = try await r.value("host", flag: host, default: s.host)
        s.port = try await r.value("port", flag: port, default: s.port)
        s.publicURL = try await r.value("public-url", flag: publicURL, default: s.publicURL)
        s.threads = try await r.value("threads", flag: threads, default: s.threads)
        s.defaultMaxrec = try await r.value("default-maxrec", flag: defaultMaxrec, default: s.defaultMaxrec)
        s.queryTimeout = try await r.value("query-timeout", flag: queryTimeout, default: s.queryTimeout)
        s.queriesPerUser = try await r.value("queries-per-user", flag: queriesPerUser, default: s.queriesPerUser)
        s.userHeader = try await r.value("user-header", flag: userHeader, default: s.userHeader)
        s.logLevel = try await r.value("log-level", flag: logLevel, default: s.logLevel)
        s.jobsDirectory = try await r.value(
            "jobs-dir", flag: jobsDirectory, default: dataRoot.appendingPathComponent("jobs").path)
        s.executingJobs = try await r.value("executing-jobs", flag: executingJobs, default: s.executingJobs)
        s.queuedJobs = try await r.value("queued-jobs", flag: queuedJobs, default: s.queuedJobs)
        s.admins = try await r.value("admin", flag: admins.isEmpty ? nil : admins, default: s.admins)
        s.shutdownGrace = try await r.value("shutdown-grace", flag: shutdownGrace, default: s.shutdownGrace)
        s.jobsPerUser = try await r.value("jobs-per-user", flag: jobsPerUser, default: s.jobsPerUser)
        s.resultBytesPerUser = try await r.value(
            "result-bytes-per-user", flag: resultBytesPerUser, default: s.resultBytesPerUser)
        s.uploadMaxBytes = try await r.value("upload-max-bytes", flag: uploadMaxBytes, default: s.uploadMaxBytes)
        s.uploadMaxRows = try await r.value("upload-max-rows", flag: uploadMaxRows, default: s.uploadMaxRows)
        s.uploadMaxTables = try await r.value("upload-max-tables", flag: uploadMaxTables, default: s.uploadMaxTables)
        s.tokenFile = try await r.value("token-file", flag: tokenFile, default: s.tokenFile)
        s.requireToken = try await r.value("require-token", flag: requireToken, default: s.requireToken)
        let corsFlag = corsOrigins.flatMap { $0.split(separator: ",").map(String.init) }
        s.corsOrigins = try await r.value("cors-origins", flag: corsFlag.isEmpty ? nil : corsFlag, default: s.corsOrigins)
        s.maxSyncQueries = try await r.value("max-sync-queries", flag: maxSyncQueries, default: s.maxSyncQueries)
        s.jobsKeptPerUser = try await r.value("jobs-kept-per-user", flag: jobsKeptPerUser, default: s.jobsKeptPerUser)
        s.requestHeaderTimeout = try await r.value(
            "request-header-timeout", flag: requestHeaderTimeout, default: s.requestHeaderTimeout)
        s.statementCacheSize = try await r.value(
            "statement-cache-size", flag: statementCacheSize, default: s.statementCacheSize)
        try r.checkFileKeys()
        try s.validate()
        report?(r)
        return s
    }
}

/// The service's settings in force, with their defaults.
struct ServiceSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var publicURL: String?
    var threads: Int?
    var defaultMaxrec = 100_000
    var queryTimeout = 600
    var queriesPerUser = 8
    var userHeader: String?
    var logLevel = "info"
    var jobsDirectory = ""
    var executingJobs = 2
    var queuedJobs = 100
    var admins: [String] = []
    var shutdownGrace = 30
    var jobsPerUser = 50
    var resultBytesPerUser = ByteCount(10 << 30)
    var uploadMaxBytes = ByteCount(64 << 20)
    var uploadMaxRows = 1_000_000
    var uploadMaxTables = 4
    var tokenFile: String?
    var requireToken = false
    var corsOrigins = ["*"]
    var maxSyncQueries = 256
    var jobsKeptPerUser = 1000
    var requestHeaderTimeout = 30
    var statementCacheSize = SkyShardEngine.defaultStatementCacheSize

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("port must be 0...65535, not \(port)") }
        if let publicURL, !(publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://")) {
            throw ValidationError("public-url must be an http:// or https:// URL, not \(publicURL)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        for (name, value) in [
            ("default-maxrec", defaultMaxrec), ("query-timeout", queryTimeout), ("queries-per-user", queriesPerUser),
            ("executing-jobs", executingJobs), ("threads", threads ?? 1), ("jobs-per-user", jobsPerUser),
            ("max-sync-queries", maxSyncQueries), ("jobs-kept-per-user", jobsKeptPerUser),
            ("request-header-timeout", requestHeaderTimeout),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1, not \(value)")
        }
        if requireToken && tokenFile == nil {
            throw ValidationError("require-token needs a token file (--token-file FILE)")
        }
        for origin in corsOrigins.map({ $0.trimmingCharacters(in: .whitespaces) }) where origin != "*" {
            guard origin.hasPrefix("http://") || origin.hasPrefix("https://"),
                !origin.dropFirst(origin.hasPrefix("https://") ? 8 : 7).contains("/")
            else {
                throw ValidationError(
                    "cors-origins must be * or origins such as https://portal.example.org (scheme, host, optional port; no path), not \(origin)")
            }
        }
        // An upload limit of 0 refuses every upload: a deployment may want that.
        for (name, value) in [
            ("queued-jobs", queuedJobs), ("shutdown-grace", shutdownGrace), ("upload-max-rows", uploadMaxRows),
            ("upload-max-tables", uploadMaxTables), ("statement-cache-size", statementCacheSize),
        ] where value < 0 {
            throw ValidationError("\(name) must be 0 or more, not \(value)")
        }
        // In nanoseconds it must fit a 64-bit count; a day is longer than any client needs.
        guard requestHeaderTimeout <= 86_400 else {
            throw ValidationError("request-header-timeout must be at most 86400 seconds, not \(requestHeaderTimeout)")
        }
    }
}

/// A number of bytes on the command line: digits, optionally followed by K, M, G or T
/// (powers of 1024; `KiB`, `MiB`… are accepted too).
struct ByteCount: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var bytes: Int64

    init(_ bytes: Int64) { self.bytes = bytes }

    init?(argument: String) {
        var text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        if text.hasSuffix("IB") { text.removeLast(2) } else if text.hasSuffix("B") { text.removeLast() }
        let shifts: [Character: Int64] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var shift: Int64 = 0
        if let last = text.last, let s = shifts[last] {
            shift = s
            text.removeLast()
        }
        guard let n = Int64(text), n >= 0, n <= Int64.max >> shift else { return nil }
        bytes = n << shift
    }

    var description: String { String(bytes) }
}

/// Starts the TAP service over the catalog under `dataRoot` and runs until interrupted.
func serve(dataRoot: URL, options: ServiceSettings, banner: Bool) async throws {
    var logger = Logger(label: "skyshard")
    logger.logLevel = Logger.Level(rawValue: options.logLevel) ?? .info
    let engine = try SkyShardEngine(
        dataRoot: dataRoot, threads: options.threads, defaultTimeout: .seconds(options.queryTimeout),
        queriesPerUser: options.queriesPerUser, statementCacheSize: options.statementCacheSize)
    var configuration = TAPServiceConfiguration(
        host: options.host, port: options.port, defaultMaxRecords: options.defaultMaxrec,
        title: "SkyShard TAP service",
        description: "ADQL over \(engine.catalog.tables.map(\.qualifiedName).joined(separator: ", ")).",
        publicBaseURL: options.publicURL,
        userHeader: options.userHeader,
        uploadLimits: uploadLimits(options),
        languageFeatures: LanguageFeature.adqlOptional + LanguageFeature.geometry
            + engine.planner.functions.userDefined.map {
                LanguageFeature.userDefined(form: $0.form ?? "\($0.name)(...)", description: $0.description)
            },
        jobsDirectory: options.jobsDirectory,
        jobLimits: jobLimits(options),
        adminUsers: Set(options.admins),
        shutdownGrace: .seconds(options.shutdownGrace),
        tokenFile: options.tokenFile, requireToken: options.requireToken,
        corsOrigins: options.corsOrigins)
    configuration.maxSyncQueries = options.maxSyncQueries
    // One registry for the process: the service records into it, and so does any library
    // that uses swift-metrics' global system; `/tap/metrics` shows it all.
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let server = try TAPServer(
        engine: EngineAdapter(engine: engine), configuration: configuration, logger: logger, metrics: registry)
    if let tokenFile = options.tokenFile { logTokenFile(tokenFile, required: options.requireToken, logger: logger) }
    let rows = engine.catalog.tableRowCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    logger.info("catalog \(engine.version.name): \(engine.catalog.chunkRowCounts.count) chunks; \(rows.joined(separator: ", "))")
    let announce = banner
    let router = Router()
    server.addRoutes(to: router)
    // The idle timeout closes a connection whose request head has not arrived whole within
    // `request-header-timeout` (bytes that never form a request, a slow-loris), or that stays
    // idle that long between requests; it never ends a response being written.
    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(options.requestHeaderTimeout)))),
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "SkyShard"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? options.port
            let url = "http://\(options.host):\(port)/tap"
            let message: String
            if announce {
                message = """
                    SkyShard is serving TAP at \(url)
                    Open http://\(options.host):\(port)/ in a browser for the query page.
                    Try it from Python:
                      python3 -c "import pyvo; print(pyvo.dal.TAPService('\(url)').search('SELECT TOP 5 objectId, coord_ra, coord_dec FROM dp02_dc2_catalogs.Object').to_table())"
                    Press Ctrl-C to stop.

                    """
            } else {
                message = "listening on \(url)\n"
            }
            // Straight to the file descriptor: a reader waiting for this line must not wait
            // for a stdio buffer to fill.
            FileHandle.standardOutput.write(Data(message.utf8))
        },
        logger: logger)
    app.beforeServerStarts { await server.startJobs() }
    // The group shuts its services down in reverse order: `TAPShutdown` drains the queries
    // first, while the server still listens and refuses new ones with 503; then the server
    // stops. The group's own limit is a backstop should a connection never close.
    let services: [any Service] = [app, TAPShutdown(server: server)]
    var group = ServiceGroupConfiguration(
        services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
    group.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(30)
    try await ServiceGroup(configuration: group).run()
    logger.notice("stopped")
}

func uploadLimits(_ options: ServiceSettings) -> UploadLimits {
    UploadLimits(
        maxBytes: Int(clamping: options.uploadMaxBytes.bytes), maxRows: options.uploadMaxRows,
        maxTables: options.uploadMaxTables)
}

func jobLimits(_ options: ServiceSettings) -> JobLimits {
    var limits = JobLimits()
    limits.maxExecuting = max(1, options.executingJobs)
    limits.maxQueued = max(0, options.queuedJobs)
    limits.maxExecutionDuration = max(limits.maxExecutionDuration, options.queryTimeout)
    limits.defaultExecutionDuration = options.queryTimeout
    limits.maxJobsPerUser = options.jobsPerUser
    limits.maxResultBytesPerUser = options.resultBytesPerUser.bytes
    limits.maxKeptJobsPerUser = options.jobsKeptPerUser
    return limits
}

/// Says at start-up how callers are authenticated, and warns about a token file that others
/// may read (it holds only hashes, but nobody else needs it).
func logTokenFile(_ path: String, required: Bool, logger: Logger) {
    let users = Set(((try? TokenFile.read(path)) ?? []).map(\.user))
    let access = required ? "a token is required" : "anonymous callers are allowed too"
    logger.info("bearer tokens checked against \(path): \(users.count) users; \(access)")
    if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0
    {
        logger.warning("the token file \(path) may be read by other users (mode \(String(mode, radix: 8))); chmod 600 it")
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve an ingested catalog through TAP.")

    @OptionGroup var data: DataOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        do {
            try await serve(dataRoot: data.url, options: service.resolve(dataRoot: data.url), banner: false)
        } catch {
            fail(error)
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate and ingest a DC2-like demo catalog (once), then serve it through TAP.")

    @OptionGroup var data: DataOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Objects in the demo catalog.")
    var objects: Int = 100_000

    func run() async throws {
        do {
            let settings = try await service.resolve(dataRoot: data.url)
            let version = try DemoCatalog.ensure(dataRoot: data.url, objects: objects)
            FileHandle.standardOutput.write(Data("catalog: \(version.directory.path)\n".utf8))
            try await serve(dataRoot: data.url, options: settings, banner: true)
        } catch {
            fail(error)
        }
    }
}

/// Prints the settings `serve` would run with and where each came from.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print the service's settings in force (flags, SKYSHARD_* environment, --config file, defaults).")

    @OptionGroup var data: DataOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        do { try await printSettings() } catch { fail(error) }
    }

    /// One line per setting: name, value, origin.
    private func printSettings() async throws {
        var lines: [String] = []
        _ = try await service.resolve(dataRoot: data.url) { resolver in
            let width = resolver.report.map(\.name.count).max() ?? 0
            lines = resolver.report.map { setting in
                let name = setting.name.padding(toLength: width, withPad: " ", startingAt: 0)
                return "\(name)  \(setting.value ?? "(none)")  [\(setting.origin)]"
            }
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
