import Foundation
import Hummingbird
import Logging
import Tabular
import UWS
import VOTable

/// TAP's asynchronous endpoint: UWS 1.1 jobs under `/async`.
///
/// ```
/// GET  /async                      the caller's jobs (PHASE, AFTER, LAST filters)
/// POST /async                      a new job (PHASE=RUN also starts it) → 303 to the job
/// GET  /async/{id}                 the job document (WAIT=n long-polls while it may change)
/// POST /async/{id}                 PHASE=RUN|ABORT, ACTION=DELETE, DESTRUCTION, EXECUTIONDURATION, parameters
/// DELETE /async/{id}               → 303 to the job list
/// GET  /async/{id}/phase|quote|executionduration|destruction|owner|error|parameters|results
/// POST /async/{id}/phase|executionduration|destruction|parameters
/// GET  /async/{id}/results/result  the result file
/// ```
extension TAPServer {
    /// Parameters that steer the job service rather than the query; not kept as job parameters.
    /// ACCESS_TOKEN (RFC 6750's form parameter, which this service does not accept: tokens go
    /// in the Authorization header) is dropped too, so that a token sent that way is never
    /// stored or shown in a job document.
    static let controlParameters: Set<String> = ["PHASE", "ACTION", "WAIT", "ACCESS_TOKEN"]

    /// Adds the `/async` routes; returns their paths.
    func addAsyncRoutes<Context: RequestContext>(to router: some RouterMethods<Context>, base: String) -> [String] {
        let async = base + "/async"
        router.get(RouterPath(async)) { request, _ in await self.listJobs(request) }
        router.post(RouterPath(async)) { request, _ in await self.createJob(request) }
        router.get(RouterPath(async + "/:job")) { request, context in
            await self.showJob(request, id: context.parameters.get("job") ?? "")
        }
        router.post(RouterPath(async + "/:job")) { request, context in
            await self.changeJob(request, id: context.parameters.get("job") ?? "", child: nil)
        }
        router.delete(RouterPath(async + "/:job")) { request, context in
            await self.deleteJob(request, id: context.parameters.get("job") ?? "")
        }
        router.get(RouterPath(async + "/:job/:child")) { request, context in
            await self.showChild(
                request, id: context.parameters.get("job") ?? "", child: context.parameters.get("child") ?? "")
        }
        router.post(RouterPath(async + "/:job/:child")) { request, context in
            await self.changeJob(
                request, id: context.parameters.get("job") ?? "", child: context.parameters.get("child") ?? "")
        }
        // (The router does not fall back from the literal `results` to `:child`.)
        router.get(RouterPath(async + "/:job/results")) { request, context in
            await self.showChild(request, id: context.parameters.get("job") ?? "", child: "results")
        }
        router.get(RouterPath(async + "/:job/results/:result")) { request, context in
            await self.resultFile(
                request, id: context.parameters.get("job") ?? "", result: context.parameters.get("result") ?? "")
        }
        return ["", "/:job", "/:job/:child", "/:job/results", "/:job/results/:result"].map { async + $0 }
    }

    func asyncURL(for request: Request) -> String { tapURL(for: request) + "/async" }

    /// The answer when the service runs no job store.
    static var noJobService: Response { errorDocument(.notFound, "This service runs no asynchronous jobs.") }

    // MARK: The job list

    func listJobs(_ request: Request) async -> Response {
        guard let jobs else { return Self.noJobService }
        // PHASE may repeat: read every value, not the first only.
        var phases: Set<ExecutionPhase>?
        var after: Date?
        var last: Int?
        for (name, value) in Self.queryPairs(request) {
            switch name.uppercased() {
            case "PHASE":
                guard let phase = ExecutionPhase(rawValue: value.uppercased()) else {
                    return Self.errorDocument(.badRequest, "PHASE=\(value) is not a UWS phase.")
                }
                phases = (phases ?? []).union([phase])
            case "AFTER":
                guard let date = UWSDocument.parseTimestamp(value) else {
                    return Self.errorDocument(.badRequest, "AFTER=\(value) is not an ISO 8601 timestamp.")
                }
                after = date
            case "LAST":
                guard let n = Int(value), n >= 0 else {
                    return Self.errorDocument(.badRequest, "LAST=\(value) must be a non-negative integer.")
                }
                last = n
            default: continue
            }
        }
        let list = await jobs.list(owner: user(of: request), phases: phases, after: after, last: last)
        return Self.response(
            .ok, contentType: "text/xml; charset=utf-8", UWSDocument.jobList(list, asyncURL: asyncURL(for: request)))
    }

