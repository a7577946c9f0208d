import Foundation
import Synchronization
import Tabular
import TestSupport
import Testing

@testable import UWS

/// Writes a fixed text as the result, or (with `blocking`) waits until its task is cancelled.
struct TextRunner: JobRunner {
    var text = "rows\n"
    var blocking = false

    func run(_ job: Job, writingTo file: URL, timeLimit: Duration?, progress: JobProgress) async throws -> JobOutput {
        if job.parameter("query") == "fail" { throw QueryError(.syntax, "line 1, column 1: expected SELECT") }
        if blocking {
            let (stream, _) = AsyncStream<Void>.makeStream()
            for await _ in stream {}
            throw CancellationError()
        }
        progress.follow { QueryProgress(chunksDone: 3, chunksTotal: 3) }
        try Data(text.utf8).write(to: file)
        return JobOutput(mediaType: "text/plain", fileExtension: "txt", rows: 1, overflow: false)
    }
}

@Suite(.timeLimit(.minutes(2))) struct JobManagerTests {
    static let scratch = ScratchDirectory.make(prefix: "skyshard-uws-tests-")

    /// A job store of its own for each test (the tests run in parallel).
    func store() throws -> JobStore {
        try JobStore(directory: Self.scratch.appendingPathComponent(UUID().uuidString))
    }

    func ended(_ manager: JobManager, _ id: String, owner: String? = nil) async throws -> Job {
        var job = try await manager.job(id, owner: owner)
        while !job.phase.isFinal {
            job = try await manager.wait(id, owner: owner, timeout: .seconds(30))
        }
        return job
    }

    @Test func aJobRunsToCompletionAndItsResultIsOnDisk() async throws {
        let store = try store()
        let manager = JobManager(store: store, runner: TextRunner())
        await manager.recover()
        let job = try await manager.create(owner: "ann", runID: "r", parameters: [JobParameter(name: "QUERY", value: "q")])
        #expect(job.phase == .pending)
        #expect(job.parameter("query") == "q")
        try await manager.run(job.id, owner: "ann")
        let done = try await ended(manager, job.id, owner: "ann")
        #expect(done.phase == .completed)
        #expect(done.progress == QueryProgress(chunksDone: 3, chunksTotal: 3))
        let result = try #require(done.results.first)
        #expect(result.fileName == "result.txt" && result.size == 5)
        #expect(try String(contentsOf: store.resultFile(of: job.id, named: result.fileName), encoding: .utf8) == "rows\n")
        // What a restart would find.
        let reloaded = store.loadAll().jobs
        #expect(reloaded == [done])
        await manager.shutdown()
    }

    @Test func aFailingQueryEndsInErrorWithItsMessage() async throws {
        let manager = JobManager(store: try store(), runner: TextRunner())
        await manager.recover()
        let job = try await manager.create(owner: nil, runID: nil, parameters: [JobParameter(name: "query", value: "fail")])
        try await manager.run(job.id, owner: nil)
        let done = try await ended(manager, job.id)
        #expect(done.phase == .error)
        #expect(done.error == JobErrorSummary(kind: .fatal, message: "line 1, column 1: expected SELECT"))
        #expect(done.results.isEmpty)
        await manager.shutdown()
    }

    @Test func anotherOwnerSeesNothing() async throws {
        let manager = JobManager(store: try store(), runner: TextRunner())
        await manager.recover()
        let job = try await manager.create(owner: "ann", runID: nil, parameters: [])
        for other in ["bob", nil] as [String?] {
            await #expect(throws: UWSError.self) { try await manager.job(job.id, owner: other) }
            await #expect(throws: UWSError.self) { try await manager.abort(job.id, owner: other) }
            await #expect(throws: UWSError.self) { try await manager.delete(job.id, owner: other) }
            #expect(await manager.list(owner: other).isEmpty)
        }
        #expect(await manager.list(owner: "ann").map(\.id) == [job.id])
        await manager.shutdown()
    }

    @Test func theQueueIsBoundedAndAbortStopsARunningJob() async throws {
        var limits = JobLimits()
        limits.maxExecuting = 1
        limits.maxQueued = 1
        let manager = JobManager(store: try store(), runner: TextRunner(blocking: true), limits: limits)
        await manager.recover()
        let a = try await manager.create(owner: nil, runID: nil, parameters: [])
        let b = try await manager.create(owner: nil, runID: nil, parameters: [])
        let c = try await manager.create(owner: nil, runID: nil, parameters: [])
        try await manager.run(a.id, owner: nil)
        try await manager.run(b.id, owner: nil)
        #expect(try await manager.job(a.id, owner: nil).phase == .executing)
        #expect(try await manager.job(b.id, owner: nil).phase == .queued)
        do {
            try await manager.run(c.id, owner: nil)
            Issue.record("a third job does not fit the queue")
        } catch let error as UWSError {
            #expect(error.code == .limitReached)
        }
        try await manager.abort(a.id, owner: nil)
        #expect(try await manager.job(a.id, owner: nil).phase == .aborted)
        // The freed slot goes to the queued job.
        let next = try await manager.wait(b.id, owner: nil, phase: .queued, timeout: .seconds(30))
        #expect(next.phase == .executing)
        await manager.shutdown()
    }

    /// Records as a crash leaves them: a restart makes every phase true again.
    @Test func recoveryAfterACrash() async throws {
        let store = try store()
        let now = Date()
        func job(_ id: String, _ phase: ExecutionPhase, results: [JobResult] = []) -> Job {
            Job(
                id: id, owner: nil, phase: phase, creationTime: now, executionDuration: 60,
                destruction: now + 3600, parameters: [], results: results)
        }
        try store.save(job("executing", .executing))
        try store.save(job("pending", .pending))
        try store.save(job("queued", .queued))
        let kept = JobResult(id: "result", fileName: "result.txt", mediaType: "text/plain", size: 2, rows: 1, overflow: false)
        try store.save(job("whole", .completed, results: [kept]))
        try Data("ok".utf8).write(to: store.resultFile(of: "whole", named: "result.txt"))
        try store.save(job("lost", .completed, results: [kept]))
        // A result being written when the process died, and an orphan result.
        try Data("par".utf8).write(to: store.partialResult(of: "executing"))
        try Data("x".utf8).write(to: store.resultFile(of: "pending", named: "result.vot"))

        let manager = JobManager(store: store, runner: TextRunner())
        let report = await manager.recover()
        #expect(report.jobs == 5)
        #expect(report.interrupted == ["executing"])
        #expect(report.requeued == ["queued"])
        let interrupted = try await manager.job("executing", owner: nil)
        #expect(interrupted.phase == .error)
        #expect(interrupted.error?.message.hasPrefix("interrupted by restart") == true)
        #expect(try await manager.job("pending", owner: nil).phase == .pending)
        #expect(try await manager.job("whole", owner: nil).phase == .completed)
        #expect(try await manager.job("lost", owner: nil).phase == .error)
        #expect(try await ended(manager, "queued").phase == .completed)
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: store.partialResult(of: "executing").path))
        #expect(!fm.fileExists(atPath: store.resultFile(of: "pending", named: "result.vot").path))
        await manager.shutdown()
    }

    @Test func destructionRemovesTheJobAndItsFiles() async throws {
        let store = try store()
        let manager = JobManager(store: store, runner: TextRunner())
        await manager.recover()
        let job = try await manager.create(owner: nil, runID: nil, parameters: [])
        try await manager.setDestruction(job.id, owner: nil, Date(timeIntervalSince1970: 0))
        await manager.destroyExpired()
        await #expect(throws: UWSError.self) { try await manager.job(job.id, owner: nil) }
        #expect(!FileManager.default.fileExists(atPath: store.folder(of: job.id).path))
        await manager.shutdown()
    }
}

