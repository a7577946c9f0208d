import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import Tabular
import TestSupport
import Testing

@Suite struct ResultFormatTests {
    func get(
        _ client: any TestClientProtocol, format: String, query: String = "SELECT * FROM t"
    ) async throws
        -> TestResponse
    {
        let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", query), ("RESPONSEFORMAT", format)])
        return try await client.execute(uri: uri, method: .get)
    }

    @Test func json() async throws {
        try await withService { client in
            for format in ["json", "application/json"] {
                let response = try await get(client, format: format)
                #expect(response.status == .ok)
                #expect(response.contentType == "application/json")
                let json = try #require(JSONSerialization.jsonObject(with: Data(response.bytes)) as? [String: Any])
                let metadata = try #require(json["metadata"] as? [[String: Any]])
                #expect(metadata.map { $0["name"] as? String } == ["id", "ra", "name", "ok"])
                #expect(metadata[1]["unit"] as? String == "deg")
                let data = try #require(json["data"] as? [[Any]])
                #expect(data.count == 5)
                #expect(data[1][1] is NSNull)  // NaN
                #expect(data[1][2] as? String == "<b>&\"c\"")
                #expect(data[2][1] is NSNull && data[2][2] is NSNull && data[2][3] is NSNull)
                #expect(data[3][2] as? String == "δ, \"quoted\"")
                #expect(json["status"] as? String == "OK")
                #expect(json["overflow"] as? Bool == false)
            }
            // MAXREC: the rows, then the overflow.
            let uri =
                "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("FORMAT", "json"), ("MAXREC", "2")])
            let limited = try await client.execute(uri: uri, method: .get)
            let json = try #require(JSONSerialization.jsonObject(with: Data(limited.bytes)) as? [String: Any])
            #expect((json["data"] as? [Any])?.count == 2)
            #expect(json["status"] as? String == "OVERFLOW")
            #expect(json["overflow"] as? Bool == true)
        }
    }

    @Test func errorAfterRowsEndsTheJSONDocument() async throws {
        try await withService { client in
            let response = try await get(client, format: "json", query: "SELECT * FROM failing")
            #expect(response.status == .ok)
            let json = try #require(JSONSerialization.jsonObject(with: Data(response.bytes)) as? [String: Any])
            #expect((json["data"] as? [Any])?.count == 10)
            #expect(json["status"] as? String == "ERROR")
            let message = json["error"] as? String ?? ""
            #expect(message.contains("after 10 rows") && message.contains("worker 3 went away"), "\(message)")
        }
    }

    @Test func errorsBeforeRowsAreDALIErrorDocuments() async throws {
        try await withService { client in
            let response = try await get(client, format: "json", query: "SELECT * FROM secret")
            #expect(response.status == .forbidden)
            #expect(try response.votable().statuses == ["ERROR"])
        }
    }

    @Test func votableBinary() async throws {
        try await withService { client in
            for format in ["votable/b", "binary", "application/x-votable+xml;serialization=binary"] {
                let response = try await get(client, format: format)
                #expect(response.status == .ok)
                #expect(response.contentType == "application/x-votable+xml")
                let doc = try response.votable()
                #expect(doc.statuses == ["OK"])
                #expect(doc.first("BINARY") != nil && doc.first("BINARY2") == nil)
                let fields = doc.all("FIELD")
                #expect(fields[0].first("VALUES")?.attributes["null"] == "-9223372036854775808")
                let data = try #require(
                    Data(base64Encoded: doc.first("STREAM")?.text ?? "", options: .ignoreUnknownCharacters))
                // 5 rows without flags: long + double + (4 + name) + boolean.
                let nameBytes = ["alpha", "<b>&\"c\"", "", "δ, \"quoted\"", "five"].map(\.utf8.count).reduce(0, +)
                #expect(data.count == 5 * (8 + 8 + 4 + 1) + nameBytes)
                // Row 3: ra NaN, an empty name, ok '?'.
                let row3 = 2 * (8 + 8 + 4 + 1) + "alpha".utf8.count + "<b>&\"c\"".utf8.count
                #expect(Array(data[row3..<(row3 + 8)]) == [0, 0, 0, 0, 0, 0, 0, 3])
                #expect(Array(data[(row3 + 16)..<(row3 + 21)]) == [0, 0, 0, 0, UInt8(ascii: "?")])
            }
        }
    }

    @Test func unknownFormatNamesTheNewOnes() async throws {
        try await withService { client in
            let response = try await get(client, format: "fits")
            #expect(response.status == .badRequest)
            let message = try response.votable().errorMessage ?? ""
            #expect(message.contains("votable/b,") && message.contains("json"), "\(message)")
        }
    }
}

