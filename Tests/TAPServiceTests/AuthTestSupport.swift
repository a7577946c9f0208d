import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TAPService
import TestSupport
import UWS
import Testing

/// One scratch folder for the process's authentication and ownership tests; each service
/// gets a fresh sub-folder (tests run in parallel).
private let authScratch = ScratchDirectory.make(prefix: "skyshard-auth-tests-")

/// Every message logged through it, with its metadata, at every level: what a test searches
/// for tokens that must never be logged.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "auth-test") { _ in RecordingLogHandler(recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recorder.append("\(event.level) \(event.message) \(rendered) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// Values collected from inside a test's client closure.
final class Collector<T: Sendable>: Sendable {
    private let values = Mutex<[T]>([])
    func append(_ value: T) { values.withLock { $0.append(value) } }
    var all: [T] { values.withLock { $0 } }
}

/// A service with a token file and a job store of its own, on a loopback socket.
struct AuthFixture: Sendable {
    let folder: URL
    let tokenFile: String
    let log = LogRecorder()
    var configuration: TAPServiceConfiguration

    init(requireToken: Bool, userHeader: String? = nil, limits: (inout JobLimits) -> Void = { _ in }) throws {
        folder = authScratch.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        tokenFile = folder.appendingPathComponent("tokens").path
        configuration = testConfiguration
        configuration.jobsDirectory = folder.appendingPathComponent("jobs").path
        configuration.tokenFile = tokenFile
        configuration.requireToken = requireToken
        configuration.userHeader = userHeader
        limits(&configuration.jobLimits)
    }

    /// Issues a token for `user` through the same code path as `skyshard token add`.
    func issue(_ user: String) throws -> String {
        try TokenFile.addToken(for: user, in: tokenFile).token.text
    }

    /// Revokes `user`'s tokens through the same code path as `skyshard token remove`.
    func revoke(_ user: String) throws {
        try TokenFile.removeTokens(of: user, in: tokenFile)
    }

    func run(
        _ engine: some TAPQueryEngine = TestEngine(), _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let server = try TAPServer(engine: engine, configuration: configuration, logger: log.logger)
        try await server.makeApplication().test(.live) { client in try await body(client) }
    }
}

/// Headers carrying `Authorization: Bearer <token>` (none for nil), plus the form type.
func bearer(_ token: String?, form: Bool = false) -> HTTPFields {
    var headers: HTTPFields = form ? formHeaders : [:]
    if let token { headers[.authorization] = "Bearer \(token)" }
    return headers
}

let syncURI = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])

extension TestClientProtocol {
    /// One request and its response (`execute` without a callback, whose generic result
    /// cannot be inferred inside a larger expression).
    func request(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    /// Creates a job with `parameters` as the caller of `headers`; returns its path
    /// (`/tap/async/<id>`).
    func createJob(
        _ headers: HTTPFields, run: Bool, _ parameters: [(String, String)] = [("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")]
    ) async throws -> String {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await execute(
            uri: "/tap/async", method: .post, headers: headers, body: formBody(parameters + (run ? [("PHASE", "RUN")] : [])))
        #expect(response.status == .seeOther, "\(response.text)")
        let location = try #require(response.headers[.location])
        let path = try #require(URL(string: location)?.path)
        return path
    }

    /// The job's phase once it has ended (long-polls with WAIT; no sleeping).
    func waitForEnd(_ jobPath: String, _ headers: HTTPFields) async throws -> String {
        for _ in 0..<60 {
            let response = try await request(uri: jobPath + "?WAIT=30", method: .get, headers: headers)
            #expect(response.status == .ok)
            let doc = try XMLTreeBuilder.parse(response.bytes)
            let phase = try #require(doc.first("uws:phase")?.text)
            if !["PENDING", "QUEUED", "EXECUTING"].contains(phase) { return phase }
        }
        Issue.record("\(jobPath) did not end")
        return ""
    }

    /// The ids of the job list as the caller of `headers` sees it.
    func jobIDs(_ headers: HTTPFields) async throws -> [String] {
        let response = try await request(uri: "/tap/async", method: .get, headers: headers)
        #expect(response.status == .ok)
        return try XMLTreeBuilder.parse(response.bytes).all("uws:jobref").compactMap { $0.attributes["id"] }
    }
}
