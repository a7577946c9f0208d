import ArgumentParser
import CoreMetrics
import DemoData
import Foundation
import Hummingbird
import Ingest
import Logging
import Planner
import Prometheus
import QueryEngine
import ServiceLifecycle
import TAPService
import UWS

/// Options of the HTTP service.
struct ServiceOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 8080

    @Option(help: "SQLite worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "MAXREC when a request gives none.")
    var defaultMaxrec: Int = 100_000

    @Option(help: "Time limit of a query, in seconds.")
    var queryTimeout: Int = 600

    @Option(help: "Queries one user may run at once.")
    var queriesPerUser: Int = 8

    @Option(help: "Request header naming the authenticated user, set by a trusted front proxy.")
    var userHeader: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("jobs-dir"),
        help: "Folder for async jobs, their parameters and results (default: DATA/jobs).")
    var jobsDirectory: String?

    @Option(help: "Async jobs executing at once; more wait in the queue.")
    var executingJobs: Int = 2

    @Option(help: "Async jobs that may wait in the queue.")
    var queuedJobs: Int = 100

    @Option(
        name: .customLong("admin"),
        help: "A user who may list and cancel every running query (/tap/admin/queries); repeat for more.")
    var admins: [String] = []

    @Option(help: "On SIGTERM, seconds running queries get to finish before they are stopped.")
    var shutdownGrace: Int = 30
}

/// Starts the TAP service over the catalog under `dataRoot` and runs until interrupted.
func serve(dataRoot: URL, options: ServiceOptions, banner: Bool) async throws {
    var logger = Logger(label: "skyshard")
    logger.logLevel = Logger.Level(rawValue: options.logLevel) ?? .info
    let engine = try SkyShardEngine(
        dataRoot: dataRoot, threads: options.threads, defaultTimeout: .seconds(options.queryTimeout),
        queriesPerUser: options.queriesPerUser)
    let configuration = TAPServiceConfiguration(
        host: options.host, port: options.port, defaultMaxRecords: options.defaultMaxrec,
        title: "SkyShard TAP service",
        description: "ADQL over \(engine.catalog.tables.map(\.qualifiedName).joined(separator: ", ")).",
        userHeader: options.userHeader,
        languageFeatures: LanguageFeature.adqlOptional + LanguageFeature.geometry
            + engine.planner.functions.userDefined.map {
                LanguageFeature.userDefined(form: $0.form ?? "\($0.name)(...)", description: $0.description)
            },
        jobsDirectory: options.jobsDirectory ?? dataRoot.appendingPathComponent("jobs").path,
        jobLimits: jobLimits(options),
        adminUsers: Set(options.admins),
        shutdownGrace: .seconds(max(0, options.shutdownGrace)))
    // One registry for the process: the service records into it, and so does any library
    // that uses swift-metrics' global system; `/tap/metrics` shows it all.
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let server = try TAPServer(
        engine: EngineAdapter(engine: engine), configuration: configuration, logger: logger, metrics: registry)
    let rows = engine.catalog.tableRowCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    logger.info("catalog \(engine.version.name): \(engine.catalog.chunkRowCounts.count) chunks; \(rows.joined(separator: ", "))")
    let announce = banner
    let router = Router()
    server.addRoutes(to: router)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "SkyShard"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? options.port
            let url = "http://\(options.host):\(port)/tap"
            let message: String
            if announce {
                message = """
                    SkyShard is serving TAP at \(url)
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

func jobLimits(_ options: ServiceOptions) -> JobLimits {
    var limits = JobLimits()
    limits.maxExecuting = max(1, options.executingJobs)
    limits.maxQueued = max(0, options.queuedJobs)
    limits.maxExecutionDuration = max(limits.maxExecutionDuration, options.queryTimeout)
    limits.defaultExecutionDuration = options.queryTimeout
    return limits
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve an ingested catalog through TAP.")

    @OptionGroup var data: DataOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        do {
            try await serve(dataRoot: data.url, options: service, banner: false)
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
            let version = try DemoCatalog.ensure(dataRoot: data.url, objects: objects)
            FileHandle.standardOutput.write(Data("catalog: \(version.directory.path)\n".utf8))
            try await serve(dataRoot: data.url, options: service, banner: true)
        } catch {
            fail(error)
        }
    }
}
