import CoreMetrics

import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The service's Prometheus metrics (docs/operations.md lists them).
///
/// They are swift-metrics objects made by a factory on the server's own registry, not through
/// the process-wide `MetricsSystem`: several servers in one process (the tests) then never
/// share values, and nothing depends on a bootstrap that may happen only once per process.
/// `/metrics` renders that registry.
struct ServiceMetrics: Sendable {
    enum Name {
        static let queries = "skyshard_queries_total"
        static let duration = "skyshard_query_duration_seconds"
        static let chunks = "skyshard_query_chunks_total"
        static let rows = "skyshard_query_rows_total"
        static let bytes = "skyshard_query_bytes_total"
        static let running = "skyshard_running_queries"
        static let jobs = "skyshard_jobs"
        static let refusals = "skyshard_admission_refusals_total"
    }

    /// Why a query or job was not admitted (the `reason` label of the refusals).
    enum RefusalReason: String, Sendable {
        /// The user already runs as many queries as one user may (`--queries-per-user`).
        case userLimit = "user_limit"
        /// The async queue is full (`--queued-jobs`).
        case jobQueueFull = "job_queue_full"
        /// One of the user's job quotas (`--jobs-per-user`, `--result-bytes-per-user`).
        case jobQuota = "job_quota"
        /// The service is shutting down.
        case shuttingDown = "shutting_down"
        /// As many sync queries are in flight as the service admits (`--max-sync-queries`).
        case overloaded
    }

    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // From an interactive lookup to a long scan: the default buckets stop at 10 s.
        factory.durationHistogramBuckets[Name.duration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
        ]
        self.factory = factory
        // Present from the first scrape, so that a dashboard shows 0 rather than nothing.
        for kind in QueryRecord.Kind.allCases {
            running(kind).record(0)
            for name in [Name.chunks, Name.rows, Name.bytes] {
                Counter(label: name, dimensions: [("kind", kind.rawValue)], factory: factory).increment(by: 0)
            }
        }
        for phase in ["queued", "executing"] {
            Gauge(label: Name.jobs, dimensions: [("phase", phase)], factory: factory).record(0)
        }
    }

    /// Counts one finished query.
    func record(_ query: QueryRecord) {
        let kind = ("kind", query.kind.rawValue)
        Counter(label: Name.queries, dimensions: [kind, ("outcome", query.outcome.rawValue)], factory: factory)
            .increment()
        Timer(label: Name.duration, dimensions: [kind], factory: factory).record(duration: query.duration)
        Counter(label: Name.chunks, dimensions: [kind], factory: factory).increment(by: Int64(query.chunks))
        Counter(label: Name.rows, dimensions: [kind], factory: factory).increment(by: Int64(query.rows))
        Counter(label: Name.bytes, dimensions: [kind], factory: factory).increment(by: Int64(query.bytes))
        if let reason = query.refusal { refused(reason) }
    }

    /// Counts one refusal to admit a query or a job.
    func refused(_ reason: RefusalReason) {
        Counter(label: Name.refusals, dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    /// Sets the gauges of what runs now (done when `/metrics` is read, from the live state).
    func setRunning(sync: Int, executingJobs: Int, queuedJobs: Int) {
        running(.sync).record(sync)
        running(.async).record(executingJobs)
        Gauge(label: Name.jobs, dimensions: [("phase", "queued")], factory: factory).record(queuedJobs)
        Gauge(label: Name.jobs, dimensions: [("phase", "executing")], factory: factory).record(executingJobs)
    }

    private func running(_ kind: QueryRecord.Kind) -> Gauge {
        Gauge(label: Name.running, dimensions: [("kind", kind.rawValue)], factory: factory)
    }

    /// The metrics in Prometheus' text format.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Timer {
    fileprivate func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
