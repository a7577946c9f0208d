import VOTable

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A text file with `{{name}}` placeholders, read once at start-up.
struct Template: Sendable {
    enum Value {
        /// Plain text, XML-escaped when inserted.
        case text(String)
        /// Markup, inserted as it is.
        case markup(String)
    }

    enum Piece: Sendable {
        case literal(String)
        case placeholder(String)
    }

    let name: String
    let pieces: [Piece]

    init(name: String, text: String) {
        self.name = name
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            pieces.append(.literal(String(rest[..<open.lowerBound])))
            pieces.append(.placeholder(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")))
            rest = rest[close.upperBound...]
        }
        pieces.append(.literal(String(rest)))
        self.pieces = pieces
    }

    var placeholders: Set<String> {
        Set(pieces.compactMap { if case .placeholder(let p) = $0 { p } else { nil } })
    }

    /// The text with every placeholder replaced; an unknown placeholder becomes empty.
    func render(_ values: [String: Value]) -> [UInt8] {
        var out = OutputBuffer(capacity: 4096)
        for piece in pieces {
            switch piece {
            case .literal(let s): out.append(utf8: s)
            case .placeholder(let p):
                switch values[p] {
                case .text(let s)?: out.appendXMLEscaped(s)
                case .markup(let s)?: out.append(utf8: s)
                case nil: break
                }
            }
        }
        return out.bytes
    }
}

/// The templates the service renders, from `vo-templates/`: the required ones (`names`) and
/// the DALI examples document `examples.html`, which a folder may leave out (then `/examples`
/// answers 404).
struct TemplateSet: Sendable {
    static let names = ["capabilities.xml", "availability.xml", "landing.html"]

    let capabilities: Template
    let availability: Template
    let landing: Template
    let examples: Template?
    let directory: String

    init(directory configured: String?) throws(TAPServiceError) {
        let directory = try Self.locate(configured)
        func load(_ name: String) throws(TAPServiceError) -> Template {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TAPServiceError(.setup, "cannot read the template \(path)")
            }
            return Template(name: name, text: String(decoding: data, as: UTF8.self))
        }
        self.directory = directory
        capabilities = try load("capabilities.xml")
        availability = try load("availability.xml")
        landing = try load("landing.html")
        examples = FileManager.default.fileExists(atPath: directory + "/examples.html") ? try load("examples.html") : nil
    }

    private static func locate(_ configured: String?) throws(TAPServiceError) -> String {
        let fm = FileManager.default
        func hasTemplates(_ dir: String) -> Bool {
            names.allSatisfy { fm.fileExists(atPath: dir + "/" + $0) }
        }
        if let configured {
            guard hasTemplates(configured) else {
                throw TAPServiceError(
                    .setup, "the template directory \(configured) lacks one of \(names.joined(separator: ", "))")
            }
            return configured
        }
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SKYSHARD_VO_TEMPLATES"], !env.isEmpty { candidates.append(env) }
        candidates.append(fm.currentDirectoryPath + "/vo-templates")
        // <checkout>/Sources/TAPService/Templates.swift → <checkout>/vo-templates
        var source = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        if source.count > 3 {
            source.removeLast(3)
            candidates.append(source.joined(separator: "/") + "/vo-templates")
        }
        for c in candidates where hasTemplates(c) { return c }
        throw TAPServiceError(
            .setup,
            "no vo-templates directory found (looked in \(candidates.joined(separator: ", ")); set TAPServiceConfiguration.templateDirectory or SKYSHARD_VO_TEMPLATES"
        )
    }
}
