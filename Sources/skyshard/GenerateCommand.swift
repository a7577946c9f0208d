import ArgumentParser
import Catalog
import DemoData
import Foundation
import Ingest
import QueryEngine

/// `skyshard generate`: writes a deterministic DC2-like demo catalog as CSV files plus the
/// Felis schema and the ingest descriptor for them.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic DP0.2-like catalog as CSV files (plus schema.yaml and descriptor.json).")

    @Option(name: .long, help: "Number of Object rows (1,000 … 100,000,000).")
    var objects: Int = 100_000

    @Option(name: .long, help: "Random seed; the same seed and options give byte-identical files.")
    var seed: UInt64 = 20_220_630

    @Option(name: [.short, .long], help: "Output directory (created if needed).")
    var out: String

    @Option(name: .long, help: "Felis YAML to follow (default: the built-in demo schema), e.g. dp02_dc2.yaml.")
    var schema: String?

    @Option(name: .long, help: "core: the demo schema's columns; all: every column of --schema.")
    var columns: String = "core"

    @Option(name: .long, help: "Comma-separated tables to write (default: every table the generator knows).")
    var tables: String?

    @Option(name: .long, help: "Number of visits (CcdVisit has 20 rows per visit).")
    var visits: Int = 360

    @Option(name: .long, help: "Generator threads (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func run() throws {
        guard let selection = DemoGenerator.ColumnSelection(rawValue: columns) else {
            throw ValidationError("--columns must be core or all")
        }
        var felis: FelisSchema? = nil
        var schemaYAML: String? = nil
        if let schema {
            let url = URL(fileURLWithPath: schema)
            felis = try Felis.load(contentsOf: url)
            schemaYAML = try String(contentsOf: url, encoding: .utf8)
        }
        let tableList = tables.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        var generator = try DemoGenerator(
            objects: objects, seed: seed, schema: felis, columns: selection, tables: tableList, visitCount: visits)
        if let threads { generator.threads = max(1, threads) }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        let start = Date()
        var lastReport = Date()
        let descriptor = try generator.writeBundle(to: dir, schemaYAML: schemaYAML) { done in
            if !quiet && Date().timeIntervalSince(lastReport) > 2 {
                lastReport = Date()
                FileHandle.standardError.write(Data("generate: \(done) objects\n".utf8))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        var bytes: Int64 = 0
        for t in generator.tables {
            let attrs = try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("\(t).csv").path)
            bytes += (attrs?[.size] as? NSNumber)?.int64Value ?? 0
        }
        let rate = seconds > 0 ? Double(objects) / seconds : 0
        print(
            "generated \(objects) objects (\(generator.tables.joined(separator: ", "))) in "
                + "\(String(format: "%.2f", seconds)) s: \(Int(rate)) Object rows/s, "
                + "\(String(format: "%.1f", Double(bytes) / 1e6)) MB of CSV")
        print("descriptor: \(descriptor.path)")
    }
}
