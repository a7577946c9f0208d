import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import TestSupport
import Testing

/// Bearer tokens over a real loopback socket: who is refused where, what stays open, how the
/// capabilities declare it, revocation without a restart, and tokens kept out of logs and jobs.
@Suite struct AuthenticationTests {
    /// The credentials of the refusal matrix.
    enum Credential: String, CaseIterable, Sendable {
        case absent, malformed, wrong, removed
    }

    /// What a request of each endpoint of the matrix is.
    struct Endpoint: Sendable {
        var name: String
        var method: HTTPRequest.Method
        var path: String
        var body: [(String, String)]?
    }

    static func endpoints(job: String) -> [Endpoint] {
        [
            Endpoint(name: "sync GET", method: .get, path: syncURI),
            Endpoint(name: "sync POST", method: .post, path: "/tap/sync", body: [("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")]),
            Endpoint(name: "async list", method: .get, path: "/tap/async"),
            Endpoint(name: "async create", method: .post, path: "/tap/async", body: [("LANG", "ADQL"), ("QUERY", "SELECT 1")]),
            Endpoint(name: "job", method: .get, path: job),
            Endpoint(name: "job phase", method: .get, path: job + "/phase"),
            Endpoint(name: "job results/result", method: .get, path: job + "/results/result"),
            Endpoint(name: "job abort", method: .post, path: job + "/phase", body: [("PHASE", "ABORT")]),
            Endpoint(name: "job delete", method: .delete, path: job),
            Endpoint(name: "tables", method: .get, path: "/tap/tables"),
        ]
    }

    @Test(arguments: [false, true])
    func refusalMatrix(requireToken: Bool) async throws {
        let fixture = try AuthFixture(requireToken: requireToken)
        let alice = try fixture.issue("alice")
        let removed = try fixture.issue("rita")
        try fixture.revoke("rita")
        let wrong = BearerToken.generate().text
        try await fixture.run { client in
            let job = try await client.createJob(bearer(alice), run: true)
            #expect(try await client.waitForEnd(job, bearer(alice)) == "COMPLETED")
            for endpoint in Self.endpoints(job: job) {
                for credential in Credential.allCases {
                    var headers: HTTPFields = endpoint.body == nil ? [:] : formHeaders
                    switch credential {
                    case .absent: break
                    case .malformed: headers[.authorization] = "Basic YWxpY2U6c2VjcmV0"
                    case .wrong: headers[.authorization] = "Bearer \(wrong)"
                    case .removed: headers[.authorization] = "Bearer \(removed)"
                    }
                    let response = try await client.request(
                        uri: endpoint.path, method: endpoint.method, headers: headers, body: endpoint.body.map(formBody))
                    let label = "\(endpoint.name), \(credential), required: \(requireToken)"
                    if credential == .absent && !requireToken {
                        #expect(response.status != .unauthorized, "\(label)")
                        #expect(response.headers[.wwwAuthenticate] == nil, "\(label)")
                        continue
                    }
                    #expect(response.status == .unauthorized, "\(label)")
                    let challenge = try #require(response.headers[.wwwAuthenticate], "\(label)")
                    #expect(challenge.hasPrefix("Bearer"), "\(label)")
                    switch credential {
                    case .absent: #expect(!challenge.contains("error="), "\(label)")
                    case .malformed: #expect(challenge.contains(#"error="invalid_request""#), "\(label)")
                    case .wrong, .removed: #expect(challenge.contains(#"error="invalid_token""#), "\(label)")
                    }
                    #expect(response.contentType == "application/x-votable+xml", "\(label)")
                    let doc = try response.votable()
                    #expect(doc.statuses == ["ERROR"], "\(label)")
                    #expect(doc.errorMessage?.isEmpty == false, "\(label)")
                    #expect(response.headers[.accessControlAllowOrigin] == "*", "\(label)")
                }
            }
            // Nothing the refused requests asked for happened: the job is still there, and
            // complete, for its owner.
            #expect(try await client.jobIDs(bearer(alice)) == [String(job.split(separator: "/").last!)])
            let phase = try await client.request(uri: job + "/phase", method: .get, headers: bearer(alice))
            #expect(phase.text == "COMPLETED")
        }
    }

