import ADQL
import Catalog
import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular
import TestSupport
import Testing

// The differential test: every query of fixtures/differential/*.adql runs through SkyShard
// (parse → plan → scatter-gather over chunk files → merge) and, as the oracle, through plain
// SQLite on one unsharded copy of the same data (`OracleDatabase`), with the same ADQL rendered
// by `ADQL.SQLiteRenderer`. The answers must agree. See fixtures/differential/README.md for the
// record format, the directives and the placeholders.

/// One small demo catalog and its oracle, built once for the differential test in a directory
/// of its own.
enum DifferentialFixture {
    static let objects = 4_000

    static let directory = ScratchDirectory.make(prefix: "skyshard-differential-")

    static var dataRoot: URL { directory.appendingPathComponent("catalog", isDirectory: true) }

    static let engine: SkyShardEngine = {
        do {
            _ = try DemoCatalog.ensure(dataRoot: dataRoot, objects: objects)
            return try SkyShardEngine(dataRoot: dataRoot, defaultTimeout: TestTimeLimits.correctness)
        } catch {
            fatalError("cannot build the differential test catalog: \(error)")
        }
    }()

    static let oracle: OracleDatabase = {
        do {
            let version = engine.version
            let tapSchema = FileManager.default.fileExists(atPath: version.tapSchemaFile.path) ? version.tapSchemaFile : nil
            return try OracleDatabase(
                version: version, catalog: try version.loadDescription(), tapSchemaFile: tapSchema,
                file: directory.appendingPathComponent("oracle.sqlite"))
        } catch {
            fatalError("cannot build the differential oracle: \(error)")
        }
    }()

    /// fixtures/differential in the repository (this file is Tests/ShardTests/DifferentialTests.swift,
    /// possibly reached through a symbolic link), or `SKYSHARD_DIFFERENTIAL_FIXTURES`.
    static func corpusDirectory(filePath: String = #filePath) -> URL {
        if let path = ProcessInfo.processInfo.environment["SKYSHARD_DIFFERENTIAL_FIXTURES"] {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let file = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        return file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/differential", isDirectory: true)
    }
}

// MARK: - Corpus

/// One record of the corpus: `-- <id>: description`, optional directives, the query.
struct DifferentialRecord: Sendable {
    enum Check: String, Sendable {
        /// The default: rows compared in order when the query has a top-level ORDER BY (its
        /// keys must then be unique), as multisets otherwise.
        case auto
        /// Rows compared as multisets even though the query has an ORDER BY (ties in the keys).
        case multiset
        /// TOP without ORDER BY: the number of rows must be min(TOP, rows without TOP) and every
        /// row must be one of the oracle's rows of the query without TOP.
        case count
    }

