import ADQL
import Catalog
import Foundation
import Sky
import Tabular
import Testing

@testable import Planner

/// The golden plans of fixtures/golden (see its README.md): each `NN_name.adql` is planned with
/// `QueryPlanner.plan` over a fixed catalog description, and the plan's text must equal
/// `NN_name.plan` exactly. With `SKYSHARD_UPDATE_GOLDEN=1` the `.plan` files are written instead.
enum GoldenPlans {
    static let updateVariable = "SKYSHARD_UPDATE_GOLDEN"
    static let command = "SKYSHARD_UPDATE_GOLDEN=1 swift test --filter GoldenPlanTests"
    /// The corpus may grow, never silently shrink below this.
    static let minimumCount = 40

    static var updating: Bool {
        let value = ProcessInfo.processInfo.environment[updateVariable] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// fixtures/golden in the repository (this file is Tests/PlannerTests/GoldenPlanTests.swift,
    /// possibly reached through a symbolic link).
    static func directory(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/golden", isDirectory: true)
    }

    /// The file names in the directory with the extension, without it, sorted.
    static func names(withExtension ext: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory().path)) ?? []
        return files.filter { $0.hasSuffix(".\(ext)") }.map { String($0.dropLast(ext.count + 1)) }.sorted()
    }

    /// The queries, by name (`NN_name`).
    static let queries = names(withExtension: "adql")

    /// One `.adql` file: leading `-- ` lines are its description and directives
    /// (`-- director-index: none`, `-- zones-per-degree: N`, `-- rows-per-chunk: N`); the rest
    /// is the query.
    struct Record {
        var name: String
        var query: String
        var directives: [String: String]

        init(name: String) throws {
            self.name = name
            let text = try String(contentsOf: GoldenPlans.directory().appendingPathComponent("\(name).adql"), encoding: .utf8)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
            var directives: [String: String] = [:]
            while let line = lines.first, line.hasPrefix("--") {
                let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                if let colon = body.firstIndex(of: ":") {
                    let key = body[..<colon].trimmingCharacters(in: .whitespaces)
                    if ["director-index", "zones-per-degree", "rows-per-chunk"].contains(key) {
                        directives[key] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                }
                lines = lines.dropFirst()
            }
            self.directives = directives
            query = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `TestCatalog` with TAP_SCHEMA described as the engine describes it
    /// (`SkyShardEngine.init`), and the record's directives applied.
    static func catalog(_ directives: [String: String]) -> CatalogDescription {
        var catalog = TestCatalog.description
        catalog.tables += TapSchema.tables
        catalog.schemas.append(SchemaInfo(name: TapSchema.schemaName, description: "TAP_SCHEMA 1.1"))
        if let zones = directives["zones-per-degree"].flatMap({ Int($0) }) { catalog.zonesPerDegree = zones }
        if let rows = directives["rows-per-chunk"].flatMap({ Int($0) }) {
            catalog.chunkRowCounts = catalog.chunkRowCounts.mapValues { _ in rows }
            catalog.tableRowCounts["Object"] = catalog.chunkRowCounts.count * rows
        }
        return catalog
    }

    /// The plan's text: its explanation (`skyshard explain`), then every chunk it touches
    /// (the explanation lists at most 20). A query the planner refuses: `error: <message>`.
    static func planText(_ record: Record) -> String {
        let catalog = catalog(record.directives)
        let index: (any DirectorIndex)? =
            record.directives["director-index"] == "none"
            ? nil : GoldenDirectorIndex(chunks: catalog.chunkIds)
        let planner = QueryPlanner(catalog: catalog, directorIndex: index)
        let total = catalog.chunkRowCounts.count
        do {
            let plan = try planner.plan(try ADQLParser.parse(record.query))
            let list: String
            switch plan {
            case .distributed(let p) where p.target == .replicated:
                list = "none (replicated tables only)"
            default:
                let ids = plan.chunkIds
                list = ids.count == total ? "all \(total)" : "\(ids.count) [\(ids.map(String.init).joined(separator: ", "))]"
            }
            return plan.explanation + "\nchunk list: " + list + "\n"
        } catch let error as QueryError {
            return "error: \(error.message)\n"
        } catch {
            return "error: \(error)\n"
        }
    }

    /// The first line where the texts differ, for the issue.
    static func firstDifference(expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<end of file>"
            let al = i < a.count ? String(a[i]) : "<end of plan>"
            if el != al {
                return "first difference at line \(i + 1):\n  golden:  \(el)\n  planner: \(al)"
            }
        }
        return "no difference"
    }
}

/// A fixed director index for the golden plans: the director's keys are handed out in blocks of
/// 1000 per chunk, in chunk id order: key k (1 ≤ k ≤ 1000 × the number of chunks) lies in the
/// (k − 1) / 1000-th chunk; other keys are in no chunk.
struct GoldenDirectorIndex: DirectorIndex {
    let chunks: [Int]
    static let keysPerChunk: Int64 = 1000

    func chunks(forKeys keys: [Int64], of director: String) throws -> Set<Int> {
        Set(
            keys.compactMap { k in
                guard k >= 1 else { return nil }
                let i = (k - 1) / Self.keysPerChunk
                return i < Int64(chunks.count) ? chunks[Int(i)] : nil
            })
    }

    func chunks(forKeysBetween low: Int64, and high: Int64, of director: String) throws -> Set<Int> {
        let last = Int64(chunks.count) * Self.keysPerChunk
        let lo = max(low, 1), hi = min(high, last)
        guard lo <= hi else { return [] }
        return Set(chunks[Int((lo - 1) / Self.keysPerChunk)...Int((hi - 1) / Self.keysPerChunk)])
    }
}

@Suite struct GoldenPlanTests {
    @Test(arguments: GoldenPlans.queries)
    func planMatchesTheGoldenFile(_ name: String) throws {
        let record = try GoldenPlans.Record(name: name)
        let actual = GoldenPlans.planText(record)
        let file = GoldenPlans.directory().appendingPathComponent("\(name).plan")
        if GoldenPlans.updating {
            let old = try? String(contentsOf: file, encoding: .utf8)
            if old != actual { try actual.write(to: file, atomically: true, encoding: .utf8) }
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("\(name).plan is missing; write it with `\(GoldenPlans.command)` and read it")
            return
        }
        if expected != actual {
            Issue.record(
                """
                \(name): the plan differs from \(name).plan; \
                \(GoldenPlans.firstDifference(expected: expected, actual: actual))
                If the planner change is intended, regenerate with `\(GoldenPlans.command)` and read the diff.
                """)
        }
    }

    /// The corpus cannot shrink below its minimum unnoticed, and every `.plan` has its `.adql`
    /// (when updating, a `.plan` without one is removed).
    @Test func theCorpusIsComplete() throws {
        let queries = GoldenPlans.queries
        #expect(
            queries.count >= GoldenPlans.minimumCount,
            "\(queries.count) golden queries in \(GoldenPlans.directory().path), at least \(GoldenPlans.minimumCount) expected")
        let orphans = Set(GoldenPlans.names(withExtension: "plan")).subtracting(queries).sorted()
        if GoldenPlans.updating {
            for name in orphans {
                try FileManager.default.removeItem(at: GoldenPlans.directory().appendingPathComponent("\(name).plan"))
            }
        } else {
            #expect(orphans.isEmpty, "golden plans without a query: \(orphans.map { "\($0).plan" }.joined(separator: ", "))")
        }
    }
}
