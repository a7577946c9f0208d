import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Synchronization
import TAPService
import Tabular

/// Every log record a test's server wrote, for the tests of the per-query log line.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ r: Record) { records.withLock { $0.append(r) } }

    /// The "query finished" lines.
    var finishedQueries: [Record] { all.filter { $0.message == "query finished" } }

    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "tap-operations-test") { _ in CapturingHandler(capture: self) }
        logger.logLevel = level
        return logger
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            for (k, v) in event.metadata ?? [:] { merged[k] = v }
            capture.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}

/// A stop signal a query can wait on: the reason, once given, and the readers blocked on it.
final class StopGate: Sendable {
    private let state = Mutex<(reason: QueryError?, waiters: [CheckedContinuation<QueryError, Never>])>((nil, []))

    var reason: QueryError? { state.withLock { $0.reason } }

    func stop(_ reason: QueryError) {
        let waiters = state.withLock { s -> [CheckedContinuation<QueryError, Never>] in
            guard s.reason == nil else { return [] }
            s.reason = reason
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    /// Returns the reason once the gate is stopped.
    func untilStopped() async -> QueryError {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> QueryError? in
                if let reason = s.reason { return reason }
                s.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

/// An engine with a query that runs until it is stopped, a progress to show, and a refusal by
/// the per-user limit; other queries are `TestEngine`'s.
///
/// `SELECT * FROM gated` sends one batch of five rows, then waits for its stop (through
/// `TAPRunningQuery.stop`, as an administrator's cancel or a shutdown stops it, or through
/// the result's cancel) and fails with the stop's reason. Its progress is 1 of 4 chunks.
struct GatedEngine: TAPQueryEngine {
    let gate = StopGate()
    let plain = TestEngine()

    func execute(_ request: TAPQueryRequest) async throws -> QueryResult { try await start(request).result }

    func start(_ request: TAPQueryRequest) async throws -> TAPRunningQuery {
        switch request.adql.trimmed().lowercased() {
        case "select * from crowded":
            throw QueryError(
                .unavailable, "you already have 8 queries running", context: ["admission": "queries-per-user"])
        case "select * from gated":
            let gate = self.gate
            let calls = Mutex(0)
            let result = QueryResult(
                fields: TestEngine.fields,
                batches: RowBatchSequence {
                    let n = calls.withLock { c -> Int in
                        c += 1
                        return c
                    }
                    if n == 1 { return TestEngine.batch(TestEngine.smallRows) }
                    throw await gate.untilStopped()
                }, onCancel: { gate.stop(QueryError(.cancelled, "the query was cancelled")) })
            return TAPRunningQuery(
                result: result, progress: { QueryProgress(chunksDone: 1, chunksTotal: 4) }, stop: { gate.stop($0) })
        default:
            return TAPRunningQuery(
                result: try await plain.execute(request), progress: { QueryProgress(chunksDone: 3, chunksTotal: 3) })
        }
    }
}

/// The test configuration with a user header (`X-User`) and `root` as the administrator.
var operationsConfiguration: TAPServiceConfiguration {
    var configuration = testConfiguration
    configuration.userHeader = "X-User"
    configuration.adminUsers = ["root"]
    return configuration
}

/// Runs `body` against a server of its own on a real loopback socket, with the server itself
/// (for `drain`), its metrics registry and its captured log.
func withOperationsService(
    _ engine: some TAPQueryEngine = GatedEngine(), configuration: TAPServiceConfiguration = operationsConfiguration,
    _ body: @escaping @Sendable (any TestClientProtocol, TAPServer, LogCapture) async throws -> Void
) async throws {
    let capture = LogCapture()
    let server = try TAPServer(
        engine: engine, configuration: configuration, logger: capture.logger(), metrics: PrometheusCollectorRegistry())
    try await server.makeApplication().test(.live) { client in try await body(client, server, capture) }
}

func user(_ name: String) -> HTTPFields {
    var headers = HTTPFields()
    headers[.init("X-User")!] = name
    return headers
}

/// A Prometheus text exposition read into `name{label="value",...}` (labels sorted) → value.
func parsePrometheus(_ text: String) -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        let key = line[..<space]
        guard let open = key.firstIndex(of: "{") else {
            samples[String(key)] = value
            continue
        }
        let name = key[..<open]
        let labels = key[key.index(after: open)..<(key.lastIndex(of: "}") ?? key.endIndex)]
            .split(separator: ",").map(String.init).sorted()
        samples["\(name){\(labels.joined(separator: ","))}"] = value
    }
    return samples
}
