import Foundation
import Synchronization
import Tabular
import Testing

@testable import QueryEngine
@testable import ScatterGather

/// The one owner of a query's lifetime: phases, progress, stop and end actions, and the
/// engine's queries run under it.
@Suite struct QueryLifetimeTests {
    @Test func theFirstReasonToStopIsTheOneReadersSee() {
        let lifetime = QueryLifetime()
        let seen = Mutex<[QueryError.Code]>([])
        let ended = Mutex(0)
        lifetime.onStop { reason in seen.withLock { $0.append(reason.code) } }
        lifetime.onEnd { ended.withLock { $0 += 1 } }
        #expect(lifetime.phase == .running)
        lifetime.stop(QueryError(.timeout, "time"))
        lifetime.stop(QueryError(.cancelled, "cancelled"))
        lifetime.finish()
        #expect(lifetime.phase == .stopped(.timeout))
        #expect(lifetime.stopReason?.code == .timeout)
        #expect(seen.withLock { $0 } == [.timeout])
        #expect(ended.withLock { $0 } == 1)
        // Registered after the stop: run at once with the reason.
        lifetime.onStop { reason in seen.withLock { $0.append(reason.code) } }
        lifetime.onEnd { ended.withLock { $0 += 1 } }
        #expect(seen.withLock { $0 } == [.timeout, .timeout])
        #expect(ended.withLock { $0 } == 2)
        #expect((lifetime.reported(CancellationError()) as? QueryError)?.code == .timeout)
    }

    @Test func aFinishedQueryIsNotStoppedAfterwards() {
        let lifetime = QueryLifetime(timeLimit: .seconds(60))
        let stopped = Mutex(false)
        lifetime.onStop { _ in stopped.withLock { $0 = true } }
        lifetime.finish()
        lifetime.stop(QueryError(.cancelled, "too late"))
        #expect(lifetime.phase == .finished)
        #expect(!stopped.withLock { $0 })
        #expect((lifetime.reported(CancellationError()) as? QueryError)?.code == .cancelled)
    }

    @Test func theTimeLimitStopsTheQuery() async throws {
        let lifetime = QueryLifetime(timeLimit: .milliseconds(20))
        try await confirmation { stopped in
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lifetime.onStop { reason in
                    #expect(reason.code == .timeout)
                    stopped()
                    c.resume()
                }
            }
        }
        #expect(lifetime.phase == .stopped(.timeout))
    }

    /// A scan over every chunk reports each chunk statement as it finishes: at the end the
    /// progress is complete, and the lifetime has finished.
    @Test func aScanCountsItsChunks() async throws {
        let engine = EngineFixture.engine
        let running = try await engine.start("SELECT COUNT(*) FROM dp02_dc2_catalogs.Object")
        #expect(running.lifetime.phase == .running)
        let rows = try await running.result.collect()
        #expect(rows.rowCount == 1)
        let progress = running.lifetime.progress
        #expect(progress.chunksTotal == engine.catalog.chunkRowCounts.count)
        #expect(progress.chunksDone == progress.chunksTotal)
        #expect(running.lifetime.phase == .finished)
    }

    /// A coordinator query (a sub-query) counts the chunks of its steps.
    @Test func aCoordinatorQueryCountsItsSteps() async throws {
        let engine = EngineFixture.engine
        let running = try await engine.start(
            "SELECT COUNT(*) FROM dp02_dc2_catalogs.Object WHERE objectId IN "
                + "(SELECT TOP 3 objectId FROM dp02_dc2_catalogs.Object ORDER BY objectId)")
        let rows = try await running.result.collect()
        #expect(rows[0, 0].int64Value == 3)
        let progress = running.lifetime.progress
        #expect(progress.chunksTotal >= engine.catalog.chunkRowCounts.count)
        #expect(progress.chunksDone == progress.chunksTotal)
        #expect(running.lifetime.phase == .finished)
    }

    /// Cancelling the result stops the lifetime, and a user's slot comes back with it.
    @Test func cancellingStopsTheLifetimeAndGivesTheSlotBack() async throws {
        let engine = EngineFixture.engine
        let running = try await engine.start("SELECT forcedSourceId FROM dp02_dc2_catalogs.ForcedSource", user: "cy")
        #expect(engine.userLimiter.running(for: "cy") == 1)
        running.result.cancel()
        #expect(running.lifetime.phase == .stopped(.cancelled))
        #expect(engine.userLimiter.running(for: "cy") == 0)
        do {
            _ = try await running.result.collect()
            Issue.record("a cancelled query's rows must end with an error")
        } catch let error as QueryError {
            #expect(error.code == .cancelled)
        }
    }
}
