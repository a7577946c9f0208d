import ArgumentParser
import DemoData
import Foundation
import Hummingbird
import Access
import Ingest
import Logging
import Planner
import QueryEngine
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

    @Option(help: "Unfinished async jobs (pending, queued, executing) one user may have.")
    var jobsPerUser: Int = 50

    @Option(help: "Bytes of async results one user may keep (suffixes K, M, G, T: powers of 1024).")
    var resultBytesPerUser: ByteCount = ByteCount(10 << 30)

    @Option(help: "Token file of the users who may call the service (see 'skyshard token add').")
    var tokenFile: String?

    @Flag(help: "Require a bearer token on every query, job and table request (needs --token-file).")
    var requireToken = false

    func validate() throws {
        if requireToken && tokenFile == nil {
            throw ValidationError("--require-token needs --token-file FILE")
        }
        guard jobsPerUser >= 1 else { throw ValidationError("--jobs-per-user must be at least 1") }
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
        tokenFile: options.tokenFile, requireToken: options.requireToken)
    let server = try TAPServer(engine: EngineAdapter(engine: engine), configuration: configuration, logger: logger)
    if let tokenFile = options.tokenFile { logTokenFile(tokenFile, required: options.requireToken, logger: logger) }
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
    try await app.runService()
}

func jobLimits(_ options: ServiceOptions) -> JobLimits {
    var limits = JobLimits()
    limits.maxExecuting = max(1, options.executingJobs)
    limits.maxQueued = max(0, options.queuedJobs)
    limits.maxExecutionDuration = max(limits.maxExecutionDuration, options.queryTimeout)
    limits.defaultExecutionDuration = options.queryTimeout
    limits.maxJobsPerUser = options.jobsPerUser
    limits.maxResultBytesPerUser = options.resultBytesPerUser.bytes
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
