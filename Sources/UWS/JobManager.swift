import Tabular

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The UWS job service: it owns every job's phase, runs queued jobs through a `JobRunner` a
/// bounded number at a time, and keeps each change on disk (`JobStore`) before it is shown,
/// so that a restart, even after `kill -9`, finds every job as it was last reported.
///
/// Phases: PENDING → (RUN) → QUEUED → EXECUTING → COMPLETED / ERROR; ABORT from any of the
/// first three → ABORTED. A caller sees only the jobs of its owner; another owner's job is
/// "not found", the same answer as for a job that does not exist.
public actor JobManager {
    public nonisolated let store: JobStore
    public nonisolated let limits: JobLimits
    let runner: any JobRunner

    private var jobs: [String: Job] = [:]
    /// QUEUED jobs in the order they are to run.
    private var queue: [String] = []
    private var executing: [String: (task: Task<Void, Never>, progress: JobProgress)] = [:]
    /// Callers blocked in `wait`, by job.
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    private var nextWaiter = 0
    private var sweeper: Task<Void, Never>?
    /// Set by `holdQueue` (a shutdown): queued jobs stay QUEUED, none is started.
    private var holding = false
    /// Callers of `untilNoneExecuting`, by token.
    private var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]

    /// What `recover` found on disk.
    public struct Recovery: Sendable {
        public var jobs = 0
        /// Jobs that were executing when the service stopped, now in ERROR.
        public var interrupted: [String] = []
        /// Jobs that were queued, queued again.
        public var requeued: [String] = []
        /// Job folders whose record could not be read (left on disk).
        public var unreadable: [String] = []
    }

    public init(store: JobStore, runner: any JobRunner, limits: JobLimits = JobLimits()) {
        self.store = store
        self.runner = runner
        self.limits = limits
    }

    // MARK: Start-up

    /// Loads the jobs on disk and makes their phases true again: a job that was EXECUTING
    /// when the service stopped ends in ERROR ("interrupted by restart"; its query is not run
    /// twice behind the user's back), a QUEUED job is queued again, a COMPLETED job whose
    /// result is missing ends in ERROR. Then starts the queue and the destruction sweep.
    @discardableResult
    public func recover() -> Recovery {
        var report = Recovery()
        let (loaded, unreadable) = store.loadAll()
        report.unreadable = unreadable
        let now = Date()
        for var job in loaded.sorted(by: { $0.creationTime < $1.creationTime }) {
            switch job.phase {
            case .executing:
                job.phase = .error
                job.endTime = now
                job.error = JobErrorSummary(
                    kind: .transient,
                    message:
                        "interrupted by restart: the service stopped while this job was executing; its query did not finish. Run it again as a new job."
                )
                report.interrupted.append(job.id)
                try? store.save(job)
            case .queued:
                queue.append(job.id)
                report.requeued.append(job.id)
            case .completed:
                let missing = job.results.filter { store.resultSize(of: job.id, named: $0.fileName) != $0.size }
                if !missing.isEmpty {
                    job.phase = .error
                    job.results = []
                    job.error = JobErrorSummary(kind: .transient, message: "the job's result was lost; run it again")
                    try? store.save(job)
                }
            default: break
            }
            jobs[job.id] = job
        }
        report.jobs = jobs.count
        startSweeper()
        pump()
        return report
    }

    private func startSweeper() {
        guard sweeper == nil else { return }
        let interval = limits.sweepInterval
        sweeper = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await self?.destroyExpired()
            }
        }
    }

    /// Stops the sweep and every executing job (the service is shutting down).
    public func shutdown() {
        sweeper?.cancel()
        sweeper = nil
        for (_, running) in executing { running.task.cancel() }
    }

    // MARK: Shutdown

    /// Starts no more jobs: QUEUED ones stay QUEUED (on disk too), to run after the next start.
    public func holdQueue() { holding = true }

    /// Returns once no job is executing, or when the waiting task is cancelled.
    public func untilNoneExecuting() async {
        guard !executing.isEmpty else { return }
        let token = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                idleWaiters[token] = c
            }
        } onCancel: {
            Task { [weak self] in await self?.wakeIdle(token) }
        }
    }

    private func wakeIdle(_ token: Int) { idleWaiters.removeValue(forKey: token)?.resume() }

    /// Ends every executing job in ERROR with `message` (kept on disk before the job is stopped,
    /// so that what the next start finds is what happened), stops the destruction sweep, and
    /// returns once the stopped jobs' tasks have ended (their partial results removed).
    /// Returns the ids of the jobs it interrupted.
    @discardableResult
    public func interruptExecuting(message: String) async -> [String] {
        holding = true
        sweeper?.cancel()
        sweeper = nil
        var interrupted: [String] = []
        var tasks: [Task<Void, Never>] = []
        for (id, running) in executing {
            if var job = jobs[id], job.phase == .executing {
                job.phase = .error
                job.endTime = Date()
                job.progress = running.progress.current ?? job.progress
                job.error = JobErrorSummary(kind: .transient, message: message)
                try? commit(job)
                interrupted.append(id)
            }
            running.task.cancel()
            tasks.append(running.task)
        }
        for task in tasks { await task.value }
        return interrupted.sorted()
    }

    // MARK: The admin view

    /// Every owner's QUEUED and EXECUTING jobs, oldest first, with their live progress.
    public func activeJobs() -> [Job] {
        jobs.values.filter { $0.phase.isActive }
            .map { job in
                var job = job
                if let live = executing[job.id]?.progress.current { job.progress = live }
                return job
            }
            .sorted { ($0.creationTime, $0.id) < ($1.creationTime, $1.id) }
    }

    /// Jobs QUEUED and EXECUTING now.
    public var activeCounts: (queued: Int, executing: Int) { (queue.count, executing.count) }

    /// Aborts job `id` whoever owns it (an administrator's cancel), as `abort` does; only a
    /// QUEUED or EXECUTING job is found.
    public func abort(anyOwner id: String) throws {
        guard let job = jobs[id], job.phase.isActive else {
            throw UWSError(.notFound, "no query or job \(id) is running or queued")
        }
        try abort(id, owner: job.owner)
    }

    // MARK: Jobs

    /// A new PENDING job of `owner` with `parameters`, and the files the client sent with it
    /// (`uploads`), written to the job's folder before its record. Refused (`quotaExceeded`)
    /// when the owner already has `limits.maxJobsPerUser` unfinished jobs, or keeps more
    /// result bytes than `limits.maxResultBytesPerUser`.
    public func create(
        owner: String?, runID: String?, parameters: [JobParameter], uploads: [JobUpload] = []
    ) throws -> Job {
        let unfinished = jobs.values.count(where: { $0.owner == owner && !$0.phase.isFinal })
        guard unfinished < limits.maxJobsPerUser else {
            throw UWSError(
                .quotaExceeded,
                "quota of unfinished jobs per user reached: you have \(unfinished) jobs that are pending, queued or "
                    + "executing, the most one user may have (\(limits.maxJobsPerUser)); run, abort or delete some first")
        }
        try checkResultQuota(of: owner)
        evictOldestFinished(of: owner, keeping: limits.maxKeptJobsPerUser - 1)
        let now = Date()
        var job = Job(
            id: Self.newID(), runID: runID, owner: owner, phase: .pending, creationTime: now,
            executionDuration: limits.defaultExecutionDuration, destruction: now + limits.defaultRetention.seconds,
            parameters: [], results: [])
        for p in parameters { job.setParameter(p.name, p.value) }
        do {
            if !uploads.isEmpty { try store.storeUploads(uploads, of: job.id) }
            try store.save(job)
        } catch {
            store.remove(job.id)
            throw error
        }
        jobs[job.id] = job
        return job
    }

    /// The job as the caller may see it, with its live progress while it executes.
    public func job(_ id: String, owner: String?) throws -> Job {
        var job = try owned(id, owner)
        if let live = executing[id]?.progress.current { job.progress = live }
        return job
    }

    /// The caller's jobs, oldest first: only those in `phases` (all but ARCHIVED when nil),
    /// created after `after`, and of those the `last` most recently created.
    public func list(owner: String?, phases: Set<ExecutionPhase>? = nil, after: Date? = nil, last: Int? = nil) -> [Job] {
        var selected = jobs.values.filter { job in
            guard job.owner == owner else { return false }
            if let phases {
                guard phases.contains(job.phase) else { return false }
            } else if job.phase == .archived {
                return false
            }
            if let after, job.creationTime <= after { return false }
            return true
        }
        selected.sort { ($0.creationTime, $0.id) < ($1.creationTime, $1.id) }
        if let last, last >= 0, selected.count > last { selected = Array(selected.suffix(last)) }
        return selected
    }

    /// PENDING → QUEUED; the job runs when an executing slot is free. A job already queued or
    /// executing is left as it is; a finished one cannot be run again.
    public func run(_ id: String, owner: String?) throws {
        var job = try owned(id, owner)
        switch job.phase {
        case .queued, .executing: return
        case .pending, .held:
            try checkResultQuota(of: owner)
            guard queue.count < limits.maxQueued else {
                throw UWSError(
                    .limitReached,
                    "the queue already holds \(limits.maxQueued) jobs, the most it takes; run this job again later")
            }
            job.phase = .queued
            try commit(job)
            queue.append(id)
            pump()
        default:
            throw UWSError(
                .wrongPhase, "job \(id) is \(job.phase.rawValue) and cannot be run again; create a new job")
        }
    }

    /// Stops the job: a pending, queued or executing job ends ABORTED. A finished job is
    /// left as it is.
    public func abort(_ id: String, owner: String?) throws {
        var job = try owned(id, owner)
        guard job.phase == .pending || job.phase == .queued || job.phase == .executing || job.phase == .held else {
            return
        }
        job.phase = .aborted
        job.endTime = Date()
        job.progress = executing[id]?.progress.current ?? job.progress
        try commit(job)
        queue.removeAll { $0 == id }
        executing[id]?.task.cancel()
    }

    /// Removes the job and its files, aborting it first if it runs.
    public func delete(_ id: String, owner: String?) throws {
        _ = try owned(id, owner)
        remove(id)
    }

    /// Replaces or adds parameters of a PENDING job, and adds (or replaces, by name) files
    /// sent with it, written before the record that names them.
    public func setParameters(
        _ id: String, owner: String?, _ parameters: [JobParameter], uploads: [JobUpload] = []
    ) throws {
        var job = try owned(id, owner)
        guard job.phase == .pending else {
            throw UWSError(
                .wrongPhase, "the parameters of job \(id) cannot change: it is \(job.phase.rawValue), not PENDING")
        }
        for p in parameters { job.setParameter(p.name, p.value) }
        if !uploads.isEmpty { try store.storeUploads(uploads, of: id) }
        try commit(job)
    }

    /// Sets the execution duration of a PENDING job (seconds, 0 = the longest allowed); the
    /// service's maximum applies. Returns the value in force.
    @discardableResult
    public func setExecutionDuration(_ id: String, owner: String?, seconds: Int) throws -> Int {
        var job = try owned(id, owner)
        guard job.phase == .pending else {
            throw UWSError(
                .wrongPhase, "the execution duration of job \(id) cannot change: it is \(job.phase.rawValue), not PENDING")
        }
        guard seconds >= 0 else {
            throw UWSError(.badRequest, "EXECUTIONDURATION must be a number of seconds ≥ 0, not \(seconds)")
        }
        job.executionDuration = seconds == 0 ? limits.maxExecutionDuration : min(seconds, limits.maxExecutionDuration)
        try commit(job)
        return job.executionDuration
    }

    /// Sets when the job is destroyed; no later than the service's retention allows.
    @discardableResult
    public func setDestruction(_ id: String, owner: String?, _ date: Date) throws -> Date {
        var job = try owned(id, owner)
        job.destruction = min(date, job.creationTime + limits.maxRetention.seconds)
        try commit(job)
        return job.destruction
    }

    /// Blocks until the job's phase changes or `timeout` passes (capped by `limits.maxWait`; a
    /// negative timeout means the cap), then returns the job. Only a job that is PENDING,
    /// QUEUED or EXECUTING is waited on, and with `phase` only while it is in that phase.
    /// Holds no thread: the caller's task is suspended.
    public func wait(_ id: String, owner: String?, phase: ExecutionPhase? = nil, timeout: Duration) async throws -> Job {
        let job = try self.job(id, owner: owner)
        let blocking = job.phase == .pending || job.phase.isActive
        guard blocking, phase == nil || phase == job.phase else { return job }
        let limit = timeout < .zero ? limits.maxWait : min(timeout, limits.maxWait)
        guard limit > .zero else { return job }
        let token = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: limit) } catch { return }
            await self?.wake(id, token)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                waiters[id, default: [:]][token] = c
            }
        } onCancel: {
            Task { [weak self] in await self?.wake(id, token) }
        }
        timer.cancel()
        // Removed meanwhile (deleted, destroyed): not found, like any other request after it.
        return try self.job(id, owner: owner)
    }

    /// Bytes of results that `owner`'s jobs keep on disk.
    public func retainedResultBytes(of owner: String?) -> Int64 {
        jobs.values.lazy.filter { $0.owner == owner }.reduce(0) { sum, job in
            sum + job.results.reduce(0) { $0 + $1.size }
        }
    }

    // MARK: Inside

    private func checkResultQuota(of owner: String?) throws {
        let retained = retainedResultBytes(of: owner)
        guard retained <= limits.maxResultBytesPerUser else {
            throw UWSError(
                .quotaExceeded,
                "quota of result bytes per user reached: your jobs keep \(retained) bytes of results, more than the "
                    + "\(limits.maxResultBytesPerUser) one user may keep; delete finished jobs to make room")
        }
    }

    private func owned(_ id: String, _ owner: String?) throws -> Job {
        guard let job = jobs[id], job.owner == owner else {
            throw UWSError(.notFound, "there is no job \(id)")
        }
        return job
    }

    /// Stores `job`, then shows it: a change a caller sees is on disk.
    private func commit(_ job: Job) throws {
        let phaseChanged = jobs[job.id]?.phase != job.phase
        try store.save(job)
        jobs[job.id] = job
        if phaseChanged { wakeAll(job.id) }
    }

    private func wake(_ id: String, _ token: Int) {
        waiters[id]?.removeValue(forKey: token)?.resume()
    }

    private func wakeAll(_ id: String) {
        guard let blocked = waiters.removeValue(forKey: id) else { return }
        for c in blocked.values { c.resume() }
    }

    private func remove(_ id: String) {
        queue.removeAll { $0 == id }
        executing[id]?.task.cancel()
        jobs[id] = nil
        store.remove(id)
        wakeAll(id)
    }

    /// Destroys `owner`'s oldest finished jobs until it has at most `keeping` jobs (unfinished
    /// ones are never destroyed here: `maxJobsPerUser` bounds them).
    private func evictOldestFinished(of owner: String?, keeping: Int) {
        let owned = jobs.values.filter { $0.owner == owner }
        guard owned.count > keeping else { return }
        let finished = owned.filter(\.phase.isFinal).sorted { ($0.creationTime, $0.id) < ($1.creationTime, $1.id) }
        for job in finished.prefix(owned.count - max(0, keeping)) { remove(job.id) }
    }

    /// Jobs of `owner` kept now, finished ones included.
    public func keptJobCount(of owner: String?) -> Int { jobs.values.count(where: { $0.owner == owner }) }

    func destroyExpired(now: Date = Date()) {
        for job in jobs.values where job.destruction <= now { remove(job.id) }
    }

    /// Starts queued jobs while executing slots are free.
    private func pump() {
        while !holding, executing.count < limits.maxExecuting, !queue.isEmpty {
            let id = queue.removeFirst()
            guard var job = jobs[id], job.phase == .queued else { continue }
            job.phase = .executing
            job.startTime = Date()
            do {
                try commit(job)
            } catch {
                continue
            }
            let progress = JobProgress()
            let started = job
            let task = Task { await self.execute(started, progress: progress) }
            executing[id] = (task, progress)
        }
    }

    /// Runs one job to its end and records how it ended, unless it was aborted or destroyed
    /// meanwhile (then its partial result is dropped).
    private func execute(_ job: Job, progress: JobProgress) async {
        let partial = store.partialResult(of: job.id)
        let limit: Duration? = job.executionDuration > 0 ? .seconds(job.executionDuration) : nil
        let outcome: Result<JobOutput, any Error>
        do {
            outcome = .success(try await runner.run(job, writingTo: partial, timeLimit: limit, progress: progress))
        } catch {
            outcome = .failure(error)
        }
        executing[job.id] = nil
        if executing.isEmpty {
            let waiting = idleWaiters.values
            idleWaiters = [:]
            for c in waiting { c.resume() }
        }
        defer { pump() }
        guard var current = jobs[job.id], current.phase == .executing else {
            try? FileManager.default.removeItem(at: partial)
            return
        }
        current.endTime = Date()
        current.progress = progress.current ?? current.progress
        switch outcome {
        case .success(let output):
            let name = "result." + output.fileExtension
            do {
                let size = try store.publishResult(of: job.id, as: name)
                current.results = [
                    JobResult(
                        id: "result", fileName: name, mediaType: output.mediaType, size: size, rows: output.rows,
                        overflow: output.overflow)
                ]
                current.phase = .completed
            } catch {
                current.phase = .error
                current.error = JobErrorSummary(kind: .transient, message: "\(error)")
            }
        case .failure(let error):
            try? FileManager.default.removeItem(at: partial)
            current.phase = .error
            current.error = Self.summary(of: error)
        }
        try? commit(current)
    }

    static func summary(of error: any Error) -> JobErrorSummary {
        if let error = error as? QueryError {
            let kind: JobErrorSummary.Kind =
                switch error.code {
                case .syntax, .semantic, .limitExceeded, .timeout, .forbidden: .fatal
                case .cancelled, .unavailable, .quotaExceeded, .internal: .transient
                }
            return JobErrorSummary(kind: kind, message: error.message)
        }
        return JobErrorSummary(kind: .transient, message: "the job failed: \(error)")
    }

    /// A job id: 16 characters from a cryptographic random source, unguessable so that a job's
    /// address does not reveal others'.
    static func newID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
