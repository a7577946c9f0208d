import Hummingbird
import Tabular
import UWS

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The operators' endpoints, under the service's base path:
///
/// ```
/// GET    /metrics                          Prometheus metrics (text format), open to all
/// GET    /admin/queries                    running and queued queries, JSON (administrators)
/// POST   /admin/queries/{id}/cancel        cancels one: a sync query, or an async job
/// DELETE /admin/queries/{id}               the same
/// ```
///
/// An administrator is a user named in `configuration.adminUsers`, as `user(of:)` reads the
/// caller; anyone else, anonymous callers included, gets 403 with a DALI error document.
extension TAPServer {
    /// Adds the routes above; returns their paths.
    func addOperationsRoutes<Context: RequestContext>(
        open: some RouterMethods<Context>, guarded router: some RouterMethods<Context>, base: String
    ) -> [String] {
        let metricsPath = base + "/metrics"
        let list = base + "/admin/queries"
        open.get(RouterPath(metricsPath)) { _, _ in await self.metricsResponse() }
        router.get(RouterPath(list)) { request, _ in await self.adminQueries(request) }
        router.post(RouterPath(list + "/:id/cancel")) { request, context in
            await self.adminCancel(request, id: context.parameters.get("id") ?? "")
        }
        router.delete(RouterPath(list + "/:id")) { request, context in
            await self.adminCancel(request, id: context.parameters.get("id") ?? "")
        }
        return [metricsPath, list, list + "/:id/cancel", list + "/:id"]
    }

    // MARK: Metrics

    /// The registry in Prometheus' text format, its gauges first set from what runs now.
    func metricsResponse() async -> Response {
        let counts = await jobs?.activeCounts ?? (queued: 0, executing: 0)
        metrics.setRunning(sync: queries.count, executingJobs: counts.executing, queuedJobs: counts.queued)
        return Self.response(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", metrics.exposition())
    }

    // MARK: The admin view

    /// One running or queued query as the admin view lists it.
    struct AdminQuery: Codable, Sendable {
        var id: String
        /// `sync` or `async`.
        var kind: String
        var user: String?
        var adql: String
        /// `EXECUTING` (a sync query, or a job), or `QUEUED` (a job waiting for a slot).
        var phase: String
        var chunksDone: Int?
        var chunksTotal: Int?
        /// Since the query was admitted (sync) or the job started executing; for a queued job,
        /// since it was created.
        var elapsedSeconds: Double
        var started: String
    }

    struct AdminQueryList: Codable, Sendable {
        var queries: [AdminQuery]
    }

    struct AdminCancellation: Codable, Sendable {
        var id: String
        var kind: String
        var cancelled: Bool
    }

    /// The administrator making the request, or the refusal to give.
    private func administrator(of request: Request) -> Result<String, TAPServiceError> {
        guard let user = user(of: request) else {
            // With tokens, an anonymous caller is asked to authenticate (401); without, no
            // one could, so it is simply not allowed.
            let code: TAPServiceErrorCode = authenticator == nil ? .forbidden : .authenticationRequired
            return .failure(TAPServiceError(code, "The admin view needs an authenticated administrator."))
        }
        guard configuration.adminUsers.contains(user) else {
            return .failure(TAPServiceError(.forbidden, "User \(user) is not an administrator of this service."))
        }
        return .success(user)
    }

    /// An error of the admin view, as a DALI error document through the one mapping.
    private func adminFailure(_ error: any Error) -> Response {
        let answer = Self.answer(to: error, requestID: "admin")
        var response = Self.errorDocument(answer.status, answer.message)
        if let challenge = answer.challenge { response.headers[.wwwAuthenticate] = challenge }
        return response
    }

    func adminQueries(_ request: Request) async -> Response {
        if case .failure(let refusal) = administrator(of: request) { return adminFailure(refusal) }
        let now = Date()
        var listed = queries.entries.map { entry in
            let progress = entry.progress?()
            return AdminQuery(
                id: entry.id, kind: QueryRecord.Kind.sync.rawValue, user: entry.user, adql: entry.adql,
                phase: ExecutionPhase.executing.rawValue, chunksDone: progress?.chunksDone,
                chunksTotal: progress?.chunksTotal, elapsedSeconds: (ContinuousClock.now - entry.clock).seconds,
                started: UWSDocument.timestamp(entry.started))
        }
        for job in await jobs?.activeJobs() ?? [] {
            let since = job.startTime ?? job.creationTime
            listed.append(
                AdminQuery(
                    id: job.id, kind: QueryRecord.Kind.async.rawValue, user: job.owner,
                    adql: job.parameters.first { $0.name == "QUERY" }?.value ?? "", phase: job.phase.rawValue,
                    chunksDone: job.progress?.chunksDone, chunksTotal: job.progress?.chunksTotal,
                    elapsedSeconds: max(0, now.timeIntervalSince(since)), started: UWSDocument.timestamp(since)))
        }
        return json(AdminQueryList(queries: listed))
    }

    private func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let body = try? encoder.encode(value) else {
            return adminFailure(TAPServiceError(.engineFailure, "The answer cannot be written as JSON."))
        }
        return Self.response(.ok, contentType: "application/json", Array(body))
    }

    /// Cancels a sync query (its client gets an error saying so) or aborts an async job.
    func adminCancel(_ request: Request, id: String) async -> Response {
        let admin: String
        switch administrator(of: request) {
        case .success(let user): admin = user
        case .failure(let refusal): return adminFailure(refusal)
        }
        let kind: QueryRecord.Kind
        let reason = QueryError(.cancelled, "cancelled by an administrator of the service")
        if queries.stop(id, reason: reason) {
            kind = .sync
        } else if let jobs {
            do {
                try await jobs.abort(anyOwner: id)
            } catch {
                return adminFailure(error)
            }
            kind = .async
        } else {
            return adminFailure(TAPServiceError(.notFound, "No query \(id) is running."))
        }
        logger.notice("admin: query cancelled", metadata: ["query": "\(id)", "kind": "\(kind.rawValue)", "admin": "\(admin)"])
        return json(AdminCancellation(id: id, kind: kind.rawValue, cancelled: true))
    }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
