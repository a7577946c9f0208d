import ArgumentParser
import Catalog
import DemoData
import Foundation
import Ingest
import QueryEngine

/// `skyshard ingest`: loads CSV files per an ingest descriptor into a new catalog version and
/// switches `current` to it.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load CSV files into a new catalog version (chunked SQLite files) and make it current.")

    @Option(name: .long, help: "The ingest descriptor (JSON, or YAML by extension).")
    var descriptor: String

    @Option(name: .long, help: "The data root (holds versions/ and the current symlink).")
    var dataRoot: String

    @Option(name: .long, help: "Directory of the CSV files (overrides the descriptor's csvDirectory).")
    var csvDir: String?

    @Option(name: .long, help: "Bad-row policy: abort or skip (overrides the descriptor).")
    var badRows: String?

    @Option(name: .long, help: "Under --bad-rows skip: abort anyway after this many bad rows.")
    var maxBadRows: Int?

    @Option(name: .long, help: "Name of the new version directory (default: a UTC time stamp).")
    var versionName: String?

    @Option(name: .long, help: "Worker threads for building chunk files (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "MiB of parked chunk rows kept in memory before spilling to disk.")
    var memoryMib: Int = 384

    @Option(
        name: .long,
        help:
            "MiB of director keys kept in memory to place child rows (about 40 bytes a key); beyond it the key map goes to disk.")
    var keyMapMib: Int = 320

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func run() throws {
        var d = try IngestDescriptor.load(contentsOf: URL(fileURLWithPath: descriptor))
        if let csvDir { d.csvDirectory = URL(fileURLWithPath: csvDir).standardizedFileURL.path }
        if let badRows {
            guard let mode = IngestDescriptor.BadRowPolicy.Mode(rawValue: badRows) else {
                throw ValidationError("--bad-rows must be abort or skip")
            }
            d.badRows.policy = mode
        }
        if let maxBadRows { d.badRows.maxSkipped = maxBadRows }
        var ingester = Ingester(
            descriptor: d, dataRoot: URL(fileURLWithPath: dataRoot, isDirectory: true),
            versionName: versionName)
        if let threads { ingester.threads = max(1, threads) }
        ingester.memoryBudget = max(16, memoryMib) << 20
        ingester.keyMapBudget = max(1, keyMapMib) << 20 / 40
        let quiet = self.quiet
        let report = try ingester.run { message in
            if !quiet { FileHandle.standardError.write(Data("ingest: \(message)\n".utf8)) }
        }
        for (table, n) in report.tableRowCounts.sorted(by: { $0.key < $1.key }) {
            print("  \(table): \(n) rows")
        }
        if report.skippedRowCount > 0 {
            print("skipped \(report.skippedRowCount) bad rows, e.g.:")
            for row in report.skippedRows.prefix(10) { print("  \(row)") }
        }
        print(
            "ingested \(report.totalRows) rows into \(report.chunkCount) chunks (+\(report.overlapRowCount) overlap rows) "
                + "in \(String(format: "%.2f", report.seconds)) s: \(Int(report.rowsPerSecond)) rows/s")
        print("current -> \(report.version.directory.path)")
    }
}
