import Catalog
import Foundation
import Ingest

/// The demo catalog of `skyshard demo`: generated and ingested on first use, reused after.
public enum DemoCatalog {
    /// The seed of the demo data; with the object count it fixes every byte of the catalog.
    public static let seed: UInt64 = 20_220_630

    /// Returns the `current` version under `dataRoot`; when there is none, generates the demo
    /// catalog (`objects` Objects, fixed seed, the built-in schema, every demo table), ingests
    /// it, and returns the new version. The CSV files are written to a scratch directory under
    /// `dataRoot` and removed afterwards.
    public static func ensure(
        dataRoot: URL, objects: Int = 100_000, progress: (@Sendable (String) -> Void)? = nil
    ) throws -> CatalogVersion {
        let layout = DataLayout(root: dataRoot)
        if let current = layout.currentVersion() { return current }
        let fm = FileManager.default
        try fm.createDirectory(at: layout.root, withIntermediateDirectories: true)
        let work = layout.root.appendingPathComponent(".demo-csv-\(getpid())", isDirectory: true)
        try? fm.removeItem(at: work)
        defer { try? fm.removeItem(at: work) }
        progress?("generating the demo catalog (\(objects) objects)")
        let generator = try DemoGenerator(objects: objects, seed: seed)
        let descriptorURL = try generator.writeBundle(to: work)
        let descriptor = try IngestDescriptor.load(contentsOf: descriptorURL)
        let report = try Ingester(descriptor: descriptor, dataRoot: layout.root).run(progress: progress)
        return report.version
    }
}
