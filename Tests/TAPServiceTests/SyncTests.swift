import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TAPService
import Tabular
import TestSupport
import Testing

let testConfiguration = TAPServiceConfiguration(
    host: "127.0.0.1", port: 0, defaultMaxRecords: 1000, hardMaxRecords: 250_000, flushThresholdBytes: 16 * 1024)

/// Runs `body` against the service on a real loopback socket.
func withService(
    _ engine: some TAPQueryEngine = TestEngine(), configuration: TAPServiceConfiguration = testConfiguration,
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var logger = Logger(label: "tap-test")
    logger.logLevel = .warning
    let server = try TAPServer(engine: engine, configuration: configuration, logger: logger)
    try await server.makeApplication().test(.live) { client in try await body(client) }
}

func formBody(_ pairs: [(String, String)]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let text = pairs.map { name, value in
        "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
    }.joined(separator: "&")
    return ByteBuffer(string: text)
}

func queryString(_ pairs: [(String, String)]) -> String {
    String(buffer: formBody(pairs))
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

extension TestResponse {
    var text: String { String(buffer: body) }
    var bytes: [UInt8] { Array(body.readableBytesView) }
    var contentType: String? { headers[.contentType] }

    func votable() throws -> XMLElement_ { try XMLTreeBuilder.parse(bytes) }
}

extension XMLElement_ {
    /// The QUERY_STATUS INFOs of the results resource, in order.
    var statuses: [String] {
        (first("RESOURCE")?.children ?? []).filter { $0.name == "INFO" && $0.attributes["name"] == "QUERY_STATUS" }
            .compactMap { $0.attributes["value"] }
    }
    var errorMessage: String? {
        first("RESOURCE")?.children.first { $0.attributes["value"] == "ERROR" }?.text
    }
    var rows: [[String]] { all("TR").map { $0.children.map(\.text) } }
}

@Suite struct SyncQueryTests {
    @Test func getReturnsVOTable() async throws {
        try await withService { client in
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("REQUEST", "doQuery"), ("QUERY", "SELECT * FROM t")])
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.contentType == "application/x-votable+xml")
                let doc = try response.votable()
                #expect(doc.statuses == ["OK"])
                #expect(doc.all("FIELD").map { $0.attributes["name"] } == ["id", "ra", "name", "ok"])
                #expect(doc.rows.count == 5)
                #expect(doc.rows[1] == ["2", "NaN", "<b>&\"c\"", "F"])
                #expect(doc.rows[2] == ["3", "", "", ""])
                let info = doc.all("INFO").first { $0.attributes["name"] == "QUERY" }
                #expect(info?.attributes["value"] == "SELECT * FROM t")
            }
        }
    }

    @Test func postURLEncodedWithLowerCaseNamesAndMaxrecOverflow() async throws {
        let engine = TestEngine()
        try await withService(engine) { client in
            let body = formBody([("lang", "adql"), ("query", "SELECT id\nFROM t WHERE x < 1 & y > 2"), ("maxrec", "2")])
            try await client.execute(uri: "/tap/sync", method: .post, headers: formHeaders, body: body) { response in
                #expect(response.status == .ok)
                let doc = try response.votable()
                #expect(doc.rows.count == 2)
                #expect(doc.statuses == ["OK", "OVERFLOW"])
                // OVERFLOW comes after the table.
                #expect(doc.first("RESOURCE")?.children.last?.attributes["value"] == "OVERFLOW")
            }
        }
        #expect(engine.lastRequest?.adql == "SELECT id\nFROM t WHERE x < 1 & y > 2")
        #expect(engine.lastRequest?.maxRecords == 2)
        #expect(engine.lastRequest?.rowsNeeded == 3)
    }

    @Test func maxrecEqualToRowCountIsNotOverflow() async throws {
        try await withService { client in
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("MAXREC", "5")])
            try await client.execute(uri: uri, method: .get) { response in
                let doc = try response.votable()
                #expect(doc.rows.count == 5)
                #expect(doc.statuses == ["OK"])
            }
        }
    }

    @Test func maxrecZeroGivesMetadataOnly() async throws {
        try await withService { client in
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("MAXREC", "0")])
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let doc = try response.votable()
                #expect(doc.rows.isEmpty)
                #expect(doc.all("FIELD").count == 4)
                #expect(doc.statuses == ["OK", "OVERFLOW"])
            }
        }
    }

    @Test func maxrecIsCappedAndDefaulted() async throws {
        let engine = TestEngine()
        try await withService(engine) { client in
            let big = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("MAXREC", "999999999")])
            try await client.execute(uri: big, method: .get) { #expect($0.status == .ok) }
            #expect(engine.lastRequest?.maxRecords == 250_000)
            let none = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            try await client.execute(uri: none, method: .get) { #expect($0.status == .ok) }
            #expect(engine.lastRequest?.maxRecords == 1000)
        }
    }

    @Test func multipartFormData() async throws {
        let engine = TestEngine()
        try await withService(engine) { client in
            let boundary = "----pyvo-boundary-7MA4YWxkTrZu0gW"
            var text = ""
            for (name, value) in [
                ("REQUEST", "doQuery"), ("LANG", "ADQL-2.1"), ("QUERY", "SELECT *\r\nFROM t"),
                ("RESPONSEFORMAT", "csv"), ("MAXREC", "3"),
            ] {
                text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            text += "--\(boundary)--\r\n"
            let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
            try await client.execute(uri: "/tap/sync", method: .post, headers: headers, body: ByteBuffer(string: text)) {
                response in
                #expect(response.status == .ok)
                #expect(response.contentType == "text/csv; charset=utf-8")
                #expect(response.text == "id,ra,name,ok\r\n1,10.5,alpha,true\r\n2,NaN,\"<b>&\"\"c\"\"\",false\r\n3,,,\r\n")
            }
        }
        #expect(engine.lastRequest?.adql == "SELECT *\r\nFROM t")
        #expect(engine.lastRequest?.language == "ADQL-2.1")
    }

    /// An engine that does not read uploaded tables: the service refuses UPLOAD.
    @Test func uploadsAreRefused() async throws {
        try await withService { client in
            let boundary = "XyZ"
            let text = """
                --XyZ\r
                Content-Disposition: form-data; name="LANG"\r
                \r
                ADQL\r
                --XyZ\r
                Content-Disposition: form-data; name="QUERY"\r
                \r
                SELECT * FROM TAP_UPLOAD.t1\r
                --XyZ\r
                Content-Disposition: form-data; name="UPLOAD"\r
                \r
                t1,param:t1\r
                --XyZ\r
                Content-Disposition: form-data; name="t1"; filename="t1.xml"\r
                Content-Type: application/x-votable+xml\r
                \r
                <VOTABLE/>\r
                --XyZ--\r

                """
            let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\"\(boundary)\""]
            try await client.execute(uri: "/tap/sync", method: .post, headers: headers, body: ByteBuffer(string: text)) {
                response in
                #expect(response.status == .badRequest)
                let doc = try response.votable()
                #expect(doc.statuses == ["ERROR"])
                #expect(doc.errorMessage == "UPLOAD is not accepted by this service.")
            }
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT 1"), ("upload", "a,http://x/y")])
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                let doc = try response.votable()
                #expect(doc.errorMessage == "UPLOAD is not accepted by this service.")
            }
        }
    }

    @Test(arguments: [
        ([("QUERY", "SELECT 1")], "LANG"),
        ([("LANG", "SQL"), ("QUERY", "SELECT 1")], "LANG=SQL"),
        ([("LANG", "ADQL")], "QUERY"),
        ([("LANG", "ADQL"), ("QUERY", "   ")], "QUERY"),
        ([("LANG", "ADQL"), ("QUERY", "SELECT 1"), ("MAXREC", "-1")], "MAXREC"),
        ([("LANG", "ADQL"), ("QUERY", "SELECT 1"), ("MAXREC", "ten")], "MAXREC"),
        ([("LANG", "ADQL"), ("QUERY", "SELECT 1"), ("RESPONSEFORMAT", "fits")], "RESPONSEFORMAT=fits"),
        ([("LANG", "ADQL"), ("QUERY", "SELECT 1"), ("REQUEST", "getCapabilities")], "REQUEST"),
    ])
    func invalidParametersAre400(parameters: [(String, String)], mentions: String) async throws {
        try await withService { client in
            try await client.execute(uri: "/tap/sync?" + queryString(parameters), method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.contentType == "application/x-votable+xml")
                let doc = try response.votable()
                #expect(doc.statuses == ["ERROR"])
                #expect(doc.errorMessage?.contains(mentions) == true, "\(doc.errorMessage ?? "")")
                #expect(doc.first("TABLE") == nil)
            }
        }
    }

    @Test(arguments: [
        ("SELECT bad FROM", HTTPResponse.Status.badRequest, "line 1, column 16"),
        ("SELECT * FROM nothere", .badRequest, "line 1, column 15: table nothere does not exist"),
        ("SELECT * FROM secret", .forbidden, "table secret is not public"),
        ("SELECT * FROM busy", .serviceUnavailable, "worker 2 is down"),
        ("SELECT * FROM slow", .badRequest, "timeout"),
        ("SELECT * FROM crash", .internalServerError, "Internal error"),
        ("SELECT * FROM weird", .internalServerError, "Internal error"),
    ])
    func queryErrorsMapToStatuses(query: String, status: HTTPResponse.Status, mentions: String) async throws {
        try await withService { client in
            let body = formBody([("LANG", "ADQL"), ("QUERY", query)])
            try await client.execute(uri: "/tap/sync", method: .post, headers: formHeaders, body: body) { response in
                #expect(response.status == status)
                let doc = try response.votable()
                #expect(doc.statuses == ["ERROR"])
                let message = doc.errorMessage ?? ""
                #expect(message.contains(mentions), "\(message)")
                // The service's internals never reach the client.
                #expect(!message.contains("sqlite") && !message.contains("/data/") && !message.contains("Weird"))
            }
        }
    }

    @Test func formatsAndCaseInsensitiveNames() async throws {
        try await withService { client in
            func get(_ pairs: [(String, String)]) async throws -> TestResponse {
                try await client.execute(uri: "/tap/sync?" + queryString(pairs), method: .get)
            }
            let csv = try await get([("LaNg", "adql-2.0"), ("qUeRy", "SELECT * FROM t"), ("format", "CSV")])
            #expect(csv.status == .ok)
            #expect(csv.contentType == "text/csv; charset=utf-8")
            #expect(csv.text.split(separator: "\r\n").count == 6)

            let tsv = try await get([
                ("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("RESPONSEFORMAT", "text/tab-separated-values"),
            ])
            #expect(tsv.contentType == "text/tab-separated-values; charset=utf-8")
            #expect(tsv.text.hasPrefix("id\tra\tname\tok\n1\t10.5\talpha\ttrue\n"))

            let xml = try await get([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("FORMAT", "text/xml")])
            #expect(xml.contentType == "text/xml")
            #expect(try xml.votable().rows.count == 5)

            // RESPONSEFORMAT wins over FORMAT.
            let both = try await get([
                ("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"), ("FORMAT", "csv"),
                ("RESPONSEFORMAT", "votable"),
            ])
            #expect(both.contentType == "application/x-votable+xml")

            let b2 = try await get([
                ("LANG", "ADQL"), ("QUERY", "SELECT * FROM t"),
                ("RESPONSEFORMAT", "application/x-votable+xml;serialization=BINARY2"),
            ])
            #expect(b2.status == .ok)
            let doc = try b2.votable()
            let stream = try #require(doc.first("STREAM"))
            let data = try #require(Data(base64Encoded: stream.text, options: .ignoreUnknownCharacters))
            // 5 rows: 1 flag byte + long + double + (4 + name) + boolean.
            let nameBytes = ["alpha", "<b>&\"c\"", "", "δ, \"quoted\"", "five"].map(\.utf8.count).reduce(0, +)
            #expect(data.count == 5 * (1 + 8 + 8 + 4 + 1) + nameBytes)
            #expect(data[0] == 0)
            let rowSize = 1 + 8 + 8 + 4 + 1
            let row3 = 2 * rowSize + "alpha".utf8.count + "<b>&\"c\"".utf8.count
            let flags: UInt8 = data[row3]
            #expect(flags == 0b0111_0000)  // row 3: ra, name, ok NULL
        }
    }

    @Test func errorAfterRowsIsReportedInVOTable() async throws {
        try await withService { client in
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM failing")])
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let doc = try response.votable()
                #expect(doc.rows.count == 10)
                #expect(doc.statuses == ["OK", "ERROR"])
                let message = doc.errorMessage ?? ""
                #expect(message.contains("after 10 rows"))
                #expect(message.contains("worker 3 went away"))
                #expect(doc.first("RESOURCE")?.children.last?.attributes["value"] == "ERROR")
            }
        }
    }

    @Test func misalignedBatchIsAnErrorNotACrash() async throws {
        try await withService { client in
            let uri = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM misaligned")])
            try await client.execute(uri: uri, method: .get) { response in
                let doc = try response.votable()
                #expect(doc.rows.isEmpty)
                #expect(doc.statuses == ["OK", "ERROR"])
                #expect(doc.errorMessage?.contains("Internal error") == true)
            }
            // The service still answers.
            let ok = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            try await client.execute(uri: ok, method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func concurrentQueries() async throws {
        let engine = TestEngine(bigRowCount: 20_000)
        try await withService(engine) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let query = i % 2 == 0 ? "SELECT * FROM big" : "SELECT * FROM t"
                        let uri =
                            "/tap/sync?"
                            + queryString([
                                ("LANG", "ADQL"), ("QUERY", query), ("MAXREC", "100000"),
                                ("FORMAT", "tsv"),
                            ])
                        let response = try await client.execute(uri: uri, method: .get)
                        return response.text.split(separator: "\n").count - 1
                    }
                }
                var counts: [Int] = []
                for try await n in group { counts.append(n) }
                #expect(counts.sorted() == [5, 5, 5, 5, 20_000, 20_000, 20_000, 20_000])
            }
        }
    }

    @Test func errorAfterRowsAbortsCSV() async throws {
        try await withService { client in
            let port = try #require(client.port)
            let path = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM failing"), ("FORMAT", "csv")])
            let raw = try await RawConnection.getRaw(port: port, path: path)
            let text = String(decoding: raw, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.contains("5,359.999,five,false"))  // the rows before the failure arrived
            // CSV cannot say "incomplete": the chunked transfer is cut without its last chunk.
            #expect(throws: RawConnection.MalformedResponse.self) { try RawConnection.decodeChunked(raw) }
        }
    }

    // The large results are read with a plain socket client: the test client gives a whole
    // request 20 s, which a debug build on a busy 2-core machine should not have to meet.
    @Test func largeResultStreamsCompletely() async throws {
        let probe = ProducerProbe()
        let engine = TestEngine(bigRowCount: 200_000, probe: probe)
        try await withService(engine) { client in
            let port = try #require(client.port)
            let path =
                "/tap/sync?"
                + queryString([
                    ("LANG", "ADQL"), ("QUERY", "SELECT * FROM big"), ("MAXREC", "200000"),
                    ("FORMAT", "csv"),
                ])
            let (status, body) = try await RawConnection.get(port: port, path: path)
            #expect(status.hasPrefix("HTTP/1.1 200"))
            #expect(count("\r\n", in: body) == 200_001)
            let tail = String(decoding: body.suffix(200), as: UTF8.self)
            #expect(tail.contains("\r\n199999,199.999,object number 199999 with some padding text,true\r\n"))
            #expect(tail.hasSuffix("true\r\n"))
        }
        #expect(probe.produced == 200_000)
        #expect(!probe.cancelled)
    }

    @Test func largeVOTableOverflowCancelsProducer() async throws {
        let probe = ProducerProbe()
        let engine = TestEngine(bigRowCount: 200_000, probe: probe)
        try await withService(engine) { client in
            let port = try #require(client.port)
            let path = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM big"), ("MAXREC", "150000")])
            let (status, body) = try await RawConnection.get(port: port, path: path)
            #expect(status.hasPrefix("HTTP/1.1 200"))
            #expect(count("<TR>", in: body) == 150_000)
            let tail = String(decoding: body.suffix(300), as: UTF8.self)
            #expect(tail.hasSuffix("</TABLE>\n<INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\"/>\n</RESOURCE>\n</VOTABLE>\n"))
            #expect(tail.contains("<TD>149999</TD>"))
        }
        #expect(probe.cancelled)
        #expect(probe.produced < 200_000)
    }
}
