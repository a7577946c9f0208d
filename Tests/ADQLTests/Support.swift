import Foundation
import Testing

@testable import ADQL

/// Locates the package root (the directory holding `grammar/adql.ebnf`) from this file's path,
/// resolving symlinks so that the tests also work from a package that links to these sources.
enum Fixtures {
    static let root: URL = {
        var candidates: [URL] = []
        let file = URL(fileURLWithPath: #filePath)
        candidates.append(file.resolvingSymlinksInPath())
        candidates.append(file)
        if let real = realpath(#filePath, nil) {
            candidates.append(URL(fileURLWithPath: String(cString: real)))
            free(real)
        }
        for start in candidates {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<8 {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("grammar/adql.ebnf").path) {
                    return dir
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return URL(fileURLWithPath: "/work/main")
    }()

    static func text(_ relativePath: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)) ?? ""
    }

    struct Record: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        /// The `#!` header of invalid records, without the marker.
        var expectation: String?
        var query: String
        var testDescription: String { "\(file):\(line)" }
    }

    /// Records of every `.adql` file in `fixtures/adql/<kind>`; blank lines separate records.
    static func records(_ kind: String) -> [Record] {
        let dir = root.appendingPathComponent("fixtures/adql/\(kind)")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".adql") }.sorted()
        var out: [Record] = []
        for name in files {
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            var lines: [String] = []
            var header: String?
            var startLine = 0
            func flush() {
                if !lines.isEmpty {
                    out.append(
                        Record(
                            file: name, line: startLine, expectation: header,
                            query: lines.joined(separator: "\n")))
                }
                lines = []
                header = nil
            }
            // Split on LF scalars so that CR LF files keep their CRs inside queries.
            for (i, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(String.UnicodeScalarView(line))
                if l.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    flush()
                } else if l.hasPrefix("#!") {
                    flush()
                    header = String(l.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                    startLine = i + 1
                } else if l.hasPrefix("#") {
                    continue
                } else {
                    if lines.isEmpty && header == nil { startLine = i + 1 }
                    lines.append(l)
                }
            }
            flush()
        }
        return out
    }
}

/// Parses or returns the error description.
func parseResult(_ text: String) -> Result<Query, ADQLError> {
    do {
        return .success(try ADQLParser.parse(text))
    } catch {
        return .failure(error)
    }
}

func canonical(_ text: String) throws -> String {
    try ADQLParser.parse(text).canonicalADQL
}

func expr(_ text: String) throws -> ADQL.Expression {
    try ADQLParser.parseExpression(text)
}

/// A tiny deterministic PRNG (SplitMix64) for reproducible randomized tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