/// The job table is bounded per owner: finished jobs beyond `maxKeptJobsPerUser` make room
/// for new ones, oldest first; unfinished jobs are never evicted.
@Suite(.timeLimit(.minutes(2))) struct JobRetentionBoundTests {
    @Test func theOldestFinishedJobsAreDestroyedBeyondTheBound() async throws {
        let store = try JobStore(directory: JobManagerTests.scratch.appendingPathComponent(UUID().uuidString))
        var limits = JobLimits()
        limits.maxKeptJobsPerUser = 5
        let manager = JobManager(store: store, runner: TextRunner(), limits: limits)
        await manager.recover()
        // A PENDING job first: older than all the others, it must survive the evictions.
        let pending = try await manager.create(owner: "ann", runID: nil, parameters: [])
        var finished: [String] = []
        for _ in 0..<30 {
            let job = try await manager.create(owner: "ann", runID: nil, parameters: [])
            try await manager.abort(job.id, owner: "ann")  // ends ABORTED: finished
            finished.append(job.id)
            #expect(await manager.keptJobCount(of: "ann") <= 5)
        }
        #expect(await manager.keptJobCount(of: "ann") == 5)
        let kept = Set(await manager.list(owner: "ann").map(\.id))
        #expect(kept == Set([pending.id] + finished.suffix(4)))
        // Evicted jobs are gone from disk too, not only from memory.
        #expect(Set(store.loadAll().jobs.map(\.id)) == kept)
        // Another owner is untouched by ann's evictions.
        let bob = try await manager.create(owner: "bob", runID: nil, parameters: [])
        #expect(try await manager.job(bob.id, owner: "bob").phase == .pending)
        await manager.shutdown()
    }
}
