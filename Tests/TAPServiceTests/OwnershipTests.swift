import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import Tabular
import TestSupport
import Testing

/// Async jobs belong to their owners: another user, or an anonymous caller, finds neither the
/// job nor any of its children, cannot change it, and does not see it in the job list. And the
/// per-user quotas.
@Suite struct OwnershipTests {
    static let children = [
        "phase", "parameters", "results", "results/result", "error", "owner", "quote", "executionduration",
        "destruction",
    ]

    /// Every way to read or change `job` that its owner has, tried by `headers`: each must be
    /// 403 or 404 (this service answers 404: another's job is indistinguishable from none).
    func expectNoAccess(_ client: some TestClientProtocol, to job: String, as headers: HTTPFields, _ who: String)
        async throws
    {
        var attempts: [(HTTPRequest.Method, String, [(String, String)]?)] = [
            (.get, job, nil), (.get, job + "?WAIT=1", nil), (.delete, job, nil),
            (.post, job, [("ACTION", "DELETE")]), (.post, job, [("PHASE", "ABORT")]), (.post, job, [("PHASE", "RUN")]),
            (.post, job, [("DESTRUCTION", "2030-01-01T00:00:00Z")]), (.post, job, [("EXECUTIONDURATION", "5")]),
            (.post, job, [("QUERY", "SELECT * FROM other")]), (.post, job, []),
        ]
        for child in Self.children { attempts.append((.get, job + "/" + child, nil)) }
        let childPosts: [(String, [(String, String)])] = [
            ("phase", [("PHASE", "ABORT")]), ("phase", [("PHASE", "RUN")]), ("phase", []),
            ("executionduration", [("EXECUTIONDURATION", "5")]), ("destruction", [("DESTRUCTION", "2030-01-01T00:00:00Z")]),
            ("parameters", [("QUERY", "SELECT * FROM other")]), ("results", []), ("owner", [("OWNER", "x")]),
            ("error", []), ("quote", []),
        ]
        for (child, parameters) in childPosts { attempts.append((.post, job + "/" + child, parameters)) }
        for (method, path, parameters) in attempts {
            var h = headers
            if parameters != nil { h[.contentType] = "application/x-www-form-urlencoded" }
            let response = try await client.request(uri: path, method: method, headers: h, body: parameters.map(formBody))
            #expect(
                response.status == .notFound || response.status == .forbidden,
                "\(who): \(method) \(path) \(parameters ?? []) → \(response.status)")
            #expect(!response.text.contains("SELECT * FROM t"), "\(who) must not see the query: \(path)")
        }
    }

    @Test func anotherUserOrAnonymousCallerCannotReachAJob() async throws {
        let fixture = try AuthFixture(requireToken: false)
        let alice = try fixture.issue("alice")
        let bob = try fixture.issue("bob")
        try await fixture.run { client in
            let finished = try await client.createJob(bearer(alice), run: true)
            #expect(try await client.waitForEnd(finished, bearer(alice)) == "COMPLETED")
            let pending = try await client.createJob(bearer(alice), run: false)
            let bobs = try await client.createJob(bearer(bob), run: false)

            for job in [finished, pending] {
                try await expectNoAccess(client, to: job, as: bearer(bob), "bob")
                try await expectNoAccess(client, to: job, as: [:], "anonymous")
            }

            // Alice's jobs are as they were.
            func text(_ path: String) async throws -> String {
                try await client.request(uri: path, method: .get, headers: bearer(alice)).text
            }
            #expect(try await text(finished + "/phase") == "COMPLETED")
            #expect(try await text(pending + "/phase") == "PENDING")
            #expect(try await text(pending + "/owner") == "alice")
            #expect(try await text(pending + "/executionduration") != "5")
            #expect(try await !text(pending + "/parameters").contains("other"))
            let result = try await client.request(uri: finished + "/results/result", method: .get, headers: bearer(alice))
            #expect(result.status == .ok)
            #expect(try result.votable().rows.count == 5)

            // Each sees only their own jobs.
            let id = { (path: String) in String(path.split(separator: "/").last!) }
            #expect(try await Set(client.jobIDs(bearer(alice))) == [id(finished), id(pending)])
            #expect(try await client.jobIDs(bearer(bob)) == [id(bobs)])
            #expect(try await client.jobIDs([:]).isEmpty)

            // The owner can abort and delete.
            let abort = try await client.request(
                uri: pending + "/phase", method: .post, headers: bearer(alice, form: true), body: formBody([("PHASE", "ABORT")]))
            #expect(abort.status == .seeOther)
            #expect(try await text(pending + "/phase") == "ABORTED")
            let delete = try await client.request(uri: finished, method: .delete, headers: bearer(alice))
            #expect(delete.status == .seeOther)
            #expect(try await client.jobIDs(bearer(alice)) == [id(pending)])
        }
    }

    @Test func anAnonymousJobIsNotAUsersJob() async throws {
        let fixture = try AuthFixture(requireToken: false)
        let alice = try fixture.issue("alice")
        try await fixture.run { client in
            let anonymous = try await client.createJob([:], run: false)
            #expect(try await client.request(uri: anonymous + "/owner", method: .get).text == "")
            try await expectNoAccess(client, to: anonymous, as: bearer(alice), "alice")
            #expect(try await client.jobIDs(bearer(alice)).isEmpty)
        }
    }

    /// Creating a job as `headers` is refused with 429 and a DALI error naming the quota.
    func expectCreationRefused(_ client: some TestClientProtocol, _ headers: HTTPFields, naming quota: String)
        async throws
    {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let refused = try await client.request(
            uri: "/tap/async", method: .post, headers: headers, body: formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")]))
        #expect(refused.status == .tooManyRequests)
        #expect(try refused.votable().statuses == ["ERROR"])
        #expect(try refused.votable().errorMessage?.contains(quota) == true, "\(refused.text)")
    }

    @Test func unfinishedJobsPerUserQuota() async throws {
        let fixture = try AuthFixture(requireToken: true) { $0.maxJobsPerUser = 2 }
        let alice = try fixture.issue("alice")
        let bob = try fixture.issue("bob")
        try await fixture.run { client in
            let first = try await client.createJob(bearer(alice), run: false)
            _ = try await client.createJob(bearer(alice), run: false)
            try await expectCreationRefused(client, bearer(alice), naming: "quota of unfinished jobs per user")
            #expect(try await client.jobIDs(bearer(alice)).count == 2)
            // Another user is not affected; a finished job no longer counts.
            _ = try await client.createJob(bearer(bob), run: false)
            let abort = try await client.request(
                uri: first + "/phase", method: .post, headers: bearer(alice, form: true), body: formBody([("PHASE", "ABORT")]))
            #expect(abort.status == .seeOther)
            _ = try await client.createJob(bearer(alice), run: false)
        }
    }

    @Test func retainedResultBytesPerUserQuota() async throws {
        let fixture = try AuthFixture(requireToken: true) { $0.maxResultBytesPerUser = 100 }
        let alice = try fixture.issue("alice")
        let bob = try fixture.issue("bob")
        try await fixture.run { client in
            let pending = try await client.createJob(bearer(alice), run: false)
            let done = try await client.createJob(bearer(alice), run: true)
            #expect(try await client.waitForEnd(done, bearer(alice)) == "COMPLETED")
            let size = try await client.request(uri: done + "/results/result", method: .get, headers: bearer(alice)).bytes.count
            #expect(size > 100)
            // Over the quota: no new job, and the pending one cannot be run.
            try await expectCreationRefused(client, bearer(alice), naming: "quota of result bytes per user")
            let run = try await client.request(
                uri: pending + "/phase", method: .post, headers: bearer(alice, form: true), body: formBody([("PHASE", "RUN")]))
            #expect(run.status == .tooManyRequests)
            #expect(try await client.request(uri: pending + "/phase", method: .get, headers: bearer(alice)).text == "PENDING")
            // Both refusals are counted for the operator.
            let metrics = try await client.request(uri: "/tap/metrics", method: .get).text
            #expect(metrics.contains("skyshard_admission_refusals_total{reason=\"job_quota\"} 2"), "\(metrics)")
            // Bob is not affected; deleting the result makes room again.
            _ = try await client.createJob(bearer(bob), run: false)
            #expect(try await client.request(uri: done, method: .delete, headers: bearer(alice)).status == .seeOther)
            _ = try await client.createJob(bearer(alice), run: false)
        }
    }

    /// The engine's per-user limit of concurrent queries (`--queries-per-user`) answers 429 and
    /// names the quota, through the one error mapping.
    @Test func concurrentQueryQuotaIs429() async throws {
        struct BusyEngine: TAPQueryEngine {
            func execute(_ request: TAPQueryRequest) async throws -> QueryResult {
                throw QueryError(.quotaExceeded, "quota of queries per user reached: you already have 8 queries running")
            }
        }
        let fixture = try AuthFixture(requireToken: false)
        try await fixture.run(BusyEngine()) { client in
            let response = try await client.request(uri: syncURI, method: .get)
            #expect(response.status == .tooManyRequests)
            #expect(try response.votable().errorMessage?.contains("quota of queries per user") == true)
        }
    }
}
