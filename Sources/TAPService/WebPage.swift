import Foundation
import Hummingbird

/// The files of the built-in web page (`Sources/TAPService/Web/`, a package resource): the
/// HTML, the style sheet and the JavaScript modules, read once at start-up and served from
/// memory. Nothing on the page comes from another host; the browser runs the files as they
/// are (no build step).
///
/// Routes (`TAPServer.addWebRoutes`):
///
/// ```
/// GET /                the page (index.html, with the TAP path filled in); ?adql=... runs a query
/// GET /static/{file}   the page's other files, by exact name (no paths: nothing else is reachable)
/// ```
struct WebAssets: Sendable {
    /// One file, ready to send.
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
        /// A validator of the content: its 64-bit FNV-1a hash, quoted (the files are the
        /// service's own, so a collision would only cost a stale cache).
        var etag: String
    }

    /// The page itself, a template: `{{tapPath}}` is the TAP base path, `{{staticPath}}` that
    /// of the other files, `{{title}}` the service's title.
    let index: Template
    /// Every other file of the folder, by name.
    let files: [String: Asset]
    let directory: String

    /// The folder name inside the resource bundle and in the source tree.
    static let folderName = "Web"

    /// Reads the folder; nil when no copy of it is found (the page then answers 404 and the
    /// rest of the service is unaffected).
    init?() {
        let fm = FileManager.default
        guard let directory = Self.candidateDirectories.first(where: { fm.fileExists(atPath: $0 + "/index.html") }),
            let names = try? fm.contentsOfDirectory(atPath: directory),
            let indexData = fm.contents(atPath: directory + "/index.html")
        else { return nil }
        var files: [String: Asset] = [:]
        for name in names where name != "index.html" && !name.hasPrefix(".") {
            guard let data = fm.contents(atPath: directory + "/" + name) else { continue }
            let bytes = [UInt8](data)
            files[name] = Asset(bytes: bytes, contentType: Self.contentType(of: name), etag: Self.etag(bytes))
        }
        self.directory = directory
        self.files = files
        self.index = Template(name: "index.html", text: String(decoding: indexData, as: UTF8.self))
    }

    /// Where the folder is looked for, in order: `$SKYSHARD_WEB_DIR`; the package's resource
    /// bundle beside the running executable (where `swift build` puts it and an installation
    /// copies it); the source checkout this module was built from. (Not `Bundle.module`: its
    /// accessor stops the process when the bundle is missing.)
    static var candidateDirectories: [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["SKYSHARD_WEB_DIR"], !env.isEmpty { paths.append(env) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for directory in [executable, Bundle.main.bundleURL] {
            paths.append(directory.appendingPathComponent("skyshard_TAPService.resources/\(folderName)").path)
        }
        paths.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(folderName).path)
        return paths
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }

    static func etag(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\"" + String(hash, radix: 16) + "\""
    }

    /// Headers every file of the page carries. The page talks to its own origin only, so the
    /// content security policy allows nothing else (blob: URLs are the downloads it makes).
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        referrerPolicy: "no-referrer",
    ]

    /// A constant, valid header name (HTTPTypes has no name for it).
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
}

extension TAPServer {
    /// Adds the web page's routes (`/` and `/static/{file}`); returns their paths. When the
    /// TAP endpoints themselves live at the root (an empty base path) the landing page keeps
    /// `/` and the page is served at `/portal` instead.
    func addWebRoutes<Context: RequestContext>(to router: some RouterMethods<Context>, base: String) -> [String] {
        let root = base.isEmpty ? "/portal" : "/"
        let prefix = base.isEmpty ? "/portal" : ""
        router.get(RouterPath(root)) { request, _ in self.webPage(request) }
        router.get(RouterPath(prefix + "/static/:file")) { request, context in
            self.webFile(request, name: context.parameters.get("file") ?? "")
        }
        return [root, prefix + "/static/:file"]
    }

    func webPage(_ request: Request) -> Response {
        guard let web else { return Self.noWebPage }
        let base = configuration.normalizedBasePath
        let body = web.index.render([
            "tapPath": .text(base),
            "staticPath": .text(base.isEmpty ? "/portal/static" : "/static"),
            "title": .text(configuration.title),
        ])
        var headers = WebAssets.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        // Rendered per request: the browser asks again each time.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    func webFile(_ request: Request, name: String) -> Response {
        guard let web else { return Self.noWebPage }
        guard let asset = web.files[name] else {
            return Self.plainTextAnswer(to: TAPServiceError(.notFound, "The page has no such file."))
        }
        var headers = WebAssets.securityHeaders
        headers[.eTag] = asset.etag
        // Kept by the browser, checked with If-None-Match each time: a new version of the
        // service never runs with yesterday's scripts.
        headers[.cacheControl] = "no-cache"
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    static var noWebPage: Response {
        plainTextAnswer(
            to: TAPServiceError(
                .notFound,
                "The web page's files were not found; install skyshard_TAPService.resources beside the skyshard executable or set SKYSHARD_WEB_DIR."
            ))
    }
}