    // MARK: Creating and changing jobs

    func createJob(_ request: Request) async -> Response {
        guard let jobs else { return Self.noJobService }
        guard queries.isAccepting else { return uwsFailure(Self.shuttingDownError) }
        let parameters: DALIParameters
        switch await readParameters(request) {
        case .success(let p): parameters = p
        case .failure(let error): return uwsFailure(error)
        }
        do {
            let (kept, uploads) = try jobParameters(parameters, existing: nil)
            let job = try await jobs.create(
                owner: user(of: request), runID: parameters["RUNID"], parameters: kept, uploads: uploads)
            do {
                if let value = parameters["EXECUTIONDURATION"] {
                    try await jobs.setExecutionDuration(job.id, owner: job.owner, seconds: try Self.seconds(value))
                }
                if let value = parameters["DESTRUCTION"] {
                    try await jobs.setDestruction(job.id, owner: job.owner, try Self.timestamp(value))
                }
                if let phase = parameters["PHASE"] {
                    try await changePhase(jobs, job.id, owner: job.owner, to: phase)
                }
            } catch {
                // Refused after all (a full queue, a bad EXECUTIONDURATION): the client gets the
                // error and never learns the job's address, so the job must not stay behind,
                // PENDING for ever and counted against the owner's quota.
                try? await jobs.delete(job.id, owner: job.owner)
                throw error
            }
            logger.info("async job created", metadata: ["job": "\(job.id)", "phase": "\(parameters["PHASE"] ?? "PENDING")"])
            return Self.seeOther(asyncURL(for: request) + "/" + job.id)
        } catch {
            return uwsFailure(error)
        }
    }

    /// POST to a job or one of its children.
    func changeJob(_ request: Request, id: String, child: String?) async -> Response {
        guard let jobs else { return Self.noJobService }
        let parameters: DALIParameters
        switch await readParameters(request) {
        case .success(let p): parameters = p
        case .failure(let error): return uwsFailure(error)
        }
        let owner = user(of: request)
        let jobURL = asyncURL(for: request) + "/" + id
        do {
            // Another owner's job is "not found" whatever the POST holds, before it is read.
            _ = try await jobs.job(id, owner: owner)
            switch child?.lowercased() {
            case nil:
                if let action = parameters["ACTION"] {
                    guard action.uppercased() == "DELETE" else {
                        return Self.errorDocument(.badRequest, "ACTION=\(action) is not supported; ACTION=DELETE is.")
                    }
                    try await jobs.delete(id, owner: owner)
                    return Self.seeOther(asyncURL(for: request))
                }
                if let value = parameters["EXECUTIONDURATION"] {
                    try await jobs.setExecutionDuration(id, owner: owner, seconds: try Self.seconds(value))
                }
                if let value = parameters["DESTRUCTION"] {
                    try await jobs.setDestruction(id, owner: owner, try Self.timestamp(value))
                }
                let (others, uploads) = try jobParameters(
                    parameters, existing: try await jobs.job(id, owner: owner),
                    leaving: ["EXECUTIONDURATION", "DESTRUCTION"])
                if !others.isEmpty {
                    try await jobs.setParameters(id, owner: owner, others, uploads: uploads)
                }
                if let phase = parameters["PHASE"] { try await changePhase(jobs, id, owner: owner, to: phase) }
            case "phase":
                guard let phase = parameters["PHASE"] else {
                    return Self.errorDocument(.badRequest, "POST to phase needs PHASE=RUN or PHASE=ABORT.")
                }
                try await changePhase(jobs, id, owner: owner, to: phase)
            case "executionduration":
                guard let value = parameters["EXECUTIONDURATION"] else {
                    return Self.errorDocument(.badRequest, "POST to executionduration needs EXECUTIONDURATION=seconds.")
                }
                try await jobs.setExecutionDuration(id, owner: owner, seconds: try Self.seconds(value))
            case "destruction":
                guard let value = parameters["DESTRUCTION"] else {
                    return Self.errorDocument(.badRequest, "POST to destruction needs DESTRUCTION=timestamp.")
                }
                try await jobs.setDestruction(id, owner: owner, try Self.timestamp(value))
            case "parameters":
                let (given, uploads) = try jobParameters(parameters, existing: try await jobs.job(id, owner: owner))
                try await jobs.setParameters(id, owner: owner, given, uploads: uploads)
            default:
                return Self.errorDocument(.notFound, "Job \(id) has no \(child ?? "") to change.")
            }
            return Self.seeOther(jobURL)
        } catch {
            return uwsFailure(error)
        }
    }

