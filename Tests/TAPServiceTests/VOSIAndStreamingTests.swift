import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import Tabular
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct CatalogEngine: TAPQueryEngine {
    func execute(_ request: TAPQueryRequest) async throws -> QueryResult {
        .materialized(fields: [], rows: [])
    }

    func tableSet() async throws -> TAPTableSet? {
        TAPTableSet(schemas: [
            TAPTableSet.Schema(
                name: "dp1", description: "Data Preview <1>",
                tables: [
                    TAPTableSet.Table(
                        name: "dp1.Object", description: "Objects & sources",
                        columns: [
                            .init(
                                FieldDescriptor(name: "objectId", datatype: .long, ucd: "meta.id;meta.main"),
                                indexed: true, principal: true, nullable: false),
                            .init(FieldDescriptor(name: "coord_ra", datatype: .double, unit: "deg", ucd: "pos.eq.ra")),
                        ])
                ])
        ])
    }

    func availability() async -> TAPAvailability {
        TAPAvailability(isAvailable: false, note: "worker 2 is down for maintenance")
    }
}

@Suite struct VOSITests {
    @Test func capabilities() async throws {
        try await withService { client in
            try await client.execute(uri: "/tap/capabilities", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.contentType?.hasPrefix("text/xml") == true)
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.name == "vosi:capabilities")
                let capabilities = doc.all("capability")
                let tap = try #require(capabilities.first { $0.attributes["standardID"] == "ivo://ivoa.net/std/TAP" })
                #expect(tap.attributes["xsi:type"] == "tr:TableAccess")
                let url = try #require(tap.first("accessURL")?.text)
                #expect(url.hasPrefix("http://") && url.hasSuffix("/tap"))
                #expect(tap.all("version").map(\.text) == ["2.0", "2.1"])
                #expect(tap.first("outputLimit")?.first("default")?.text == "1000")
                #expect(tap.first("outputLimit")?.first("hard")?.text == "250000")
                #expect(tap.all("form").map(\.text).contains("CONTAINS"))
                // Every TAPRegExt feature type once, with the configured forms under it.
                let lists = tap.all("languageFeatures")
                let types = lists.compactMap { $0.attributes["type"] }
                #expect(Set(types).count == types.count)
                func forms(_ type: String) -> [String] {
                    lists.first { $0.attributes["type"] == "ivo://ivoa.net/std/TAPRegExt#features-" + type }?
                        .all("form").map(\.text) ?? []
                }
                #expect(forms("adqlgeo").contains("REGION") && forms("adqlgeo").contains("COORDSYS"))
                #expect(forms("adql-sets") == ["UNION", "EXCEPT", "INTERSECT"])
                #expect(forms("adql-common-table") == ["WITH"])
                #expect(tap.all("alias").map(\.text).contains("votable/b2"))
                #expect(
                    Set(capabilities.compactMap { $0.attributes["standardID"] }).isSuperset(of: [
                        "ivo://ivoa.net/std/VOSI#capabilities", "ivo://ivoa.net/std/VOSI#availability",
                        "ivo://ivoa.net/std/VOSI#tables-1.1",
                    ]))
                #expect(!response.text.contains("{{"))
            }
        }
    }

    @Test func userDefinedFunctionsAreListedWithTheirDescriptions() async throws {
        var configuration = testConfiguration
        configuration.languageFeatures += [
            .userDefined(form: "my_sep(a DOUBLE, b DOUBLE) -> DOUBLE", description: "separation < 1 & more")
        ]
        try await withService(configuration: configuration) { client in
            try await client.execute(uri: "/tap/capabilities", method: .get) { response in
                let doc = try XMLTreeBuilder.parse(response.bytes)
                let udfs = doc.all("languageFeatures").first {
                    $0.attributes["type"] == "ivo://ivoa.net/std/TAPRegExt#features-udf"
                }
                let feature = try #require(udfs?.all("feature").first)
                #expect(feature.first("form")?.text == "my_sep(a DOUBLE, b DOUBLE) -> DOUBLE")
                #expect(feature.first("description")?.text == "separation < 1 & more")
            }
        }
    }

    @Test func publicBaseURLIsUsed() async throws {
        var configuration = testConfiguration
        configuration.publicBaseURL = "https://data.example.org/api/tap/"
        try await withService(configuration: configuration) { client in
            try await client.execute(uri: "/tap/capabilities", method: .get) { response in
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.first("accessURL")?.text == "https://data.example.org/api/tap")
            }
        }
    }

    @Test func availability() async throws {
        try await withService { client in
            try await client.execute(uri: "/tap/availability", method: .get) { response in
                #expect(response.status == .ok)
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.first("vosi:available")?.text == "true")
                #expect(doc.first("vosi:upSince")?.text.contains("T") == true)
                #expect(doc.first("vosi:note") == nil)
            }
        }
        try await withService(CatalogEngine()) { client in
            try await client.execute(uri: "/tap/availability", method: .get) { response in
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.first("vosi:available")?.text == "false")
                #expect(doc.first("vosi:note")?.text == "worker 2 is down for maintenance")
            }
        }
    }

    @Test func tables() async throws {
        try await withService { client in
            try await client.execute(uri: "/tap/tables", method: .get) { #expect($0.status == .notFound) }
        }
        try await withService(CatalogEngine()) { client in
            try await client.execute(uri: "/tap/tables", method: .get) { response in
                #expect(response.status == .ok)
                let doc = try XMLTreeBuilder.parse(response.bytes)
                #expect(doc.name == "vosi:tableset")
                let table = try #require(doc.first("table"))
                #expect(table.first("name")?.text == "dp1.Object")
                #expect(table.first("description")?.text == "Objects & sources")
                let columns = table.all("column")
                #expect(columns.map { $0.first("name")?.text } == ["objectId", "coord_ra"])
                #expect(columns[0].all("flag").map(\.text) == ["indexed", "principal"])
                #expect(columns[1].first("dataType")?.text == "double")
                #expect(columns[1].first("unit")?.text == "deg")
            }
        }
    }

    @Test func landingPage() async throws {
        try await withService { client in
            for path in ["/tap", "/tap/"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.contentType?.hasPrefix("text/html") == true)
                    #expect(response.text.contains("/tap/sync"))
                    #expect(response.text.contains("SkyShard TAP service"))
                }
            }
        }
    }

    @Test func otherBasePath() async throws {
        var configuration = testConfiguration
        configuration.basePath = "/api/tap/"
        try await withService(configuration: configuration) { client in
            let uri = "/api/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/tap/sync", method: .get) { #expect($0.status == .notFound) }
        }
    }
}

