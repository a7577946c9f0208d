import Foundation
import Hummingbird

// The ceiling of the load benchmark (scripts/bench_load.sh): the cheapest answer a Hummingbird
// service can give to a TAP sync request, a fixed one-row VOTable sent from memory. No parsing,
// no query, no writer: what SkyShard reaches against it is its share of what the machine, the
// HTTP server and the client leave for query work.
//
//   ceiling-server [--host 127.0.0.1] [--port 0] [--body FILE]
//
// `--body FILE` answers FILE's bytes instead of the built-in row (the benchmark passes the
// answer SkyShard gives to one lookup, so both send the same bytes). It prints
// `listening on http://HOST:PORT/tap` once the socket listens.

/// The built-in answer: a VOTable of one row with the columns a load test discovers ids from.
let builtIn = """
    <?xml version="1.0" encoding="UTF-8"?>
    <VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
    <RESOURCE type="results">
    <INFO name="QUERY_STATUS" value="OK"/>
    <TABLE>
    <FIELD name="objectId" datatype="long"/>
    <FIELD name="coord_ra" datatype="double" unit="deg"/>
    <FIELD name="coord_dec" datatype="double" unit="deg"/>
    <DATA><TABLEDATA>
    <TR><TD>1567428592185376787</TD><TD>62.0</TD><TD>-37.0</TD></TR>
    </TABLEDATA></DATA>
    </TABLE>
    </RESOURCE>
    </VOTABLE>

    """

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let host = option("--host") ?? "127.0.0.1"
guard let port = Int(option("--port") ?? "0"), (0...65_535).contains(port) else {
    FileHandle.standardError.write(Data("ceiling-server: --port must be 0…65535\n".utf8))
    exit(2)
}
let bytes: [UInt8]
if let file = option("--body") {
    guard let data = FileManager.default.contents(atPath: file) else {
        FileHandle.standardError.write(Data("ceiling-server: cannot read \(file)\n".utf8))
        exit(2)
    }
    bytes = Array(data)
} else {
    bytes = Array(builtIn.utf8)
}
let body = ByteBuffer(bytes: bytes)

let router = Router()
let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
    Response(
        status: .ok, headers: [.contentType: "application/x-votable+xml"], body: ResponseBody(byteBuffer: body))
}
router.get("/tap/sync", use: answer)
router.post("/tap/sync", use: answer)
let app = Application(
    router: router, configuration: .init(address: .hostname(host, port: port), serverName: "ceiling"),
    onServerRunning: { channel in
        let url = "http://\(host):\(channel.localAddress?.port ?? port)/tap"
        FileHandle.standardOutput.write(Data("listening on \(url)\n".utf8))
    })
try await app.runService()