    func deleteJob(_ request: Request, id: String) async -> Response {
        guard let jobs else { return Self.noJobService }
        do {
            try await jobs.delete(id, owner: user(of: request))
            return Self.seeOther(asyncURL(for: request))
        } catch {
            return uwsFailure(error)
        }
    }

    /// The job parameters that a POST sets (all but the control parameters and `leaving`), and
    /// the uploaded tables it sends, each read and checked now so that a bad table is refused
    /// at once rather than when the job runs. UPLOAD is kept as the tables' list
    /// (`a,param:a;b,param:b`), never their contents; a job's later POST adds tables to those it
    /// has (one of the same name replaces the earlier), within `upload-max-tables` for all.
    /// A plain field that holds a table (`param:` naming a field, not a file) is not kept as a
    /// parameter either.
    func jobParameters(
        _ parameters: DALIParameters, existing job: Job?, leaving: Set<String> = []
    ) throws(TAPServiceError) -> (parameters: [JobParameter], uploads: [JobUpload]) {
        let limits = configuration.uploadLimits
        var values = parameters.values.filter { !Self.controlParameters.contains($0.key) && !leaving.contains($0.key) }
        var uploads: [JobUpload] = []
        if !parameters.uploads.isEmpty {
            let given = try Uploads.specs(parameters.uploads, limits: limits, accepted: engine.acceptsUploads)
            var bytes = 0
            for spec in given {
                let content = try Uploads.content(of: spec, in: parameters)
                bytes += content.count
                guard bytes <= limits.maxBytes else { throw Uploads.bytesLimitError(limits) }
                _ = try Uploads.read(spec, from: .bytes(content), limits: limits)
                uploads.append(JobUpload(name: spec.fileName, bytes: content))
                values[spec.part.uppercased()] = nil
            }
            let earlier =
                try job?.parameter("UPLOAD").map { value throws(TAPServiceError) in
                    try Uploads.specs([value], limits: UploadLimits(maxTables: .max))
                } ?? []
            let kept = earlier.filter { old in !given.contains { $0.name.lowercased() == old.name.lowercased() } }
            let all = try Uploads.specs([(kept + given).map(\.parameterText).joined(separator: ";")], limits: limits)
            values["UPLOAD"] = all.map(\.parameterText).joined(separator: ";")
        }
        let kept = values.sorted { $0.key < $1.key }.map { JobParameter(name: $0.key, value: $0.value) }
        return (kept, uploads)
    }

    private func changePhase(_ jobs: JobManager, _ id: String, owner: String?, to phase: String) async throws {
        switch phase.uppercased() {
        case "RUN":
            guard queries.isAccepting else { throw Self.shuttingDownError }
            try await jobs.run(id, owner: owner)
        case "ABORT": try await jobs.abort(id, owner: owner)
        default: throw UWSError(.badRequest, "PHASE=\(phase) cannot be set; use PHASE=RUN or PHASE=ABORT.")
        }
    }

    // MARK: Reading jobs

    func showJob(_ request: Request, id: String) async -> Response {
        guard let jobs else { return Self.noJobService }
        let owner = user(of: request)
        do {
            var job: Job
            let pairs = Self.queryPairs(request)
            if let wait = pairs.last(where: { $0.name.uppercased() == "WAIT" })?.value {
                guard let seconds = Double(wait) else {
                    return Self.errorDocument(.badRequest, "WAIT=\(wait) must be a number of seconds.")
                }
                var phase: ExecutionPhase?
                if let p = pairs.last(where: { $0.name.uppercased() == "PHASE" })?.value {
                    guard let parsed = ExecutionPhase(rawValue: p.uppercased()) else {
                        return Self.errorDocument(.badRequest, "PHASE=\(p) is not a UWS phase.")
                    }
                    phase = parsed
                }
                let timeout: Duration = seconds < 0 ? .seconds(-1) : .milliseconds(Int64(min(seconds, 1e6) * 1000))
                job = try await jobs.wait(id, owner: owner, phase: phase, timeout: timeout)
            } else {
                job = try await jobs.job(id, owner: owner)
            }
            let body = UWSDocument.job(job, jobURL: asyncURL(for: request) + "/" + id)
            return Self.response(.ok, contentType: "text/xml; charset=utf-8", body)
        } catch {
            return uwsFailure(error)
        }
    }