/// Runs blocking work (socket reads) on a thread of its own: blocking a thread of Swift's
/// cooperative pool (two threads on a 2-core machine) could starve the server under test.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

/// A plain TCP client, to read a response a little at a time and to hang up mid-stream.
struct RawConnection: Sendable {
    let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        // A safety net, not a synchronisation: a test waiting for bytes that never come fails
        // after 60 s instead of hanging the run.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Reads until at least `count` bytes have arrived (or the peer closes).
    func receive(atLeast count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while result.count < count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            result += buffer[0..<n]
        }
        return result
    }

    func close() { _ = Glibc.close(fd) }

    /// Sends a GET with `Connection: close` and reads the whole response: (status line, de-chunked body).
    static func get(port: Int, path: String) async throws -> (status: String, body: [UInt8]) {
        try decodeChunked(try await getRaw(port: port, path: path))
    }

    /// Sends a GET with `Connection: close` and reads until the server closes.
    static func getRaw(port: Int, path: String) async throws -> [UInt8] {
        try await onOwnThread {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return connection.receive(atLeast: Int.max)
        }
    }

    struct MalformedResponse: Error {}

    /// De-chunks a whole response; with `partial`, a response still arriving: the body of the
    /// chunks complete so far.
    static func decodeChunked(_ raw: [UInt8], partial: Bool = false) throws -> (status: String, body: [UInt8]) {
        let crlf: [UInt8] = [13, 10]
        func findCRLF(from: Int) -> Int? {
            var i = from
            while i + 1 < raw.count {
                if raw[i] == 13 && raw[i + 1] == 10 { return i }
                i += 1
            }
            return nil
        }
        guard let statusEnd = findCRLF(from: 0) else { throw MalformedResponse() }
        let status = String(decoding: raw[0..<statusEnd], as: UTF8.self)
        var pos = statusEnd + 2
        var chunked = false
        while let end = findCRLF(from: pos), end > pos {
            let line = String(decoding: raw[pos..<end], as: UTF8.self).lowercased()
            if line.hasPrefix("transfer-encoding:") && line.contains("chunked") { chunked = true }
            pos = end + 2
        }
        if partial && findCRLF(from: pos) != pos { return (status, []) }  // headers not all here yet
        pos += 2
        guard chunked else { return (status, Array(raw[pos...])) }
        var body: [UInt8] = []
        body.reserveCapacity(raw.count)
        while let end = findCRLF(from: pos) {
            guard let size = Int(String(decoding: raw[pos..<end], as: UTF8.self).split(separator: ";")[0], radix: 16)
            else { throw MalformedResponse() }
            if size == 0 { return (status, body) }
            if partial && end + 2 + size + 2 > raw.count { return (status, body) }
            guard end + 2 + size + 2 <= raw.count, Array(raw[(end + 2 + size)..<(end + 4 + size)]) == crlf
            else { throw MalformedResponse() }
            body += raw[(end + 2)..<(end + 2 + size)]
            pos = end + 4 + size
        }
        if partial { return (status, body) }
        throw MalformedResponse()  // no last chunk: the transfer was cut
    }
}

