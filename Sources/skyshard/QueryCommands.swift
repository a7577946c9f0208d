import ArgumentParser
import DemoData
import Foundation
import Ingest
import QueryEngine
import Tabular
import VOTable

/// Options shared by the commands that read a catalog.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "The catalog's data directory.")
    var dataDirectory: String = "skyshard-data"

    var url: URL { URL(fileURLWithPath: dataDirectory) }
}

/// Tables to upload with a query, as TAP's UPLOAD names them: `--upload name=file.vot`.
struct UploadOptions: ParsableArguments {
    @Option(
        name: .customLong("upload"),
        help: "A VOTable file to query as TAP_UPLOAD.<name>: name=file (repeatable).")
    var uploads: [String] = []

    /// The tables, read from their files (the first TABLE of each).
    func tables() throws -> [UploadedTable] {
        try uploads.map { argument in
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("--upload \(argument): expected name=file")
            }
            let name = String(argument[..<equals])
            let path = String(argument[argument.index(after: equals)...])
            let reader = try VOTableReader(path: path)
            return UploadedTable(name: name, fields: reader.fields, rows: try reader.readAll())
        }
    }
}

/// Reads a query from the argument, or from standard input when the argument is absent or `-`.
func readQuery(_ argument: String?) throws -> String {
    if let argument, argument != "-" { return argument }
    var text = ""
    while let line = readLine(strippingNewline: false) { text += line }
    guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw ValidationError("no query: give it as an argument or on standard input")
    }
    return text
}

/// Prints an error for a person on standard error and exits with status 1.
func fail(_ error: any Error) -> Never {
    let message = (error as? QueryError)?.message ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run an ADQL query and print the result.")

    @OptionGroup var data: DataOptions

    @Option(help: "Output format: table, csv, tsv, json, votable, votable/b, votable/b2.")
    var format: String = "table"

    @Option(help: "Stop after this many rows.")
    var maxrec: Int?

    @OptionGroup var upload: UploadOptions

    @Flag(
        help: """
            Print to standard error how long the query took, from planning to its last row \
            written (the catalog already open): `time: X ms`.
            """)
    var timing = false

    @Argument(help: "The ADQL query (read from standard input when absent or -).")
    var query: String?

    func run() async throws {
        let adql = try readQuery(query)
        let engine: SkyShardEngine
        let result: QueryResult
        let clock = ContinuousClock()
        var started = clock.now
        do {
            let uploads = try upload.tables()
            engine = try SkyShardEngine(dataRoot: data.url)
            started = clock.now
            result = try await engine.execute(adql, rowLimit: maxrec, uploads: uploads)
        } catch {
            fail(error)
        }
        defer { engine.pool.shutdown() }
        /// Like psql's `\timing`: planning and execution up to the last row written.
        func reportTime() {
            guard timing else { return }
            let elapsed = clock.now - started
            let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
            FileHandle.standardError.write(Data("time: \(String(format: "%.3f", ms)) ms\n".utf8))
        }
        if format == "table" {
            do {
                try await TextTable.print(result)
            } catch {
                fail(error)
            }
            reportTime()
            return
        }
        guard let resultFormat = ResultFormat(parameter: format) else {
            throw ValidationError("unknown format \(format); use table, csv, tsv, json, votable, votable/b or votable/b2")
        }
        var writer = resultFormat.makeWriter(fields: result.fields)
        var out = OutputBuffer()
        writer.writeHeader(into: &out)
        var status = EndStatus.ok
        do {
            for try await batch in result.batches {
                writer.writeRows(batch, into: &out)
                if out.count > 64 * 1024 {
                    FileHandle.standardOutput.write(Data(out.bytes))
                    out.removeAll()
                }
            }
        } catch {
            status = .error((error as? QueryError)?.message ?? "\(error)")
        }
        writer.writeTrailer(status, into: &out)
        FileHandle.standardOutput.write(Data(out.bytes))
        if case .error(let message) = status { fail(QueryError(.internal, message)) }
        reportTime()
    }
}

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print the plan of an ADQL query: passes, chunks kept, chunk SQL and merge.")

    @OptionGroup var data: DataOptions

    @OptionGroup var upload: UploadOptions

    @Argument(help: "The ADQL query (read from standard input when absent or -).")
    var query: String?

    func run() async throws {
        let adql = try readQuery(query)
        do {
            let uploads = try upload.tables()
            let engine = try SkyShardEngine(dataRoot: data.url)
            defer { engine.pool.shutdown() }
            print(try engine.plan(adql, uploads: uploads).explanation)
        } catch {
            fail(error)
        }
    }
}

/// A plain text table for the terminal.
enum TextTable {
    static func print(_ result: QueryResult) async throws {
        var rows: [[String]] = []
        for try await batch in result.batches {
            for r in 0..<batch.rowCount {
                rows.append(batch.row(r).map(cell))
            }
        }
        let header = result.fields.map(\.name)
        var widths = header.map(\.count)
        for row in rows {
            for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        Swift.print(line(header))
        Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows { Swift.print(line(row)) }
        Swift.print("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
    }

    static func cell(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .integer(let i): "\(i)"
        case .real(let d): "\(d)"
        case .text(let s): s
        case .blob(let b): "<\(b.count) bytes>"
        }
    }
}