    /// The caller's job `id`, or the answer to give instead.
    private func lookUp(_ id: String, for request: Request) async -> Result<(JobManager, Job), Refusal> {
        guard let jobs else { return .failure(Refusal(response: Self.noJobService)) }
        do {
            return .success((jobs, try await jobs.job(id, owner: user(of: request))))
        } catch {
            return .failure(Refusal(response: uwsFailure(error)))
        }
    }

    struct Refusal: Error { var response: Response }

    func showChild(_ request: Request, id: String, child: String) async -> Response {
        let job: Job
        switch await lookUp(id, for: request) {
        case .success(let found): job = found.1
        case .failure(let refusal): return refusal.response
        }
        let jobURL = asyncURL(for: request) + "/" + id
        switch child.lowercased() {
        case "phase": return Self.plainText(job.phase.rawValue)
        case "quote": return Self.plainText(job.quote.map(UWSDocument.timestamp) ?? "")
        case "executionduration": return Self.plainText(String(job.executionDuration))
        case "destruction": return Self.plainText(UWSDocument.timestamp(job.destruction))
        case "owner": return Self.plainText(job.owner ?? "")
        case "runid": return Self.plainText(job.runID ?? "")
        case "parameters": return Self.response(.ok, contentType: "text/xml; charset=utf-8", UWSDocument.parameters(of: job))
        case "results":
            return Self.response(.ok, contentType: "text/xml; charset=utf-8", UWSDocument.results(of: job, jobURL: jobURL))
        case "error":
            guard let error = job.error, job.phase == .error else {
                return Self.errorDocument(.notFound, "Job \(id) has no error: it is \(job.phase.rawValue).")
            }
            // The error document itself is what was asked for: it comes with 200.
            return Self.errorDocument(.ok, error.message)
        default:
            return Self.errorDocument(.notFound, "Job \(id) has no \(child).")
        }
    }

    func resultFile(_ request: Request, id: String, result: String) async -> Response {
        let (jobs, job): (JobManager, Job)
        switch await lookUp(id, for: request) {
        case .success(let found): (jobs, job) = found
        case .failure(let refusal): return refusal.response
        }
        guard job.phase == .completed, let entry = job.results.first(where: { $0.id == result }) else {
            return Self.errorDocument(.notFound, "Job \(id) has no result \(result) (it is \(job.phase.rawValue)).")
        }
        let file = jobs.store.resultFile(of: id, named: entry.fileName)
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            return Self.errorDocument(.internalServerError, "The result of job \(id) cannot be read.")
        }
        let chunk = 256 * 1024
        let body = ResponseBody { writer in
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: chunk), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: entry.mediaType]
        headers[.contentLength] = String(entry.size)
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Helpers

    /// The answer for an error of the job service (or of reading the request), logged when it
    /// is the service's fault.
    func uwsFailure(_ error: any Error) -> Response {
        let answer = Self.answer(to: error, requestID: "async")
        if let error = error as? UWSError, error.code == .limitReached { metrics.refused(.jobQueueFull) }
        if let error = error as? UWSError, error.code == .quotaExceeded { metrics.refused(.jobQuota) }
        if let error = error as? TAPServiceError, error.code == .shuttingDown { metrics.refused(.shuttingDown) }
        if answer.status.code >= 500 {
            logger.error("async: \(answer.message)", metadata: ["detail": "\(answer.logDetail ?? "")"])
        }
        return Self.errorDocument(answer.status, answer.message)
    }

    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func plainText(_ text: String) -> Response {
        response(.ok, contentType: "text/plain; charset=utf-8", Array(text.utf8))
    }

    /// Every `name=value` pair of the query string, repeats included, in order.
    static func queryPairs(_ request: Request) -> [(name: String, value: String)] {
        guard let query = request.uri.query else { return [] }
        return query.utf8.split(separator: UInt8(ascii: "&")).map { pair in
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let name = DALIParameters.percentDecode(eq.map { pair[pair.startIndex..<$0] } ?? pair[...])
            let value = eq.map { DALIParameters.percentDecode(pair[pair.index(after: $0)...]) } ?? ""
            return (name, value)
        }
    }

    static func seconds(_ text: String) throws -> Int {
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw UWSError(.badRequest, "EXECUTIONDURATION=\(text) must be a whole number of seconds.")
        }
        return n
    }

    static func timestamp(_ text: String) throws -> Date {
        guard let date = UWSDocument.parseTimestamp(text) else {
            throw UWSError(.badRequest, "DESTRUCTION=\(text) is not an ISO 8601 timestamp.")
        }
        return date
    }
}
