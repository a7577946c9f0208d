import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TAPService
import Tabular
import TestSupport
import Testing

/// `/tap/metrics` and the per-query log line, over a real socket.
@Suite(.timeLimit(.minutes(2))) struct MetricsTests {
    static func scrape(_ client: some TestClientProtocol) async throws -> [String: Double] {
        try await client.execute(uri: "/tap/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.contentType?.hasPrefix("text/plain") == true)
            return parsePrometheus(response.text)
        }
    }

    static func query(
        _ client: some TestClientProtocol, _ adql: String, as name: String = "alice"
    ) async throws
        -> HTTPResponse.Status
    {
        try await client.execute(
            uri: "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", adql)]), method: .get, headers: user(name)
        ) { $0.status }
    }

    @Test func countersArePresentAndIncrease() async throws {
        try await withOperationsService { client, _, _ in
            let before = try await Self.scrape(client)
            // Present before any query: a dashboard shows 0 rather than nothing.
            #expect(before["skyshard_query_rows_total{kind=\"sync\"}"] == 0)
            #expect(before["skyshard_running_queries{kind=\"sync\"}"] == 0)
            #expect(before["skyshard_jobs{phase=\"queued\"}"] == 0)

            #expect(try await Self.query(client, "SELECT * FROM t") == .ok)
            #expect(try await Self.query(client, "SELECT * FROM t") == .ok)
            #expect(try await Self.query(client, "SELECT bad FROM") == .badRequest)
            #expect(try await Self.query(client, "SELECT * FROM crowded") == .serviceUnavailable)
            let after = try await Self.scrape(client)
            #expect(after["skyshard_queries_total{kind=\"sync\",outcome=\"completed\"}"] == 2)
            #expect(after["skyshard_queries_total{kind=\"sync\",outcome=\"error\"}"] == 1)
            #expect(after["skyshard_queries_total{kind=\"sync\",outcome=\"refused\"}"] == 1)
            #expect(after["skyshard_admission_refusals_total{reason=\"user_limit\"}"] == 1)
            // TestEngine's default query has 5 rows over 3 chunks (GatedEngine's progress).
            #expect(after["skyshard_query_rows_total{kind=\"sync\"}"] == 10)
            #expect(after["skyshard_query_chunks_total{kind=\"sync\"}"] == 6)
            let bytes = try #require(after["skyshard_query_bytes_total{kind=\"sync\"}"])
            #expect(bytes > 1000)
            #expect(after["skyshard_query_duration_seconds_count{kind=\"sync\"}"] == 4)
            #expect(after["skyshard_query_duration_seconds_bucket{kind=\"sync\",le=\"+Inf\"}"] == 4)

            #expect(try await Self.query(client, "SELECT * FROM t") == .ok)
            let later = try await Self.scrape(client)
            #expect(later["skyshard_queries_total{kind=\"sync\",outcome=\"completed\"}"] == 3)
            #expect(later["skyshard_query_rows_total{kind=\"sync\"}"] == 15)
            #expect(try #require(later["skyshard_query_bytes_total{kind=\"sync\"}"]) > bytes)
        }
    }

    @Test func asyncJobsAreCounted() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-metrics-jobs-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = operationsConfiguration
        configuration.jobsDirectory = scratch.path
        try await withOperationsService(configuration: configuration) { client, _, log in
            let body = formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("PHASE", "RUN")])
            let location = try await client.execute(
                uri: "/tap/async", method: .post, headers: formHeaders.merging(user("alice")), body: body
            ) { response in
                #expect(response.status == .seeOther)
                return try #require(response.headers[.location])
            }
            let path = try #require(URL(string: location)?.path)
            let ended = try await waitForEnd(client, path, as: "alice")
            #expect(ended == "COMPLETED")
            let samples = try await Self.scrape(client)
            #expect(samples["skyshard_queries_total{kind=\"async\",outcome=\"completed\"}"] == 1)
            #expect(samples["skyshard_query_rows_total{kind=\"async\"}"] == 5)
            #expect(try #require(samples["skyshard_query_bytes_total{kind=\"async\"}"]) > 500)
            let line = try #require(log.finishedQueries.first { $0.metadata["kind"] == "async" })
            #expect(line.metadata["query"]?.description == path.split(separator: "/").last.map(String.init))
            #expect(line.metadata["user"] == "alice")
            #expect(line.metadata["outcome"] == "completed")
        }
    }

    @Test func oneLogLinePerQueryWithItsFields() async throws {
        try await withOperationsService { client, _, log in
            var headers = user("alice")
            headers[.authorization] = "Bearer secret-token-4711"
            let status = try await client.execute(
                uri: "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("RUNID", "r1")]),
                method: .get, headers: headers
            ) { $0.status }
            #expect(status == .ok)
            _ = try await client.execute(
                uri: "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT bad FROM")]), method: .get,
                headers: headers
            ) { $0.status }

            let lines = log.finishedQueries
            #expect(lines.count == 2)
            let ok = try #require(lines.first { $0.metadata["outcome"] == "completed" })
            #expect(ok.level == .info)
            #expect(ok.metadata["kind"] == "sync")
            #expect(ok.metadata["user"] == "alice")
            #expect(ok.metadata["rows"] == "5")
            #expect(ok.metadata["chunks"] == "3")
            #expect(ok.metadata["status"] == "200")
            #expect(ok.metadata["runid"] == "r1")
            #expect(Int(ok.metadata["bytes"]?.description ?? "") ?? 0 > 1000)
            #expect(Int(ok.metadata["ms"]?.description ?? "") != nil)
            #expect((ok.metadata["query"]?.description.count ?? 0) == 16)

            let bad = try #require(lines.first { $0.metadata["outcome"] == "error" })
            #expect(bad.metadata["code"] == "syntax")
            #expect(bad.metadata["status"] == "400")
            #expect(bad.metadata["rows"] == "0")
            #expect(bad.metadata["query"] != ok.metadata["query"])

            // No header and no token reaches the log.
            for record in log.all {
                let text = record.message + record.metadata.map { "\($0.key)=\($0.value)" }.joined()
                #expect(!text.contains("secret-token-4711"))
                #expect(!text.lowercased().contains("bearer"))
            }
        }
    }
}

/// The job's phase once it has ended: long-polls the job (WAIT) while it is active.
func waitForEnd(_ client: some TestClientProtocol, _ path: String, as name: String) async throws -> String {
    for _ in 0..<20 {
        let phase = try await client.execute(uri: path + "/phase", method: .get, headers: user(name)) { $0.text }
        if !["PENDING", "QUEUED", "EXECUTING"].contains(phase) { return phase }
        _ = try await client.execute(uri: path + "?WAIT=30", method: .get, headers: user(name)) { $0.status }
    }
    return "still active"
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged.append(field) }
        return merged
    }
}
