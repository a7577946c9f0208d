import Foundation
import Testing

@testable import ADQL

/// Not a test: with ADQL_ANNOTATE set, writes the invalid corpus with fresh `#!` headers to
/// /tmp/adql-annotated for review (used when adding fixtures).
@Test func annotateInvalidCorpus() throws {
    guard ProcessInfo.processInfo.environment["ADQL_ANNOTATE"] != nil else { return }
    var files: [String: String] = [:]
    for record in Fixtures.records("invalid") {
        let header: String
        switch parseResult(record.query) {
        case .success(let q): header = "PARSED: \(q.canonicalADQL)"
        case .failure(let e): header = e.description
        }
        files[record.file, default: ""] += "#! \(header)\n\(record.query)\n\n"
    }
    try FileManager.default.createDirectory(atPath: "/tmp/adql-annotated", withIntermediateDirectories: true)
    for (name, text) in files {
        try text.write(toFile: "/tmp/adql-annotated/" + name, atomically: true, encoding: .utf8)
    }
}
