import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import Tabular
import TestSupport
import Testing
import VOTable

/// TAP 1.1 UPLOAD over a real socket: multipart bodies built here, with tables written by the
/// project's own VOTable writer, reach the engine as `UploadedTable`s (sync, async, and async
/// after the job was stored and the service restarted); refusals say what is wrong.
@Suite struct UploadTests {
    static let fields = [
        FieldDescriptor(name: "id", datatype: .long),
        FieldDescriptor(name: "ra", datatype: .double, unit: "deg"),
        FieldDescriptor(name: "label", datatype: .char),
    ]

    /// Rows with NULLs in every column (written as empty cells, NaN and null flags).
    static let rowsWithNulls: [[Value]] = [
        [.integer(1), .real(10.5), .text("alpha")],
        [.integer(2), .null, .null],
        [.null, .real(-0.25), .text("δ, \"quoted\" <x>")],
    ]

    static let plainRows: [[Value]] = [
        [.integer(7), .real(1.5), .text("a")],
        [.integer(-8), .real(2e-300), .text("bc")],
    ]

    /// A VOTable document of `rows`, written by `VOTableWriter`.
    static func table(
        _ rows: [[Value]], _ serialization: VOTableWriter.Serialization = .tabledata,
        fields: [FieldDescriptor] = fields
    ) -> [UInt8] {
        VOTableWriter.document(fields: fields, serialization: serialization, rows: rows)
    }