    @Test func vosiExamplesLandingAndPreflightStayOpen() async throws {
        let fixture = try AuthFixture(requireToken: true)
        _ = try fixture.issue("alice")
        let wrong = BearerToken.generate().text
        try await fixture.run { client in
            for path in ["/tap/availability", "/tap/capabilities", "/tap/examples", "/tap"] {
                for headers in [HTTPFields(), bearer(wrong)] {
                    let response = try await client.request(uri: path, method: .get, headers: headers)
                    #expect(response.status == .ok, "\(path)")
                }
            }
            for path in ["/tap/sync", "/tap/async", "/tap/async/abc/phase", "/tap/tables"] {
                let response = try await client.request(
                    uri: path, method: .options,
                    headers: [.origin: "https://portal.example.org", .accessControlRequestHeaders: "authorization"])
                #expect(response.status == .noContent, "\(path)")
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            }
        }
    }

    @Test func aValidTokenIdentifiesItsUserForSyncAndAsync() async throws {
        for required in [false, true] {
            let fixture = try AuthFixture(requireToken: required)
            let alice = try fixture.issue("alice")
            let engine = TestEngine()
            try await fixture.run(engine) { client in
                let response = try await client.request(uri: syncURI, method: .get, headers: bearer(alice))
                #expect(response.status == .ok)
                #expect(try response.votable().rows.count == 5)
                #expect(engine.lastRequest?.user == "alice")
                let job = try await client.createJob(bearer(alice), run: true)
                #expect(try await client.waitForEnd(job, bearer(alice)) == "COMPLETED")
                #expect(engine.lastRequest?.user == "alice")  // the job ran as its owner
                let owner = try await client.request(uri: job + "/owner", method: .get, headers: bearer(alice))
                #expect(owner.text == "alice")
                if !required {
                    // Anonymous callers still query, as nobody.
                    let anonymous = try await client.request(uri: syncURI, method: .get)
                    #expect(anonymous.status == .ok)
                    #expect(engine.lastRequest?.user == nil)
                }
            }
        }
    }

    @Test func tokenUserTakesPrecedenceOverTheProxyHeader() async throws {
        let fixture = try AuthFixture(requireToken: false, userHeader: "X-Auth-Request-User")
        let alice = try fixture.issue("alice")
        let engine = TestEngine()
        try await fixture.run(engine) { client in
            var headers = bearer(alice)
            headers[HTTPFields.Element.Name("X-Auth-Request-User")!] = "mallory"
            _ = try await client.request(uri: syncURI, method: .get, headers: headers)
            #expect(engine.lastRequest?.user == "alice")
            _ = try await client.request(uri: syncURI, method: .get, headers: [HTTPFields.Element.Name("X-Auth-Request-User")!: "pat"])
            #expect(engine.lastRequest?.user == "pat")
        }
    }

    @Test func revocationCountsFromTheNextRequestWithoutRestart() async throws {
        let fixture = try AuthFixture(requireToken: true)
        let alice = try fixture.issue("alice")
        let bob = try fixture.issue("bob")
        try await fixture.run { client in
            #expect(try await client.request(uri: syncURI, method: .get, headers: bearer(alice)).status == .ok)
            try fixture.revoke("alice")
            let refused = try await client.request(uri: syncURI, method: .get, headers: bearer(alice))
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            #expect(try await client.request(uri: "/tap/async", method: .get, headers: bearer(alice)).status == .unauthorized)
            // Others are not affected, and a token issued now works at once.
            #expect(try await client.request(uri: syncURI, method: .get, headers: bearer(bob)).status == .ok)
            let again = try fixture.issue("alice")
            #expect(try await client.request(uri: syncURI, method: .get, headers: bearer(again)).status == .ok)
        }
    }

    @Test func theAdminViewAsksForATokenAndAdmitsOnlyAdministrators() async throws {
        var fixture = try AuthFixture(requireToken: false)
        fixture.configuration.adminUsers = ["root"]
        let root = try fixture.issue("root")
        let alice = try fixture.issue("alice")
        try await fixture.run { client in
            let path = "/tap/admin/queries"
            // Anonymous: asked to authenticate; a bad token: refused as anywhere else.
            let anonymous = try await client.request(uri: path, method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try anonymous.votable().statuses.contains("ERROR"))
            let forged = try await client.request(uri: path, method: .get, headers: bearer(root + "0"))
            #expect(forged.status == .unauthorized)
            // A user who is not an administrator: known, and not allowed.
            let user = try await client.request(uri: path, method: .get, headers: bearer(alice))
            #expect(user.status == .forbidden)
            #expect(user.headers[.wwwAuthenticate] == nil)
            let cancel = try await client.request(uri: path + "/nosuch/cancel", method: .post, headers: bearer(alice))
            #expect(cancel.status == .forbidden)
            #expect(try await client.request(uri: path, method: .get, headers: bearer(root)).status == .ok)
            // The metrics stay open.
            #expect(try await client.request(uri: "/tap/metrics", method: .get).status == .ok)
        }
    }