    var file: String
    var line: Int
    var id: String
    var description: String
    /// `-- check: auto|multiset|count`
    var check: Check = .auto
    /// `-- maxrec: N`: the query runs with `rowLimit: N` (TAP's MAXREC + 1).
    var rowLimit: Int?
    /// `-- allow: refusal`: a user error from SkyShard (it declines the query, e.g. a
    /// near-neighbour radius beyond the overlap) counts as a pass; a wrong answer never does.
    var refusalAllowed = false
    var adql: String
}

enum DifferentialCorpus {
    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    static func load(from directory: URL) throws -> [DifferentialRecord] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "adql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var records: [DifferentialRecord] = []
        var ids = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for record in try parse(text, file: file.lastPathComponent) {
                guard ids.insert(record.id).inserted else {
                    throw FormatError(description: "\(record.file):\(record.line): duplicate id \(record.id)")
                }
                records.append(record)
            }
        }
        return records
    }

    /// Records are separated by blank lines. The first line is `-- <id>: description`; further
    /// leading comment lines may hold `-- check: auto|multiset|count`; the rest is the query.
    static func parse(_ text: String, file: String) throws -> [DifferentialRecord] {
        var records: [DifferentialRecord] = []
        var block: [(Int, String)] = []
        func flush() throws {
            defer { block.removeAll() }
            guard !block.isEmpty else { return }
            let (line, header) = block[0]
            guard header.hasPrefix("--") else {
                throw FormatError(description: "\(file):\(line): a record must start with `-- <id>: description`")
            }
            let head = header.dropFirst(2).trimmingCharacters(in: .whitespaces)
            let id = String(head.prefix { !$0.isWhitespace && $0 != ":" })
            guard !id.isEmpty else { throw FormatError(description: "\(file):\(line): missing id") }
            let description = head.dropFirst(id.count).drop { $0 == ":" || $0.isWhitespace }
            var record = DifferentialRecord(file: file, line: line, id: id, description: String(description), adql: "")
            var queryLines: [String] = []
            for (n, text) in block.dropFirst() {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if queryLines.isEmpty, trimmed.hasPrefix("--") {
                    let comment = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
                    guard let colon = comment.firstIndex(of: ":") else { continue }
                    let key = comment[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                    let value = comment[comment.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
                    switch key {
                    case "check":
                        guard let c = DifferentialRecord.Check(rawValue: value) else {
                            throw FormatError(description: "\(file):\(n): unknown check \(value)")
                        }
                        record.check = c
                    case "maxrec":
                        guard let limit = Int(value), limit >= 0 else {
                            throw FormatError(description: "\(file):\(n): bad maxrec \(value)")
                        }
                        record.rowLimit = limit
                    case "allow":
                        guard value == "refusal" else {
                            throw FormatError(description: "\(file):\(n): unknown allow \(value)")
                        }
                        record.refusalAllowed = true
                    default:
                        break
                    }
                    continue
                }
                queryLines.append(text)
            }
            guard !queryLines.isEmpty else { throw FormatError(description: "\(file):\(line): record \(id) has no query") }
            record.adql = queryLines.joined(separator: "\n")
            records.append(record)
        }
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                try flush()
            } else {
                block.append((i + 1, line))
            }
        }
        try flush()
        return records
    }

    /// Replaces `{objectId:N}` and `{Table.column:N}` by the N-th (from 0; negative counts from
    /// the end) distinct value of the column in the oracle, ascending. N wraps around.
    static func substitute(_ adql: String, oracle: OracleDatabase) throws -> String {
        var out = ""
        var rest = Substring(adql)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw FormatError(description: "unterminated placeholder in: \(adql)")
            }
            let body = rest[rest.index(after: open)..<close]
            let pieces = body.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let index = Int(pieces[1]) else {
                throw FormatError(description: "bad placeholder {\(body)}")
            }
            let name = pieces[0].split(separator: ".").map(String.init)
            let (table, column): (String, String) =
                name.count == 2 ? (name[0], name[1]) : name == ["objectId"] ? ("Object", "objectId") : ("", "")
            guard !table.isEmpty else { throw FormatError(description: "bad placeholder {\(body)}") }
            let values = try oracle.distinctValues(table: table, column: column)
            guard !values.isEmpty else { throw FormatError(description: "no values for placeholder {\(body)}") }
            let i = ((index % values.count) + values.count) % values.count
            switch values[i] {
            case .integer(let v): out += String(v)
            case .real(let v): out += "\(v)"
            case .text(let s): out += "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
            default: throw FormatError(description: "placeholder {\(body)} has an unsupported value")
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }
}

// MARK: - Comparison

