import Foundation
import Histogram

/// What a load test measured: throughput, latency per query kind, errors by kind and reason,
/// and the server's memory. Printed as a table (`text`) and written as JSON (`--json FILE`).
public struct LoadReport: Codable, Sendable {
    public var url: String
    public var mix: LoadMix
    public var users: Int
    public var thinkTimeMs: Int
    /// From the first request to the last answer (requests in flight at the deadline finish).
    public var elapsedSeconds: Double
    /// `duration` or `max-requests`: which bound ended the run.
    public var stoppedBy: String
    public var requests: Int
    public var errors: Int
    /// Requests answered per second, failed ones included.
    public var throughput: Double
    public var kinds: [KindStats]
    /// All kinds but the async aggregates together (the small, interactive queries).
    public var small: KindStats?
    public var memory: MemoryReport?
    /// Why the memory is missing, when it is.
    public var memoryNote: String?

    /// The numbers of one query kind. Latencies are of the successful requests, in milliseconds.
    public struct KindStats: Codable, Sendable, Equatable {
        public var kind: String
        public var requests: Int
        public var errors: Int
        public var throughput: Double
        public var p50Ms: Double
        public var p95Ms: Double
        public var p99Ms: Double
        public var maxMs: Double
        /// Mean size of a successful answer.
        public var meanBytes: Int
        /// Failures by reason (`HTTP 503`, `QUERY_STATUS=ERROR`, `timeout`, …).
        public var errorsByReason: [String: Int]
    }

    /// The server's memory over the run (sampled every 200 ms from /proc/<pid>/status).
    public struct MemoryReport: Codable, Sendable, Equatable {
        public var pid: Int32
        public var samples: Int
        /// The highest resident set sampled during the run.
        public var peakRssKiB: Int
        public var peakRssAnonKiB: Int
        public var startRssAnonKiB: Int
        public var endRssAnonKiB: Int
        /// The kernel's high-water mark of the resident set (VmHWM) at the end: since the process
        /// started, so it includes what happened before the run (a demo server's ingest).
        public var highWaterMarkKiB: Int
    }

    /// The report as a person reads it.
    public var text: String {
        var lines: [String] = []
        let rate = String(format: "%.1f", throughput)
        lines.append(
            "\(url): \(users) users, mix \(mix.rawValue), think time \(thinkTimeMs) ms, "
                + String(format: "%.1f s", elapsedSeconds) + " (stopped by \(stoppedBy))")
        lines.append("\(requests) requests, \(errors) errors, \(rate) requests/s")
        lines.append("")
        let header = ["kind", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "bytes"]
        var table = [header]
        for stats in kinds + (small.map { [$0] } ?? []) {
            table.append([
                stats.kind, "\(stats.requests)", "\(stats.errors)", String(format: "%.1f", stats.throughput),
                Self.ms(stats.p50Ms), Self.ms(stats.p95Ms), Self.ms(stats.p99Ms), Self.ms(stats.maxMs), "\(stats.meanBytes)",
            ])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            let cells = row.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            lines.append(cells.joined(separator: "  "))
        }
        let failures = kinds.flatMap { stats in stats.errorsByReason.map { (stats.kind, $0.key, $0.value) } }
        if !failures.isEmpty {
            lines.append("")
            lines.append("errors:")
            for (kind, reason, count) in failures.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
                lines.append("  \(kind): \(reason) × \(count)")
            }
        }
        lines.append("")
        if let memory {
            lines.append(
                "server pid \(memory.pid): peak RSS \(Self.mib(memory.peakRssKiB)), peak RssAnon "
                    + "\(Self.mib(memory.peakRssAnonKiB)) (RssAnon \(Self.mib(memory.startRssAnonKiB)) at start, "
                    + "\(Self.mib(memory.endRssAnonKiB)) at end; \(memory.samples) samples; VmHWM "
                    + "\(Self.mib(memory.highWaterMarkKiB)))")
        } else {
            lines.append("server memory: not measured (\(memoryNote ?? "no local process"))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
    static func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
}

/// The latencies and failures of one query kind, filled by every user.
struct KindRecord: Sendable {
    /// Microseconds, 1 µs to 1 h, three significant digits.
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000)
    var requests = 0
    var bytes = 0
    var failures: [String: Int] = [:]

    mutating func record(_ outcome: Outcome, _ elapsed: Duration) {
        requests += 1
        switch outcome {
        case .ok(let size):
            bytes += size
            _ = latency.record(UInt64(clamping: max(1, elapsed.nanoseconds / 1_000)))
        case .failed(let reason):
            failures[reason, default: 0] += 1
        }
    }

    mutating func add(_ other: KindRecord) {
        latency.add(other.latency)
        requests += other.requests
        bytes += other.bytes
        failures.merge(other.failures, uniquingKeysWith: +)
    }

    func stats(kind: String, seconds: Double) -> LoadReport.KindStats {
        let errors = failures.values.reduce(0, +)
        let good = requests - errors
        func ms(_ micros: UInt64) -> Double { good == 0 ? 0 : Double(micros) / 1000 }
        return LoadReport.KindStats(
            kind: kind, requests: requests, errors: errors, throughput: seconds > 0 ? Double(requests) / seconds : 0,
            p50Ms: ms(latency.valueAtPercentile(50)), p95Ms: ms(latency.valueAtPercentile(95)),
            p99Ms: ms(latency.valueAtPercentile(99)), maxMs: ms(latency.max),
            meanBytes: good == 0 ? 0 : bytes / good, errorsByReason: failures)
    }
}