/// Counts the occurrences of `needle` in `bytes`.
func count(_ needle: String, in bytes: [UInt8]) -> Int {
    let n = Array(needle.utf8)
    return bytes.withUnsafeBufferPointer { b in
        var found = 0
        var i = 0
        while i + n.count <= b.count {
            if b[i] == n[0] {
                var k = 1
                while k < n.count && b[i + k] == n[k] { k += 1 }
                if k == n.count {
                    found += 1
                    i += n.count
                    continue
                }
            }
            i += 1
        }
        return found
    }
}

@Suite(.timeLimit(.minutes(2))) struct StreamingTests {
    static var fastKeepAlive: TAPServiceConfiguration {
        var configuration = testConfiguration
        configuration.keepAliveInterval = .milliseconds(100)
        return configuration
    }

    /// Keep-alive newlines go out while the first rows are not ready: the producer holds its
    /// rows until the client has received three of them after the table's opening tag.
    @Test func keepAliveWhileQueryIsSlow() async throws {
        let probe = ProducerProbe()
        try await withService(TestEngine(probe: probe), configuration: Self.fastKeepAlive) { client in
            let port = try #require(client.port)
            for format in ["votable", "votable/b2"] {
                let path =
                    "/tap/sync?"
                    + queryString([
                        ("LANG", "ADQL"), ("QUERY", "SELECT * FROM slowstart"),
                        ("FORMAT", format),
                    ])
                let opening = format == "votable" ? "<TABLEDATA>\n\n\n" : "<STREAM encoding=\"base64\">\n\n\n"
                let (raw, sawKeepAlives) = try await onOwnThread { () -> ([UInt8], Bool) in
                    let connection = try RawConnection(port: port)
                    defer { connection.close() }
                    connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    var raw: [UInt8] = []
                    var seen = false
                    while !seen {
                        let more = connection.receive(atLeast: 1)
                        if more.isEmpty { break }
                        raw += more
                        if let body = try? RawConnection.decodeChunked(raw, partial: true).body {
                            seen = count(opening, in: body) > 0
                        }
                    }
                    probe.release()
                    raw += connection.receive(atLeast: Int.max)
                    return (raw, seen)
                }
                #expect(sawKeepAlives)
                let (status, body) = try RawConnection.decodeChunked(raw)
                #expect(status.hasPrefix("HTTP/1.1 200"))
                let text = String(decoding: body, as: UTF8.self)
                #expect(text.contains(opening))
                let doc = try XMLTreeBuilder.parse(body)
                #expect(doc.statuses == ["OK"])
                if format == "votable" {
                    #expect(doc.rows.count == 5)
                } else {
                    let data = try #require(Data(base64Encoded: doc.first("STREAM")!.text, options: .ignoreUnknownCharacters))
                    #expect(data.count > 5 * 22)
                }
            }
        }
    }

    @Test func hangupDuringIdleQueryCancels() async throws {
        let probe = ProducerProbe()
        try await withService(TestEngine(probe: probe), configuration: Self.fastKeepAlive) { client in
            let port = try #require(client.port)
            let path = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM idle")])
            let (connection, first) = try await onOwnThread {
                let connection = try RawConnection(port: port)
                connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
                return (connection, connection.receive(atLeast: 200))
            }
            #expect(String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            connection.close()
            await probe.untilCancelled()
            #expect(probe.cancelled)
        }
    }

    @Test func firstBytesArriveWhileProducingAndHangupCancels() async throws {
        let probe = ProducerProbe()
        let engine = TestEngine(bigRowCount: 2_000_000, probe: probe)
        var configuration = testConfiguration
        configuration.hardMaxRecords = 10_000_000
        try await withService(engine, configuration: configuration) { client in
            let port = try #require(client.port)
            let path = "/tap/sync?" + queryString([("LANG", "ADQL"), ("QUERY", "SELECT * FROM big"), ("MAXREC", "2000000")])
            let (connection, first) = try await onOwnThread {
                let connection = try RawConnection(port: port)
                connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
                return (connection, connection.receive(atLeast: 8192))
            }
            let text = String(decoding: first, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.contains("<FIELD name=\"id\""))
            // The client has the start of the table while the producer is far from done.
            #expect(probe.produced < 2_000_000)
            #expect(!probe.cancelled)
            connection.close()
            // The service notices the hang-up at its next write and stops the producer.
            await probe.untilCancelled()
            #expect(probe.cancelled)
            let producedAtCancel = probe.produced
            #expect(producedAtCancel < 2_000_000)
        }
    }
}
