import Foundation
import Hummingbird
import HummingbirdTesting
import TAPService
import TestSupport
import Testing

/// CORS with a configured list of origins (`cors-origins`): an allowed origin gets itself back,
/// another gets no CORS headers, on the TAP endpoints and their preflights.
@Suite struct CORSOriginsTests {
    static let allowed = "https://portal.example.org"
    static var configuration: TAPServiceConfiguration {
        var c = testConfiguration
        c.corsOrigins = [allowed, "http://localhost:8000/"]
        return c
    }
    static let paths = ["/tap/sync", "/tap/async", "/tap/tables", "/tap/capabilities", "/tap/examples"]

    func preflight(from origin: String) -> HTTPFields {
        [.origin: origin, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization, content-type"]
    }

    @Test func allowedOriginGetsItselfBackOnPreflightAndRequests() async throws {
        let scratch = ScratchDirectory.make(prefix: "skyshard-cors-origins-")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configuration = Self.configuration
        configuration.jobsDirectory = scratch.path
        try await withService(configuration: configuration) { client in
            for path in Self.paths {
                try await client.execute(uri: path, method: .options, headers: preflight(from: Self.allowed)) { response in
                    #expect(response.status == .noContent, "\(path)")
                    #expect(response.headers[.accessControlAllowOrigin] == Self.allowed, "\(path)")
                    #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true, "\(path)")
                    #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
                    #expect(response.headers[.vary]?.contains("Origin") == true, "\(path)")
                }
                try await client.execute(uri: path, method: .get, headers: [.origin: Self.allowed]) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == Self.allowed, "\(path)")
                    #expect(response.headers[.accessControlExposeHeaders] == "Location, Content-Disposition", "\(path)")
                }
            }
            // Origins compare without case and without the configured trailing slash.
            try await client.execute(uri: "/tap/capabilities", method: .get, headers: [.origin: "http://LOCALHOST:8000"]) {
                #expect($0.headers[.accessControlAllowOrigin] == "http://LOCALHOST:8000")
            }
            var headers = formHeaders
            headers[.origin] = Self.allowed
            let body = formBody([("LANG", "ADQL"), ("QUERY", "SELECT * FROM t")])
            try await client.execute(uri: "/tap/sync", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                let rows = try response.votable().rows.count
                #expect(rows == 5)
            }
        }
    }

    @Test func otherOriginsGetNoCORSHeaders() async throws {
        try await withService(configuration: Self.configuration) { client in
            for origin in ["https://evil.example.com", "https://portal.example.org.evil.example.com", "null"] {
                for path in Self.paths {
                    try await client.execute(uri: path, method: .options, headers: preflight(from: origin)) { response in
                        #expect(response.headers[.accessControlAllowOrigin] == nil, "\(origin) \(path)")
                        #expect(response.headers[.accessControlAllowMethods] == nil, "\(origin) \(path)")
                        #expect(response.headers[.accessControlAllowHeaders] == nil, "\(origin) \(path)")
                    }
                }
                try await client.execute(uri: "/tap/capabilities", method: .get, headers: [.origin: origin]) { response in
                    // The answer itself is unchanged (a non-browser client is not refused);
                    // the browser withholds it from the other origin's page.
                    #expect(response.status == .ok)
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                    #expect(response.headers[.accessControlExposeHeaders] == nil)
                    #expect(response.headers[.vary]?.contains("Origin") == true)
                }
            }
        }
    }

    @Test func starAllowsAnyOrigin() async throws {
        var configuration = testConfiguration
        configuration.corsOrigins = ["https://a.example.org", "*"]
        try await withService(configuration: configuration) { client in
            try await client.execute(uri: "/tap/sync", method: .options, headers: preflight(from: "https://b.example.org")) {
                #expect($0.headers[.accessControlAllowOrigin] == "*")
                #expect($0.headers[.vary] == nil)
            }
        }
    }
}

/// The built-in web page's routes: `/` (the page, with the TAP path filled in) and
/// `/static/{file}` (its other files, with types, validators and 304s).
@Suite struct WebPageRouteTests {
    @Test func pageAtTheRootNamesTheTAPPath() async throws {
        try await withService { client in
            try await client.execute(uri: "/?adql=SELECT%201", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                let html = String(decoding: response.body.readableBytesView, as: UTF8.self)
                #expect(html.contains("data-tap=\"/tap\""))
                #expect(html.contains("id=\"results\"") && html.contains("id=\"skyplot\""))
                #expect(html.contains("src=\"/static/main.js\""))
                #expect(!html.contains("{{"), "every placeholder is filled")
            }
            // The landing page keeps its place.
            try await client.execute(uri: "/tap", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test(arguments: [
        ("main.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8"),
        ("table.js", "text/javascript; charset=utf-8"), ("skyplot.js", "text/javascript; charset=utf-8"),
    ])
    func staticFiles(name: String, type: String) async throws {
        try await withService { client in
            let etag = try await client.execute(uri: "/static/" + name, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == type)
                #expect(response.body.readableBytes > 100)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/static/" + name, method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/static/" + name, method: .get, headers: [.ifNoneMatch: "\"other\""]) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test(arguments: ["/static/missing.js", "/static/..%2FWebPage.swift", "/static/index.html", "/static/"])
    func onlyThePageFilesAreServed(uri: String) async throws {
        try await withService { client in
            try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
        }
    }

    @Test func withTheTAPEndpointsAtTheRootThePageMovesToPortal() async throws {
        var configuration = testConfiguration
        configuration.basePath = "/"
        try await withService(configuration: configuration) { client in
            try await client.execute(uri: "/portal", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(decoding: response.body.readableBytesView, as: UTF8.self)
                #expect(html.contains("data-tap=\"\"") && html.contains("src=\"/portal/static/main.js\""))
            }
            try await client.execute(uri: "/portal/static/main.js", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/sync?LANG=ADQL&QUERY=SELECT%20*%20FROM%20t", method: .get) {
                #expect($0.status == .ok)
            }
        }
    }
}