/// Compares result rows: numbers numerically (an INTEGER equals the REAL of the same value),
/// with a relative tolerance for floating point; NULL equals NULL; text and blobs exactly.
enum DifferentialComparison {
    /// Relative tolerance, with an absolute floor for values near zero.
    static let relativeTolerance = 1e-9
    static let absoluteTolerance = 1e-12

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.text(let x), .text(let y)): return x == y
        case (.blob(let x), .blob(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        default:
            guard let x = a.doubleValue, let y = b.doubleValue else { return false }
            if x == y { return true }
            if x.isNaN || y.isNaN || x.isInfinite || y.isInfinite { return false }
            return abs(x - y) <= max(absoluteTolerance, relativeTolerance * max(abs(x), abs(y)))
        }
    }

    static func equal(_ a: [Value], _ b: [Value]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
    }

    private static func rank(_ v: Value) -> Int {
        switch v {
        case .null: 0
        case .integer, .real: 1
        case .text: 2
        case .blob: 3
        }
    }

    /// A total order on rows for sorting multisets (numbers by value).
    static func less(_ a: [Value], _ b: [Value]) -> Bool {
        for (x, y) in zip(a, b) {
            let rx = rank(x), ry = rank(y)
            if rx != ry { return rx < ry }
            switch (x, y) {
            case (.integer(let p), .integer(let q)) where p != q: return p < q
            case (.text(let p), .text(let q)) where p != q: return p < q
            case (.blob(let p), .blob(let q)) where p != q: return p.lexicographicallyPrecedes(q)
            default:
                if let p = x.doubleValue, let q = y.doubleValue, p != q { return p < q }
            }
        }
        return a.count < b.count
    }

    static func describe(_ row: [Value]) -> String {
        "("
            + row.map { v -> String in
                switch v {
                case .null: "NULL"
                case .integer(let i): String(i)
                case .real(let d): "\(d)"
                case .text(let s): "'\(s)'"
                case .blob(let b): "x'\(b.count) bytes'"
                }
            }.joined(separator: ", ") + ")"
    }

    /// nil when `actual` and `expected` are equal in order.
    static func compareOrdered(_ actual: [[Value]], _ expected: [[Value]]) -> String? {
        if actual.count != expected.count {
            return "row count \(actual.count), oracle \(expected.count)" + firstDifference(actual, expected)
        }
        for (i, (a, e)) in zip(actual, expected).enumerated() where !equal(a, e) {
            return "row \(i): got \(describe(a)), oracle \(describe(e))"
        }
        return nil
    }

    /// Rows of `actual` without a partner in `expected` and the other way round; each row is
    /// matched at most once. Sorted comparison first, a tolerant greedy match when that fails.
    static func unmatched(_ actual: [[Value]], _ expected: [[Value]]) -> (extra: [[Value]], missing: [[Value]]) {
        let a = actual.sorted(by: less), e = expected.sorted(by: less)
        if a.count == e.count, zip(a, e).allSatisfy({ equal($0, $1) }) { return ([], []) }
        var remaining = e
        var extra: [[Value]] = []
        for row in a {
            if let k = remaining.firstIndex(where: { equal(row, $0) }) {
                remaining.remove(at: k)
            } else {
                extra.append(row)
            }
        }
        return (extra, remaining)
    }

    static func compareMultiset(_ actual: [[Value]], _ expected: [[Value]]) -> String? {
        let (extra, missing) = unmatched(actual, expected)
        if extra.isEmpty && missing.isEmpty { return nil }
        var message = "row count \(actual.count), oracle \(expected.count); \(extra.count) unexpected, \(missing.count) missing"
        if let r = extra.first { message += "; e.g. unexpected \(describe(r))" }
        if let r = missing.first { message += "; e.g. missing \(describe(r))" }
        return message
    }

    /// For TOP without ORDER BY: `actual` must have `expectedCount` rows, all among `universe`.
    static func compareSubset(_ actual: [[Value]], expectedCount: Int, universe: [[Value]]) -> String? {
        if actual.count != expectedCount { return "row count \(actual.count), expected \(expectedCount)" }
        let (extra, _) = unmatched(actual, universe)
        if let r = extra.first { return "\(extra.count) row(s) not in the oracle's result, e.g. \(describe(r))" }
        return nil
    }

    private static func firstDifference(_ actual: [[Value]], _ expected: [[Value]]) -> String {
        let (extra, missing) = unmatched(actual, expected)
        var s = ""
        if let r = extra.first { s += "; e.g. unexpected \(describe(r))" }
        if let r = missing.first { s += "; e.g. missing \(describe(r))" }
        return s
    }
}

// MARK: - The test

@Suite(.serialized) struct DifferentialTests {
    struct Failure {
        var id: String
        var kind: String
        var message: String
    }

    enum Outcome {
        case passed
        /// Declined with a user error, as the record allows.
        case refused(String)
        case failed(Failure)
    }

    /// Runs one record against SkyShard and the oracle.
    static func run(_ record: DifferentialRecord, engine: SkyShardEngine, oracle: OracleDatabase) async -> Outcome {
        func fail(_ kind: String, _ message: String) -> Outcome {
            .failed(Failure(id: record.id, kind: kind, message: message))
        }
        let adql: String
        let query: Query
        do {
            adql = try DifferentialCorpus.substitute(record.adql, oracle: oracle)
            query = try ADQLParser.parse(adql)
        } catch {
            return fail("corpus", "\(error)")
        }
        let ordered = !query.orderBy.isEmpty && record.check == .auto

        // The oracle's answer. `universe`: the rows any returned row must be one of when only
        // the count is fixed (TOP without ORDER BY, or MAXREC cutting an unordered result).
        var expected: [[Value]]
        var universe: [[Value]]?
        var expectedCount: Int?
        do {
            expected = try oracle.rows(oracle.render(query))
            if record.check == .count {
                guard case .select(var select) = query.body, query.orderBy.isEmpty, let top = select.top else {
                    return fail("corpus", "check: count needs a single SELECT with TOP and without ORDER BY")
                }
                select.top = nil
                var unlimited = query
                unlimited.body = .select(select)
                let all = try oracle.rows(oracle.render(unlimited))
                universe = all
                expectedCount = min(top, all.count)
            }
            if let limit = record.rowLimit {
                if ordered {
                    expected = Array(expected.prefix(limit))
                } else {
                    universe = universe ?? expected
                    expectedCount = min(limit, expectedCount ?? expected.count)
                }
            }
        } catch {
            return fail("oracle", "\(error)")
        }

        // SkyShard's answer.
        let batch: RowBatch
        let fieldCount: Int
        do {
            let result = try await engine.execute(adql, rowLimit: record.rowLimit)
            fieldCount = result.fields.count
            batch = try await result.collect()
        } catch {
            if record.refusalAllowed, let e = error as? QueryError, e.isUserError { return .refused(e.message) }
            return fail("engine", "\(error)")
        }
        let actual = (0..<batch.rowCount).map { Array(batch.row($0)) }
        let expectedColumns = (universe ?? expected).first?.count ?? fieldCount
        if fieldCount != expectedColumns {
            return fail("mismatch", "\(fieldCount) result column(s), oracle \(expectedColumns)")
        }

        let problem: String?
        if let universe, let expectedCount {
            problem = DifferentialComparison.compareSubset(actual, expectedCount: expectedCount, universe: universe)
        } else if ordered {
            problem = DifferentialComparison.compareOrdered(actual, expected)
        } else {
            problem = DifferentialComparison.compareMultiset(actual, expected)
        }
        return problem.map { fail("mismatch", $0) } ?? .passed
    }

