import Foundation

/// Where a catalog lives on disk.
///
///     <root>/
///       current -> versions/<version>     symlink, switched atomically by ingest
///       versions/<version>/
///         catalog.json                    CatalogDescription
///         replicated.sqlite               replicated (small) tables
///         director_index.sqlite           director key → (chunkId, subChunkId)
///         tap_schema.sqlite               TAP_SCHEMA tables describing the catalog
///         chunks/chunk_<id>.sqlite        one file per chunk: partitioned tables and the
///                                         director's overlap rows
public struct DataLayout: Sendable, Hashable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var versionsDirectory: URL { root.appendingPathComponent("versions", isDirectory: true) }
    public var currentLink: URL { root.appendingPathComponent("current") }

    /// The directory of the version that `current` points to, if any.
    public func currentVersion() -> CatalogVersion? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: currentLink.path) else {
            return nil
        }
        let url = target.hasPrefix("/") ? URL(fileURLWithPath: target) : root.appendingPathComponent(target)
        let version = CatalogVersion(directory: url)
        return FileManager.default.fileExists(atPath: version.descriptionFile.path) ? version : nil
    }

    public func version(named name: String) -> CatalogVersion {
        CatalogVersion(directory: versionsDirectory.appendingPathComponent(name, isDirectory: true))
    }
}

/// The files of one catalog version.
public struct CatalogVersion: Sendable, Hashable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory.standardizedFileURL }

    public var name: String { directory.lastPathComponent }
    public var descriptionFile: URL { directory.appendingPathComponent("catalog.json") }
    public var replicatedFile: URL { directory.appendingPathComponent("replicated.sqlite") }
    public var directorIndexFile: URL { directory.appendingPathComponent("director_index.sqlite") }
    public var tapSchemaFile: URL { directory.appendingPathComponent("tap_schema.sqlite") }
    public var chunksDirectory: URL { directory.appendingPathComponent("chunks", isDirectory: true) }

    public func chunkFile(_ chunkId: Int) -> URL {
        chunksDirectory.appendingPathComponent("chunk_\(chunkId).sqlite")
    }

    public func loadDescription() throws -> CatalogDescription {
        let data = try Data(contentsOf: descriptionFile)
        return try JSONDecoder().decode(CatalogDescription.self, from: data)
    }

    public func writeDescription(_ description: CatalogDescription) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(description).write(to: descriptionFile, options: .atomic)
    }
}

/// Names of tables inside the shard files.
public enum ShardTableNames {
    /// The table holding a director's overlap rows in a chunk file (Qserv's `FullOverlap`).
    public static func overlap(of director: String) -> String { "\(director)FullOverlap" }
    /// The director index table in director_index.sqlite (of the first keyed director).
    public static let directorIndex = "director_index"
    /// The director index table of another keyed director (`CatalogDescription.directorIndexTable`).
    public static func directorIndex(of director: String) -> String { "director_index_\(director)" }
}