    @Test func capabilitiesDeclareTheSecurityMethods() async throws {
        func tapInterfaces(_ configure: (inout TAPServiceConfiguration) -> Void) async throws -> [[String]] {
            var fixture = try AuthFixture(requireToken: false)
            configure(&fixture.configuration)
            let found = Collector<[String]>()
            try await fixture.run { client in
                let response = try await client.request(uri: "/tap/capabilities", method: .get)
                let doc = try XMLTreeBuilder.parse(response.bytes)
                for id in ["ivo://ivoa.net/std/TAP", "ivo://ivoa.net/std/VOSI#tables-1.1"] {
                    let capability = try #require(doc.all("capability").first { $0.attributes["standardID"] == id })
                    let interfaces = capability.all("interface")
                    #expect(interfaces.allSatisfy { $0.attributes["role"] == "std" && $0.first("accessURL") != nil })
                    found.append(interfaces.map { $0.first("securityMethod")?.attributes["standardID"] ?? "anonymous" })
                }
                // The VOSI capabilities and availability declare no security method.
                for id in ["ivo://ivoa.net/std/VOSI#capabilities", "ivo://ivoa.net/std/VOSI#availability"] {
                    let capability = try #require(doc.all("capability").first { $0.attributes["standardID"] == id })
                    #expect(capability.first("securityMethod") == nil)
                }
            }
            return found.all
        }
        let bearerID = "ivo://ivoa.net/sso#OAuth"
        #expect(try await tapInterfaces { $0.tokenFile = nil } == [["anonymous"], ["anonymous"]])
        #expect(try await tapInterfaces { $0.requireToken = false } == [["anonymous", bearerID], ["anonymous", bearerID]])
        #expect(try await tapInterfaces { $0.requireToken = true } == [[bearerID], [bearerID]])
    }

    @Test func tokensNeverReachLogsJobsOrResults() async throws {
        let fixture = try AuthFixture(requireToken: false)
        let alice = try fixture.issue("alice")
        let wrong = BearerToken.generate().text
        let secrets = [alice, wrong, String(alice.suffix(64)), String(wrong.suffix(64))]
        let documents = Collector<String>()
        try await fixture.run { client in
            _ = try await client.request(uri: syncURI, method: .get, headers: bearer(alice))
            _ = try await client.request(uri: syncURI, method: .get, headers: bearer(wrong))
            _ = try await client.request(uri: syncURI, method: .get, headers: [.authorization: "Token \(wrong)"])
            _ = try await client.request(
                uri: "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM crash")]), method: .get,
                headers: bearer(alice))
            // A token sent as a parameter too (which the service does not accept as a credential).
            let job = try await client.createJob(
                bearer(alice), run: true, [("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("ACCESS_TOKEN", alice)])
            #expect(try await client.waitForEnd(job, bearer(alice)) == "COMPLETED")
            for path in [job, job + "/parameters", job + "/results/result", job + "/owner", "/tap/async"] {
                let response = try await client.request(uri: path, method: .get, headers: bearer(alice))
                #expect(response.status == .ok, "\(path)")
                documents.append(response.text)
            }
            let refused = try await client.request(uri: job, method: .get, headers: bearer(wrong))
            documents.append(refused.text)
        }
        let logged = fixture.log.all
        #expect(logged.contains { $0.contains("query finished") && $0.contains("user=alice") })
        #expect(logged.contains { $0.contains("request refused: authentication") })
        let stored = try FileManager.default.subpathsOfDirectory(atPath: fixture.configuration.jobsDirectory!)
            .compactMap { try? String(contentsOfFile: fixture.configuration.jobsDirectory! + "/" + $0, encoding: .utf8) }
        #expect(!stored.isEmpty)
        for secret in secrets {
            for line in logged { #expect(!line.contains(secret), "log: \(line)") }
            for document in documents.all { #expect(!document.contains(secret)) }
            for file in stored { #expect(!file.contains(secret)) }
        }
    }

    @Test func requiringTokensWithoutATokenFileIsASetupError() throws {
        var configuration = testConfiguration
        configuration.requireToken = true
        #expect(throws: TAPServiceError.self) {
            _ = try TAPServer(engine: TestEngine(), configuration: configuration, logger: LogRecorder().logger)
        }
    }
}