@Suite struct ExamplesAndCapabilitiesTests {
    @Test func examplesDocument() async throws {
        try await withService { client in
            try await client.execute(uri: "/tap/examples", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.contentType?.hasPrefix("application/xhtml+xml") == true)
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.name == "html")
                let body = try #require(doc.first("body"))
                #expect(body.attributes["vocab"] == "http://www.ivoa.net/rdf/examples#")
                var examples: [XMLElement_] = []
                func collect(_ e: XMLElement_) {
                    if e.attributes["typeof"] == "example" { examples.append(e) }
                    e.children.forEach(collect)
                }
                collect(doc)
                #expect(examples.count >= 12)
                var ids = Set<String>()
                for example in examples {
                    let id = try #require(example.attributes["id"])
                    #expect(ids.insert(id).inserted, "\(id) repeats")
                    #expect(example.attributes["resource"] == "#" + id)
                    func withProperty(_ p: String) -> [XMLElement_] {
                        var found: [XMLElement_] = []
                        func walk(_ e: XMLElement_) {
                            if e.attributes["property"] == p { found.append(e) }
                            e.children.forEach(walk)
                        }
                        walk(example)
                        return found
                    }
                    #expect(withProperty("name").count == 1, "\(id)")
                    let query = try #require(withProperty("query").first?.text)
                    #expect(query.uppercased().contains("SELECT"), "\(id)")
                }
                #expect(!response.text.contains("{{"))
            }
        }
    }

    @Test func capabilitiesDeclareFormatsLimitsAndExamples() async throws {
        var configuration = testConfiguration
        configuration.jobLimits.defaultExecutionDuration = 600
        configuration.jobLimits.maxExecutionDuration = 7200
        configuration.jobLimits.defaultRetention = .seconds(86400)
        configuration.jobLimits.maxRetention = .seconds(3 * 86400)
        try await withService(configuration: configuration) { client in
            let response = try await client.execute(uri: "/tap/capabilities", method: .get)
            let doc = try XMLTreeBuilder.parse(response.bytes)
            let capabilities = doc.all("capability")
            let tap = try #require(capabilities.first { $0.attributes["standardID"] == "ivo://ivoa.net/std/TAP" })
            let mimes = tap.all("outputFormat").compactMap { $0.first("mime")?.text }
            #expect(
                mimes == [
                    "application/x-votable+xml", "application/x-votable+xml;serialization=binary",
                    "application/x-votable+xml;serialization=binary2", "text/csv", "text/tab-separated-values",
                    "application/json",
                ])
            let aliases = tap.all("alias").map(\.text)
            #expect(Set(aliases).isSuperset(of: ["votable", "votable/b", "binary", "votable/b2", "csv", "tsv", "json"]))
            #expect(tap.first("uploadMethod") == nil)
            #expect(tap.first("executionDuration")?.first("default")?.text == "600")
            #expect(tap.first("executionDuration")?.first("hard")?.text == "7200")
            #expect(tap.first("retentionPeriod")?.first("default")?.text == "86400")
            #expect(tap.first("retentionPeriod")?.first("hard")?.text == "259200")
            // TAPRegExt's order: outputFormat, uploadMethod, retentionPeriod, executionDuration, outputLimit.
            let order = tap.children.map(\.name).filter {
                ["outputFormat", "retentionPeriod", "executionDuration", "outputLimit"].contains($0)
            }
            #expect(order.suffix(3) == ["retentionPeriod", "executionDuration", "outputLimit"])
            // DALI 1.1's identifier, and the plain one that DALI 1.0 clients (TOPCAT, taplint) look for.
            for id in ["ivo://ivoa.net/std/DALI#examples-1.0", "ivo://ivoa.net/std/DALI#examples"] {
                let examples = try #require(capabilities.first { $0.attributes["standardID"] == id })
                let url = try #require(examples.first("accessURL")?.text)
                #expect(url.hasPrefix("http://") && url.hasSuffix("/tap/examples"))
                #expect(examples.first("interface")?.attributes["xsi:type"] == "vr:WebBrowser")
            }

            // Every declared alias and MIME type is accepted as RESPONSEFORMAT.
            for name in aliases + mimes {
                let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("RESPONSEFORMAT", name)])
                let answer = try await client.execute(uri: uri, method: .get)
                #expect(answer.status == .ok, "\(name)")
            }
        }
    }
}

