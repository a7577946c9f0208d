import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Runs one load test: `users` concurrent users, each sending one request at a time over its
/// keep-alive connection and thinking between requests, until the duration is over or the
/// request budget spent; meanwhile the server's memory is sampled.
public enum LoadRunner {
    /// The interval of the memory samples.
    static let memoryInterval = Duration.milliseconds(200)

    /// `log` receives the lines said before the run (what was discovered, which pid is watched).
    public static func run(_ options: LoadTestOptions, log: @Sendable (String) -> Void = { _ in }) async throws
        -> LoadReport
    {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: options.users))
        configuration.httpVersion = .http1Only
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let report = try await run(options, http: http, log: log)
            try await http.shutdown()
            return report
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private static func run(_ options: LoadTestOptions, http: HTTPClient, log: @Sendable (String) -> Void) async throws
        -> LoadReport
    {
        let client = TAPClient(http: http, base: options.url.absoluteString, timeout: options.requestTimeout)
        let workload = try await Discovery.workload(client, mix: options.mix)
        log("workload: \(workload.objects.count) objects, \(workload.tables.count) tables of the service")

        let (pid, memoryNote) = serverPid(options)
        if let pid { log("server: pid \(pid)") }

        let recorder = Recorder()
        let budget = Budget(options.maxRequests)
        let started = ContinuousClock.now
        let deadline = started + options.duration
        let sampler = Task { await sampleMemory(pid: pid) }
        await withTaskGroup(of: Void.self) { group in
            for user in 0..<options.users {
                group.addTask {
                    await runUser(
                        user, options: options, workload: workload, client: client, deadline: deadline, budget: budget,
                        recorder: recorder)
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        sampler.cancel()
        let memory = await sampler.value

        let seconds = Double(elapsed.nanoseconds) / 1e9
        let records = recorder.records.withLock { $0 }
        let kinds = QueryKind.allCases.compactMap { kind in records[kind].map { $0.stats(kind: kind.rawValue, seconds: seconds) } }
        var small: LoadReport.KindStats?
        if options.mix == .dp0 {
            var all = KindRecord()
            for (kind, record) in records where kind.isSmall { all.add(record) }
            small = all.stats(kind: "small (all but async)", seconds: seconds)
        }
        let requests = kinds.map(\.requests).reduce(0, +)
        return LoadReport(
            url: options.url.absoluteString, mix: options.mix, users: options.users,
            thinkTimeMs: Int(options.thinkTime.nanoseconds / 1_000_000), elapsedSeconds: seconds,
            stoppedBy: budget.exhausted ? "max-requests" : "duration", requests: requests,
            errors: kinds.map(\.errors).reduce(0, +), throughput: seconds > 0 ? Double(requests) / seconds : 0,
            kinds: kinds, small: small, memory: memory,
            memoryNote: memory == nil ? (pid == nil ? memoryNote : "/proc/\(pid ?? 0)/status unreadable") : nil)
    }

    /// One user: draw a request, send it, record it, think; until the deadline or the budget.
    private static func runUser(
        _ user: Int, options: LoadTestOptions, workload: Workload, client: TAPClient, deadline: ContinuousClock.Instant,
        budget: Budget, recorder: Recorder
    ) async {
        var random = UserRandom(seed: options.seed &+ UInt64(user) &* 0x9E37_79B9_7F4A_7C15)
        // Users with a think time start spread over one think time, as people do, not at once.
        if options.thinkTime > .zero {
            guard await think(options.thinkTime * random.uniform(0, 1), until: deadline) else { return }
        }
        while ContinuousClock.now < deadline, !Task.isCancelled, budget.take() {
            let (kind, adql) = workload.next(&random)
            let (outcome, elapsed) = kind == .asyncAggregate ? await client.asyncJob(adql) : await client.sync(adql)
            recorder.record(kind, outcome, elapsed)
            if options.thinkTime > .zero {
                guard await think(options.thinkTime * random.uniform(0.5, 1.5), until: deadline) else { return }
            }
        }
    }

    /// A user's pause between requests (part of the load's shape, not a synchronisation);
    /// false when it would end past the deadline.
    private static func think(_ pause: Duration, until deadline: ContinuousClock.Instant) async -> Bool {
        guard ContinuousClock.now + pause < deadline else { return false }
        do { try await Task.sleep(for: pause) } catch { return false }
        return true
    }

    /// The server process to watch: `--pid`, or the process listening on the URL's port.
    private static func serverPid(_ options: LoadTestOptions) -> (Int32?, String) {
        if let pid = options.pid { return (pid, "") }
        guard let host = options.url.host, LoadTestOptions.isLoopback(host: host) else {
            return (nil, "the server is not on this machine")
        }
        let port = options.url.port ?? (options.url.scheme == "https" ? 443 : 80)
        guard let pid = PortOwner.pid(listeningOn: port) else {
            return (nil, "no process of this user listens on port \(port); give --pid")
        }
        return (pid, "")
    }

    /// Samples the memory of `pid` until cancelled; nil without a pid or a readable sample.
    private static func sampleMemory(pid: Int32?) async -> LoadReport.MemoryReport? {
        guard let pid, let first = MemorySample.of(pid: pid) else { return nil }
        var report = LoadReport.MemoryReport(
            pid: pid, samples: 1, peakRssKiB: first.rssKiB, peakRssAnonKiB: first.rssAnonKiB,
            startRssAnonKiB: first.rssAnonKiB, endRssAnonKiB: first.rssAnonKiB, highWaterMarkKiB: first.hwmKiB)
        func take(_ sample: MemorySample) {
            report.samples += 1
            report.peakRssKiB = max(report.peakRssKiB, sample.rssKiB)
            report.highWaterMarkKiB = sample.hwmKiB
            report.peakRssAnonKiB = max(report.peakRssAnonKiB, sample.rssAnonKiB)
            report.endRssAnonKiB = sample.rssAnonKiB
        }
        while !Task.isCancelled {
            try? await Task.sleep(for: memoryInterval)
            if let sample = MemorySample.of(pid: pid) { take(sample) }
        }
        return report
    }
}

/// The latencies and failures of every kind, shared by the users (one histogram per kind,
/// not one per user: a histogram of 1 µs–1 h holds about 190 KB of counts).
final class Recorder: Sendable {
    let records = Mutex<[QueryKind: KindRecord]>([:])

    func record(_ kind: QueryKind, _ outcome: Outcome, _ elapsed: Duration) {
        records.withLock { $0[kind, default: KindRecord()].record(outcome, elapsed) }
    }
}

/// The requests the run may still send (`--max-requests`).
final class Budget: Sendable {
    private let left: Atomic<Int>

    init(_ total: Int) { left = Atomic(total) }

    /// Takes one request of the budget; false when it is spent.
    func take() -> Bool { left.subtract(1, ordering: .relaxed).newValue >= 0 }

    var exhausted: Bool { left.load(ordering: .relaxed) <= 0 }
}
