import Logging
import ServiceLifecycle
import Tabular

/// The service's part in a graceful shutdown (SIGTERM, SIGINT): run it in the same
/// `ServiceGroup` as the HTTP application, *after* it in the list. The group shuts services down
/// in reverse order, each after the previous one has returned, so this one drains the queries
/// while the server still listens (and answers new queries with 503), and the server stops
/// listening only once it has returned.
///
/// ```swift
/// let group = ServiceGroup(configuration: .init(
///     services: [application, TAPShutdown(server: server)],
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// ```
public struct TAPShutdown: Service {
    let server: TAPServer

    public init(server: TAPServer) { self.server = server }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down without a graceful shutdown
        }
        await server.drain(grace: server.configuration.shutdownGrace)
    }
}

extension TAPServer {
    /// The message of an async job that was executing when the service shut down. The same
    /// outcome as after a crash (`JobManager.recover`): ERROR, not run again behind the user's back.
    static let interruptedByShutdown =
        "interrupted by shutdown: the service stopped while this job was executing; its query did not finish. Run it again as a new job."

    /// Stops admitting queries and jobs (503), gives the running sync queries and executing
    /// jobs `grace` to finish, then stops the sync queries still running (their clients see
    /// an error saying so) and ends the jobs still executing in ERROR, on disk. QUEUED jobs stay
    /// QUEUED on disk and run after the next start.
    public func drain(grace: Duration) async {
        queries.closeAdmission()
        await jobs?.holdQueue()
        let executing = await jobs?.activeCounts.executing ?? 0
        logger.notice(
            "shutting down: new queries are refused",
            metadata: [
                "sync_queries": "\(queries.count)", "executing_jobs": "\(executing)",
                "grace_s": "\(grace.components.seconds)",
            ])
        let jobs = self.jobs
        let queries = self.queries
        let drained = await Self.within(grace) {
            await queries.untilEmpty()
            await jobs?.untilNoneExecuting()
        }
        var stopped = 0
        if !drained {
            stopped = queries.stopAll(
                reason: QueryError(
                    .cancelled,
                    "the service is shutting down and stopped this query after its grace period of "
                        + "\(grace.components.seconds) s; send it again later"))
        }
        let interrupted = await jobs?.interruptExecuting(message: Self.interruptedByShutdown) ?? []
        if stopped > 0 {
            // A stopped query ends at once, unless its client is not reading: then the HTTP
            // server's own shutdown closes the connection.
            _ = await Self.within(.seconds(5)) { await queries.untilEmpty() }
        }
        logger.notice(
            "shutdown: queries drained",
            metadata: [
                "stopped_sync_queries": "\(stopped)", "interrupted_jobs": "\(interrupted.joined(separator: ","))",
                "sync_queries_left": "\(queries.count)",
            ])
    }

    /// Runs `body` for at most `limit`: true if it returned within it (it is cancelled otherwise).
    static func within(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await body()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