    static let boundary = "----skyshard-upload-test-3d9f"
    static let multipartHeaders: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]

    /// A `multipart/form-data` body: plain fields, then file parts.
    static func multipart(_ fields: [(String, String)], files: [(name: String, bytes: [UInt8])] = []) -> ByteBuffer {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array(
                ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.name).xml\"\r\n"
                    + "Content-Type: application/x-votable+xml\r\n\r\n").utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    static func query(_ adql: String = "SELECT * FROM TAP_UPLOAD.stars") -> [(String, String)] {
        [("LANG", "ADQL"), ("QUERY", adql)]
    }

    /// `n` rows of about 100 bytes each in TABLEDATA.
    static func wideRows(_ n: Int) -> [[Value]] {
        (0..<n).map { [.integer(Int64($0)), .real(Double($0) / 3), .text(String(repeating: "x", count: 40))] }
    }

    static func rows(of table: UploadedTable) -> [[Value]] {
        (0..<table.rows.rowCount).map { Array(table.rows.row($0)) }
    }

    /// POSTs to `/tap/sync`; returns the status and the DALI error message, if any.
    static func sync(
        _ client: some TestClientProtocol, _ body: ByteBuffer, headers: HTTPFields = multipartHeaders
    ) async throws -> (status: HTTPResponse.Status, error: String?) {
        try await client.execute(uri: "/tap/sync", method: .post, headers: headers, body: body) { response in
            let doc = try response.votable()
            return (response.status, response.status == .ok ? nil : doc.errorMessage)
        }
    }

    // MARK: Sync

    @Test func syncTablesReachTheEngineWithTheirFieldsAndValues() async throws {
        let engine = TestEngine(acceptsUploads: true)
        try await withService(engine) { client in
            // Two UPLOAD parameters (repeated), part names in another case than the references.
            let body = Self.multipart(
                Self.query() + [("UPLOAD", "stars,param:p1"), ("upload", "Mixed_2,param:P2"), ("RUNID", "r")],
                files: [("P1", Self.table(Self.rowsWithNulls)), ("p2", Self.table(Self.rowsWithNulls, .binary2))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .ok, "\(answer.error ?? "")")
        }
        let uploads = try #require(engine.lastRequest?.uploads)
        #expect(uploads.map(\.name) == ["stars", "Mixed_2"])
        for table in uploads {
            #expect(table.fields.map(\.name) == ["id", "ra", "label"])
            #expect(table.fields.map(\.datatype) == [.long, .double, .char])
            #expect(table.fields[1].unit == "deg")
            #expect(Self.rows(of: table) == Self.rowsWithNulls, "\(table.name)")
        }
        #expect(engine.lastRequest?.runID == "r")
    }

    @Test(arguments: [VOTableWriter.Serialization.tabledata, .binary, .binary2])
    func eachSerializationIsRead(_ serialization: VOTableWriter.Serialization) async throws {
        let engine = TestEngine(acceptsUploads: true)
        try await withService(engine) { client in
            // One UPLOAD value listing two tables; the second sent as a plain field, not a file.
            let second = String(decoding: Self.table(Self.plainRows), as: UTF8.self)
            let body = Self.multipart(
                Self.query() + [("UPLOAD", "stars,param:t;other , param:f"), ("f", second)],
                files: [("t", Self.table(Self.plainRows, serialization))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .ok, "\(answer.error ?? "")")
        }
        let uploads = try #require(engine.lastRequest?.uploads)
        #expect(uploads.map(\.name) == ["stars", "other"])
        #expect(uploads.map { Self.rows(of: $0) } == [Self.plainRows, Self.plainRows])
    }

    @Test func urlUploadsAreRefused() async throws {
        let engine = TestEngine(acceptsUploads: true)
        try await withService(engine) { client in
            for uri in ["http://example.org/t.vot", "https://example.org/t.vot", "ftp://example.org/t.vot", "ivo://x/y"] {
                let get = "/tap/sync?" + queryString(Self.query() + [("UPLOAD", "stars,\(uri)")])
                try await client.execute(uri: get, method: .get) { response in
                    #expect(response.status == .badRequest)
                    let message = try #require(try response.votable().errorMessage)
                    #expect(message.contains("does not fetch tables from URLs"), "\(message)")
                    #expect(message.contains("UPLOAD=stars,param:stars"), "\(message)")
                }
            }
        }
        #expect(engine.lastRequest == nil)
    }

    @Test(arguments: [
        ("x;DROP TABLE y,param:p", "not a table name and a URI"),
        ("x,param:p;DROP TABLE y,param:p", "\"DROP TABLE y\" is not valid"),
        ("x'y,param:p", "is not valid"),
        ("\"x\",param:p", "is not valid"),
        ("t\"; DROP TABLE y; --,param:p", "not a table name and a URI"),
        ("t1,param:p;t\"x,param:p", "is not valid"),
        ("1abc,param:p", "is not valid"),
        ("_abc,param:p", "is not valid"),
        ("TAP_UPLOAD.x,param:p", "is not valid"),
        ("é,param:p", "is not valid"),
        (String(repeating: "a", count: 65) + ",param:p", "at most 64 characters"),
        ("t1,param:p;T1,param:p", "more than once"),
        ("stars", "not a table name and a URI"),
        ("stars,param:", "names no part"),
        ("stars,p", "must be param:part"),
        ("", "UPLOAD is empty"),
        ("stars,param:nothere", "no part named nothere"),
    ])
    func badUploadParametersAreRefused(_ upload: String, _ expected: String) async throws {
        let engine = TestEngine(acceptsUploads: true)
        try await withService(engine) { client in
            let body = Self.multipart(
                Self.query() + [("UPLOAD", upload)], files: [("p", Self.table(Self.plainRows))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .badRequest)
            #expect(answer.error?.contains(expected) == true, "\(answer.error ?? "no error")")
        }
        #expect(engine.lastRequest == nil)
    }

    @Test func aLongNameIsAccepted() async throws {
        let engine = TestEngine(acceptsUploads: true)
        let name = "T" + String(repeating: "a_9", count: 21)
        #expect(name.count == 64)
        try await withService(engine) { client in
            let body = Self.multipart(Self.query() + [("UPLOAD", "\(name),param:p")], files: [("p", Self.table([]))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .ok, "\(answer.error ?? "")")
        }
        #expect(engine.lastRequest?.uploads.map(\.name) == [name])
        #expect(engine.lastRequest?.uploads.first?.rows.rowCount == 0)
    }

    @Test(arguments: [
        (["ra", "RA"], "two columns named \"ra\" and \"RA\""),
        (["ra", ""], "a column without a name (FIELD 2)"),
        (["ra", "  "], "a column without a name (FIELD 2)"),
    ])
    func badColumnNamesAreRefused(_ names: [String], _ expected: String) async throws {
        let engine = TestEngine(acceptsUploads: true)
        let fields = names.map { FieldDescriptor(name: $0, datatype: .double) }
        try await withService(engine) { client in
            let body = Self.multipart(
                Self.query() + [("UPLOAD", "stars,param:p")],
                files: [("p", Self.table([[.real(1), .real(2)]], fields: fields))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .badRequest)
            #expect(answer.error?.contains("The uploaded table stars has " + expected) == true, "\(answer.error ?? "")")
        }
        #expect(engine.lastRequest == nil)
    }

    @Test func aDocumentThatIsNoVOTableIsRefused() async throws {
        try await withService(TestEngine(acceptsUploads: true)) { client in
            let body = Self.multipart(
                Self.query() + [("UPLOAD", "stars,param:p")], files: [("p", Array("id,ra\n1,2\n".utf8))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .badRequest)
            #expect(answer.error?.hasPrefix("The uploaded table stars cannot be read as a VOTable: ") == true)
        }
    }

    /// The limits, each refused with its setting's name; the body limit does not stand in the
    /// way of an upload within upload-max-bytes.
    @Test func limitsAreEnforcedByName() async throws {
        var configuration = testConfiguration
        configuration.maxRequestBodyBytes = 1024
        configuration.uploadLimits = UploadLimits(maxBytes: 64 * 1024, maxRows: 100, maxTables: 2)
        let engine = TestEngine(acceptsUploads: true)
        try await withService(engine, configuration: configuration) { client in
            // Larger than the body limit, within the upload limits: accepted.
            let fits = Self.table(Self.wideRows(100))
            #expect(fits.count > 4 * 1024 && fits.count < 64 * 1024)
            var answer = try await Self.sync(
                client, Self.multipart(Self.query() + [("UPLOAD", "stars,param:p")], files: [("p", fits)]))
            #expect(answer.status == .ok, "\(answer.error ?? "")")
            #expect(engine.lastRequest?.uploads.first?.rows.rowCount == 100)

            // Rows.
            answer = try await Self.sync(
                client,
                Self.multipart(Self.query() + [("UPLOAD", "stars,param:p")], files: [("p", Self.table(Self.wideRows(101)))]))
            #expect(answer.status == .contentTooLarge)
            #expect(
                answer.error == "The uploaded table stars has more rows than the limit upload-max-rows of this service (100).")

            // Bytes: the files together, however many tables.
            let half = Self.table(Self.wideRows(5)) + Array(repeating: UInt8(ascii: " "), count: 33 * 1024)
            answer = try await Self.sync(
                client,
                Self.multipart(
                    Self.query() + [("UPLOAD", "a,param:a;b,param:b")], files: [("a", half), ("b", half)]))
            #expect(answer.status == .contentTooLarge)
            #expect(
                answer.error == "The uploaded tables are larger than the limit upload-max-bytes of this service (65536 bytes).")

            // Tables.
            let small = Self.table(Self.wideRows(1))
            answer = try await Self.sync(
                client,
                Self.multipart(
                    Self.query() + [("UPLOAD", "a,param:a;b,param:b"), ("UPLOAD", "c,param:c")],
                    files: [("a", small), ("b", small), ("c", small)]))
            #expect(answer.status == .badRequest)
            #expect(answer.error == "The request uploads 3 tables, more than the limit upload-max-tables of this service (2).")

            // The plain fields still have the body limit.
            answer = try await Self.sync(
                client, Self.multipart([("LANG", "ADQL"), ("QUERY", "SELECT 1 -- " + String(repeating: "y", count: 2000))]))
            #expect(answer.status == .contentTooLarge)
            #expect(answer.error == "The request body is larger than 1024 bytes.")
        }
        #expect(engine.log.count == 1)
    }

    @Test func capabilitiesDeclareTheInlineMethodAndTheByteLimit() async throws {
        var configuration = testConfiguration
        configuration.uploadLimits.maxBytes = 12345
        try await withService(TestEngine(acceptsUploads: true), configuration: configuration) { client in
            let response = try await client.execute(uri: "/tap/capabilities", method: .get)
            let doc = try XMLTreeBuilder.parse(response.bytes)
            let tap = try #require(
                doc.all("capability").first { $0.attributes["standardID"] == "ivo://ivoa.net/std/TAP" })
            #expect(tap.all("uploadMethod").map { $0.attributes["ivo-id"] } == ["ivo://ivoa.net/std/TAPRegExt#upload-inline"])
            let limit = try #require(tap.first("uploadLimit"))
            for element in ["default", "hard"] {
                #expect(limit.first(element)?.text == "12345")
                #expect(limit.first(element)?.attributes["unit"] == "byte")
            }
            // TAPRegExt's order: ... outputFormat, uploadMethod, retentionPeriod, ..., outputLimit, uploadLimit.
            let names = tap.children.map(\.name)
            #expect(names.lastIndex(of: "outputFormat")! < names.firstIndex(of: "uploadMethod")!)
            #expect(names.firstIndex(of: "uploadMethod")! < names.firstIndex(of: "retentionPeriod")!)
            #expect(names.last == "uploadLimit")
        }
    }

    // MARK: Async

    /// A job created with uploads keeps them in its folder; its parameters show UPLOAD, not
    /// the tables; a later POST to its parameters adds a table; after a restart of the
    /// service the job runs with the tables read back; deleting the job removes them.
    @Test func asyncJobsKeepTheirTablesAcrossARestart() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-upload-jobs-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = testConfiguration
        configuration.jobsDirectory = scratch.path
        let first = TestEngine(acceptsUploads: true)
        try await withService(first, configuration: configuration) { client in
            let body = Self.multipart(
                Self.query("SELECT * FROM TAP_UPLOAD.stars JOIN TAP_UPLOAD.more USING (id)")
                    + [("UPLOAD", "stars,param:p1")],
                files: [("p1", Self.table(Self.rowsWithNulls, .binary2))])
            let location = try await client.execute(
                uri: "/tap/async", method: .post, headers: Self.multipartHeaders, body: body
            ) { response in
                #expect(response.status == .seeOther, "\(response.text)")
                return try #require(response.headers[.location])
            }
            let jobPath = try #require(URL(string: location)?.path)
            // A second table, sent to the job's parameters while it is PENDING.
            let more = Self.multipart([("UPLOAD", "more,param:m")], files: [("m", Self.table(Self.plainRows))])
            try await client.execute(
                uri: jobPath + "/parameters", method: .post, headers: Self.multipartHeaders, body: more
            ) { response in
                #expect(response.status == .seeOther, "\(response.text)")
            }
            try await client.execute(uri: jobPath + "/parameters", method: .get) { response in
                let parameters = try XMLTreeBuilder.parse(response.bytes).all("uws:parameter")
                let upload = parameters.first { $0.attributes["id"]?.lowercased() == "upload" }
                #expect(upload?.text == "stars,param:p1;more,param:m")
                #expect(!response.text.contains("VOTABLE") && !response.text.contains("alpha"))
            }
        }
        let ids = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        let id = try #require(ids.count == 1 ? ids.first : nil)
        let path = "/tap/async/" + id
        #expect(first.lastRequest == nil)  // nothing ran yet
        let uploads = scratch.appendingPathComponent(id).appendingPathComponent("uploads")
        #expect(
            Set((try? FileManager.default.contentsOfDirectory(atPath: uploads.path)) ?? []) == ["stars.vot", "more.vot"])

        // A new service on the same job directory: the job, and its tables, are still there.
        let second = TestEngine(acceptsUploads: true)
        try await withService(second, configuration: configuration) { client in
            try await client.execute(
                uri: path + "/phase", method: .post, headers: formHeaders, body: formBody([("PHASE", "RUN")])
            ) { response in
                #expect(response.status == .seeOther)
            }
            let phase = try await waitForEnd(client, path, as: "anyone")
            let error = try await client.execute(uri: path + "/error", method: .get) { $0.text }
            #expect(phase == "COMPLETED", "\(error)")
            let tables = try #require(second.lastRequest?.uploads)
            #expect(tables.map(\.name) == ["stars", "more"])
            #expect(tables.map { Self.rows(of: $0) } == [Self.rowsWithNulls, Self.plainRows])
            #expect(tables.first?.fields.map(\.name) == ["id", "ra", "label"])
            #expect(second.lastRequest?.parameters["UPLOAD"] == "stars,param:p1;more,param:m")

            try await client.execute(uri: path, method: .delete) { response in
                #expect(response.status == .seeOther)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent(id).path))
    }

    @Test func asyncRefusalsComeWithTheCreatingPost() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-upload-refusals-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = testConfiguration
        configuration.jobsDirectory = scratch.path
        configuration.uploadLimits.maxTables = 1
        try await withService(TestEngine(acceptsUploads: true), configuration: configuration) { client in
            let cases: [(upload: String, files: [(name: String, bytes: [UInt8])])] = [
                ("stars,http://example.org/x", []),
                ("stars,param:p", []),
                ("stars,param:p", [("p", Array("<VOTABLE/>".utf8))]),
                ("a,param:p;b,param:p", [("p", Self.table(Self.plainRows))]),
            ]
            for (upload, files) in cases {
                let body = Self.multipart(Self.query() + [("UPLOAD", upload)], files: files)
                try await client.execute(uri: "/tap/async", method: .post, headers: Self.multipartHeaders, body: body) {
                    response in
                    #expect(response.status == .badRequest, "\(upload): \(response.text)")
                }
            }
            // No job was made, and nothing was left on disk.
            #expect((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) == [])
        }
    }

    @Test func anEngineWithoutUploadsRefusesThem() async throws {
        try await withService(TestEngine(acceptsUploads: false)) { client in
            let body = Self.multipart(Self.query() + [("UPLOAD", "stars,param:p")], files: [("p", Self.table([]))])
            let answer = try await Self.sync(client, body)
            #expect(answer.status == .badRequest)
            #expect(answer.error == "UPLOAD is not accepted by this service.")
            let response = try await client.execute(uri: "/tap/capabilities", method: .get)
            let doc = try XMLTreeBuilder.parse(response.bytes)
            #expect(doc.all("uploadMethod").isEmpty && doc.all("uploadLimit").isEmpty)
        }
    }
}