@Suite struct CORSTests {
    static let preflightPaths = [
        "/tap", "/tap/sync", "/tap/async", "/tap/async/abc", "/tap/async/abc/phase", "/tap/async/abc/results",
        "/tap/async/abc/results/result", "/tap/tables", "/tap/capabilities", "/tap/availability", "/tap/examples",
    ]

    @Test func preflight() async throws {
        try await withService { client in
            for path in Self.preflightPaths {
                let headers: HTTPFields = [
                    .origin: "https://portal.example.org", .accessControlRequestMethod: "POST",
                    .accessControlRequestHeaders: "authorization, content-type",
                ]
                try await client.execute(uri: path, method: .options, headers: headers) { response in
                    #expect(response.status == .noContent, "\(path)")
                    #expect(response.headers[.accessControlAllowOrigin] == "*", "\(path)")
                    #expect(response.headers[.accessControlAllowCredentials] == nil)
                    let methods = Set(
                        (response.headers[.accessControlAllowMethods] ?? "").split(separator: ",").map {
                            $0.trimmingCharacters(in: .whitespaces)
                        })
                    #expect(methods == ["GET", "POST", "DELETE", "OPTIONS"], "\(path)")
                    let allowed = (response.headers[.accessControlAllowHeaders] ?? "").lowercased()
                    #expect(allowed.contains("authorization") && allowed.contains("content-type"), "\(path)")
                    #expect(response.headers[.accessControlExposeHeaders] == "Location, Content-Disposition")
                }
            }
        }
    }

    @Test func simpleRequests() async throws {
        try await withService { client in
            let origin: HTTPFields = [.origin: "https://portal.example.org"]
            for path in ["/tap/capabilities", "/tap/availability", "/tap/examples", "/tap/tables", "/tap/async"] {
                try await client.execute(uri: path, method: .get, headers: origin) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == "*", "\(path)")
                    #expect(response.headers[.accessControlExposeHeaders] == "Location, Content-Disposition", "\(path)")
                }
            }
            let body = formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            var headers = formHeaders
            headers[.origin] = "https://portal.example.org"
            try await client.execute(uri: "/tap/sync", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                let doc = try response.votable()
                #expect(doc.rows.count == 5)
            }
            // Errors carry the headers too, so that a page can read the DALI error document.
            try await client.execute(uri: "/tap/sync?LANG=ADQL", method: .get, headers: origin) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    @Test func asyncRedirectsExposeTheirLocation() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-cors-jobs-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = testConfiguration
        configuration.jobsDirectory = scratch.path
        try await withService(configuration: configuration) { client in
            let body = formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            var headers = formHeaders
            headers[.origin] = "https://portal.example.org"
            try await client.execute(uri: "/tap/async", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.contains("/tap/async/") == true)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlExposeHeaders]?.contains("Location") == true)
            }
        }
    }
}