    @Test func skyShardAgreesWithTheUnshardedOracle() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let engine = DifferentialFixture.engine
        let oracle = DifferentialFixture.oracle
        let built = clock.now
        var records = try DifferentialCorpus.load(from: DifferentialFixture.corpusDirectory())
        if let only = ProcessInfo.processInfo.environment["SKYSHARD_DIFFERENTIAL_ONLY"], !only.isEmpty {
            let prefixes = only.split(separator: ",").map(String.init)
            records = records.filter { r in prefixes.contains { r.id.hasPrefix($0) } }
        }
        #expect(!records.isEmpty, "no corpus records in \(DifferentialFixture.corpusDirectory().path)")
        #expect(oracle.rowCounts["Object"] == DifferentialFixture.objects)

        var failures: [Failure] = []
        var refusals: [(id: String, message: String)] = []
        var timings: [(id: String, time: Duration)] = []
        for record in records {
            let t0 = clock.now
            let outcome = await Self.run(record, engine: engine, oracle: oracle)
            timings.append((record.id, clock.now - t0))
            if case .refused(let message) = outcome { refusals.append((record.id, message)) }
            if case .failed(let failure) = outcome {
                failures.append(failure)
                Issue.record(
                    "\(failure.id) [\(failure.kind)] \(failure.message)\n  \(record.file):\(record.line): \(record.adql)")
            }
        }
        let finished = clock.now

        let passed = records.count - failures.count
        var report = "differential: \(passed) passed, \(failures.count) failed"
        if !refusals.isEmpty { report += " (\(refusals.count) of the passes declined as their record allows)" }
        report += " (catalog + oracle \(built - started), queries \(finished - built); "
        report += (oracle.rowCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + ")"
        if ProcessInfo.processInfo.environment["SKYSHARD_DIFFERENTIAL_TIMINGS"] != nil {
            for t in timings.sorted(by: { $0.time > $1.time }).prefix(25) { report += "\n  slow: \(t.id) \(t.time)" }
        }
        for r in refusals { report += "\n  declined: \(r.id): \(r.message.prefix(200))" }
        for f in failures {
            let firstLine = f.message.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            report += "\n  \(f.id) [\(f.kind)] \(firstLine.count > 300 ? String(firstLine.prefix(300)) + "…" : firstLine)"
        }
        print(report)
    }

    /// TAP_SCHEMA is not part of the oracle's copied data (it is the engine's own file,
    /// attached): check its contents against the catalog description instead.
    @Test func tapSchemaListsEveryCatalogTable() async throws {
        let engine = DifferentialFixture.engine
        let catalog = try engine.version.loadDescription()
        let batch = try await engine.execute(
            "SELECT schema_name, table_name FROM TAP_SCHEMA.tables ORDER BY schema_name, table_name"
        ).collect()
        let listed = Set(
            (0..<batch.rowCount).map { r -> String in
                "\(batch[r, 0].textValue ?? "").\(batch[r, 1].textValue ?? "")".lowercased()
            })
        for table in catalog.tables {
            let short = table.name.lowercased(), qualified = table.qualifiedName.lowercased()
            let found =
                listed.contains(qualified) || listed.contains("\(table.schema.lowercased()).\(short)")
                || listed.contains(where: { $0.hasSuffix(".\(qualified)") })
            #expect(found, "TAP_SCHEMA.tables lacks \(table.qualifiedName): \(listed.sorted())")
        }
        let columns = try await engine.execute(
            """
            SELECT COUNT(*) FROM TAP_SCHEMA.columns WHERE table_name LIKE '%Object'
            """
        ).collect()
        #expect((columns[0, 0].int64Value ?? 0) > 0)
    }
}

extension Value {
    fileprivate var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}
