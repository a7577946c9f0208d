import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How one request ended: its answer's size, or why it failed (the key of "errors by kind").
enum Outcome: Sendable, Equatable {
    case ok(bytes: Int)
    case failed(String)
}

/// TAP requests over one shared `HTTPClient` (its pool keeps one keep-alive connection per
/// user, since each user has at most one request in flight).
struct TAPClient: Sendable {
    let http: HTTPClient
    /// The service's base URL without a trailing slash (`http://127.0.0.1:8080/tap`).
    let base: String
    let timeout: Duration

    /// The largest answer read: a load test's queries are small, a bigger answer is an error.
    static let maxBody = 64 * 1024 * 1024

    /// A sync query by GET, as a browser or `wrk` sends it; the whole answer is read.
    func sync(_ adql: String) async -> (Outcome, Duration) {
        let started = ContinuousClock.now
        let url = base + "/sync?REQUEST=doQuery&LANG=ADQL&QUERY=" + Self.escape(adql)
        do {
            let (status, body) = try await fetch(HTTPClientRequest(url: url))
            return (Self.judge(status: status, body: body), ContinuousClock.now - started)
        } catch {
            return (.failed(Self.describe(error)), ContinuousClock.now - started)
        }
    }

    /// An async job: created with PHASE=RUN, polled with WAIT (UWS 1.1 blocking) until it ends,
    /// and its result read; the time is to the result's last byte. The job is deleted after
    /// that (outside the time), so that a long run does not fill the job store.
    func asyncJob(_ adql: String) async -> (Outcome, Duration) {
        let started = ContinuousClock.now
        var job: String?
        var outcome: Outcome
        do {
            var create = HTTPClientRequest(url: base + "/async")
            create.method = .POST
            create.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let form = "REQUEST=doQuery&LANG=ADQL&PHASE=RUN&QUERY=" + Self.escape(adql)
            create.body = .bytes(ByteBuffer(string: form))
            let (status, headers, _) = try await exchange(create)
            if status == .seeOther, let location = headers.first(name: "Location") {
                job = location.hasPrefix("/") ? origin + location : location
                outcome = try await follow(job ?? "", started: started)
            } else {
                outcome = .failed("async create: HTTP \(status.code)")
            }
        } catch {
            outcome = .failed(Self.describe(error))
        }
        let elapsed = ContinuousClock.now - started
        if let job {
            var delete = HTTPClientRequest(url: job)
            delete.method = .DELETE
            _ = try? await fetch(delete)
        }
        return (outcome, elapsed)
    }

    /// Polls the job at `job` until it leaves PENDING/QUEUED/EXECUTING, then reads its result.
    private func follow(_ job: String, started: ContinuousClock.Instant) async throws -> Outcome {
        var phase = "PENDING"
        while ["PENDING", "QUEUED", "EXECUTING"].contains(phase) {
            guard ContinuousClock.now - started < timeout else { return .failed("timeout") }
            let (status, document) = try await fetch(HTTPClientRequest(url: job + "?WAIT=10&PHASE=" + phase))
            guard status == .ok else { return .failed("async poll: HTTP \(status.code)") }
            guard let now = Self.element("uws:phase", in: document) else { return .failed("async poll: no phase") }
            phase = now
        }
        guard phase == "COMPLETED" else { return .failed("job \(phase)") }
        let (status, result) = try await fetch(HTTPClientRequest(url: job + "/results/result"))
        return Self.judge(status: status, body: result)
    }

    /// `scheme://host:port` of the base URL, for a Location header given as a path.
    private var origin: String {
        guard let url = URL(string: base), let scheme = url.scheme, let host = url.host else { return base }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// A sync query whose answer the caller reads (the start-up queries): the body, or an error.
    func syncBody(_ adql: String) async throws -> String {
        let url = base + "/sync?REQUEST=doQuery&LANG=ADQL&QUERY=" + Self.escape(adql)
        let status: HTTPResponseStatus
        let body: String
        do {
            (status, body) = try await fetch(HTTPClientRequest(url: url))
        } catch {
            throw LoadTestError(.discovery, "\(base) does not answer (\(Self.describe(error))): is the service running?")
        }
        if case .failed(let why) = Self.judge(status: status, body: body) {
            throw LoadTestError(.discovery, "\(adql): \(why)\n\(body.prefix(600))")
        }
        return body
    }

    // MARK: - HTTP

    private func fetch(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, String) {
        let (status, _, body) = try await exchange(request)
        return (status, body)
    }

    private func exchange(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, HTTPHeaders, String) {
        let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let body = try await response.body.collect(upTo: Self.maxBody)
        return (response.status, response.headers, String(buffer: body))
    }

    /// A TAP answer is good when it is 200 and not a DALI error (not even one written after
    /// the rows started: `QUERY_STATUS=ERROR` at the end of a VOTable is a partial result).
    static func judge(status: HTTPResponseStatus, body: String) -> Outcome {
        guard status == .ok else { return .failed("HTTP \(status.code)") }
        if body.contains("name=\"QUERY_STATUS\" value=\"ERROR\"") { return .failed("QUERY_STATUS=ERROR") }
        guard body.contains("</VOTABLE>") else { return .failed("truncated answer") }
        return .ok(bytes: body.utf8.count)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timeout" }
            if error == .remoteConnectionClosed { return "connection closed" }
            return "client: \(error)"
        }
        if error is NIOTooManyBytesError { return "answer too large" }
        if let error = error as? IOError { return "connection: \(error.errnoCode)" }
        return "client: \(type(of: error))"
    }

    /// The text of `<name>…</name>` in a small XML document.
    static func element(_ name: String, in document: String) -> String? {
        guard let open = document.range(of: "<\(name)>"),
            let close = document.range(of: "</\(name)>", range: open.upperBound..<document.endIndex)
        else { return nil }
        return String(document[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
    }

    /// Percent-encoding for a query parameter's value (RFC 3986 unreserved characters kept).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension Duration {
    /// The whole nanoseconds of the duration (saturating at Int64's range).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : whole &+ attoseconds / 1_000_000_000
    }
}
