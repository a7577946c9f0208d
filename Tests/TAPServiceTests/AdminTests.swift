import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import Tabular
import TestSupport
import Testing

/// The admin view (`/tap/admin/queries`) and the graceful drain, over a real socket. A query
/// that runs until stopped (`GatedEngine`'s `gated`) makes "running" deterministic.
@Suite(.timeLimit(.minutes(2))) struct AdminTests {
    /// The admin view's list, each query as its JSON members rendered as text.
    static func list(_ client: some TestClientProtocol, as name: String = "root") async throws -> [[String: String]] {
        try await client.execute(uri: "/tap/admin/queries", method: .get, headers: user(name)) { response in
            #expect(response.status == .ok)
            #expect(response.contentType == "application/json")
            let object = try JSONSerialization.jsonObject(with: Data(response.bytes)) as? [String: Any]
            let queries = try #require(object?["queries"] as? [[String: Any]])
            return queries.map { $0.mapValues { "\($0)" } }
        }
    }

    @Test func anAdministratorListsAndCancelsARunningSyncQuery() async throws {
        let engine = GatedEngine()
        try await withOperationsService(engine) { client, _, log in
            let port = try #require(client.port)
            let (connection, head) = try await Self.startGatedKeepingBytes(port: port)
            let listed = try await Self.list(client)
            let entry = try #require(listed.first { $0["adql"] == "SELECT * FROM gated" })
            #expect(entry["kind"] == "sync")
            #expect(entry["user"] == "alice")
            #expect(entry["phase"] == "EXECUTING")
            #expect(entry["chunksDone"] == "1" && entry["chunksTotal"] == "4")
            #expect(Double(entry["elapsedSeconds"] ?? "") ?? -1 >= 0)
            let id = try #require(entry["id"])
            #expect(engine.gate.reason == nil)

            let status = try await client.execute(
                uri: "/tap/admin/queries/\(id)/cancel", method: .post, headers: user("root")
            ) { $0.status }
            #expect(status == .ok)
            // The client gets the rows sent so far and an error that says what happened.
            let rest = try await onOwnThread { connection.receive(atLeast: Int.max) }
            connection.close()
            let (statusLine, body) = try RawConnection.decodeChunked(head + rest)
            #expect(statusLine.hasPrefix("HTTP/1.1 200"))
            let doc = try XMLTreeBuilder.parse(body)
            #expect(doc.statuses.last == "ERROR")
            #expect(doc.errorMessage?.contains("cancelled by an administrator") == true)
            #expect(engine.gate.reason?.code == .cancelled)
            #expect(try await Self.list(client).isEmpty)
            let line = try #require(log.finishedQueries.first { $0.metadata["query"]?.description == id })
            #expect(line.metadata["outcome"] == "cancelled")
            #expect(line.metadata["rows"] == "5")
        }
    }

    /// Like `startGated`, returning the bytes read so far as well.
    static func startGatedKeepingBytes(port: Int) async throws -> (RawConnection, [UInt8]) {
        let path = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM gated")])
        return try await onOwnThread {
            let connection = try RawConnection(port: port)
            connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nX-User: alice\r\nConnection: close\r\n\r\n")
            var raw: [UInt8] = []
            while count("<FIELD name=\"ok\"", in: raw) == 0 {
                let more = connection.receive(atLeast: 1)
                if more.isEmpty { break }
                raw += more
            }
            return (connection, raw)
        }
    }

    @Test func anAdministratorCancelsAnAsyncJob() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-admin-jobs-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = operationsConfiguration
        configuration.jobsDirectory = scratch.path
        let engine = GatedEngine()
        try await withOperationsService(engine, configuration: configuration) { client, _, _ in
            let body = formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM gated"), ("PHASE", "RUN")])
            let location = try await client.execute(
                uri: "/tap/async", method: .post, headers: formHeaders.merging(user("alice")), body: body
            ) { try #require($0.headers[.location]) }
            let path = try #require(URL(string: location)?.path)
            let id = try #require(path.split(separator: "/").last.map(String.init))
            // Until it executes (it cannot end by itself).
            _ = try await client.execute(uri: path + "?WAIT=30&PHASE=QUEUED", method: .get, headers: user("alice")) {
                $0.status
            }
            let entry = try #require(try await Self.list(client).first { $0["id"] == id })
            #expect(entry["kind"] == "async")
            #expect(entry["user"] == "alice")
            #expect(entry["phase"] == "EXECUTING")

            // Alice's job, cancelled by root.
            let status = try await client.execute(uri: "/tap/admin/queries/\(id)", method: .delete, headers: user("root")) {
                $0.status
            }
            #expect(status == .ok)
            #expect(try await waitForEnd(client, path, as: "alice") == "ABORTED")
            #expect(try await Self.list(client).isEmpty)
            let again = try await client.execute(uri: "/tap/admin/queries/\(id)", method: .delete, headers: user("root")) {
                $0.status
            }
            #expect(again == .notFound)
        }
    }

    @Test(arguments: [Optional<String>.none, "bob"])
    func nonAdministratorsAreRefused(caller: String?) async throws {
        let engine = GatedEngine()
        try await withOperationsService(engine) { client, _, _ in
            let port = try #require(client.port)
            let (connection, _) = try await Self.startGatedKeepingBytes(port: port)
            defer { connection.close() }
            let id = try #require(try await Self.list(client).first?["id"])
            let headers = caller.map(user) ?? [:]
            for (uri, method) in [
                ("/tap/admin/queries", HTTPRequest.Method.get), ("/tap/admin/queries/\(id)/cancel", .post),
                ("/tap/admin/queries/\(id)", .delete),
            ] {
                try await client.execute(uri: uri, method: method, headers: headers) { response in
                    #expect(response.status == .forbidden)
                    let doc = try response.votable()
                    #expect(doc.statuses == ["ERROR"])
                    #expect(doc.errorMessage?.isEmpty == false)
                }
            }
            #expect(engine.gate.reason == nil)  // still running
            engine.gate.stop(QueryError(.cancelled, "the test is over"))
        }
    }

    @Test func drainRefusesNewQueriesAndStopsWhatOutlivesTheGrace() async throws {
        let engine = GatedEngine()
        try await withOperationsService(engine) { client, server, log in
            let port = try #require(client.port)
            let (connection, head) = try await Self.startGatedKeepingBytes(port: port)
            // The gated query never ends by itself, so the drain's grace runs out.
            let drain = Task { await server.drain(grace: .milliseconds(300)) }
            // Until the gate is closed (the drain's first step), then a new query is refused.
            while log.all.first(where: { $0.message.hasPrefix("shutting down") }) == nil { await Task.yield() }
            let refused = try await client.execute(
                uri: "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")]), method: .get
            ) { response in
                #expect(response.status == .serviceUnavailable)
                return try response.votable().errorMessage ?? ""
            }
            #expect(refused.contains("shutting down"))
            await drain.value
            let rest = try await onOwnThread { connection.receive(atLeast: Int.max) }
            connection.close()
            let doc = try XMLTreeBuilder.parse(try RawConnection.decodeChunked(head + rest).body)
            #expect(doc.statuses.last == "ERROR")
            #expect(doc.errorMessage?.contains("shutting down") == true)
            let samples = parsePrometheus(
                try await client.execute(uri: "/tap/metrics", method: .get) { $0.text })
            #expect(samples["skyshard_admission_refusals_total{reason=\"shutting_down\"}"] == 1)
        }
    }
}
