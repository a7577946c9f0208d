#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The column files of one catalog version, opened on first use and kept mapped. A chunk whose
/// table has no column file, or a stale or damaged one, has none here (`file` returns nil and
/// says why): its queries read the SQLite file.
public final class ColumnStore: Sendable {
    public let chunksDirectory: String
    public let catalogVersion: String
    private enum Entry {
        case mapped(MappedColumnFile)
        case missing(String)
    }
    private let files = Mutex<[String: Entry]>([:])

    public init(chunksDirectory: String, catalogVersion: String) {
        self.chunksDirectory = chunksDirectory
        self.catalogVersion = catalogVersion
    }

    /// The mapped column file of `table` in chunk `chunkId`, or why there is none.
    public func file(chunkId: Int, table: String) -> Result<MappedColumnFile, ColumnFileError> {
        let key = "\(chunkId).\(table)"
        if let entry = files.withLock({ $0[key] }) {
            switch entry {
            case .mapped(let f): return .success(f)
            case .missing(let why): return .failure(ColumnFileError(path: key, why))
            }
        }
        let path = ColumnFileFormat.path(chunksDirectory: chunksDirectory, chunkId: chunkId, table: table)
        let chunkPath = chunksDirectory + "/chunk_\(chunkId).sqlite"
        var st = stat()
        let result: Result<MappedColumnFile, ColumnFileError>
        if stat(chunkPath, &st) != 0 {
            result = .failure(ColumnFileError(path: path, "no chunk file"))
        } else {
            let identity = ColumnFileIdentity(
                chunkId: chunkId, chunkFileSize: UInt64(st.st_size), catalogVersion: catalogVersion)
            do {
                result = .success(try MappedColumnFile(path: path, expected: identity))
            } catch let error as ColumnFileError {
                result = .failure(error)
            } catch {
                result = .failure(ColumnFileError(path: path, "\(error)"))
            }
        }
        files.withLock { f in
            switch result {
            case .success(let file): f[key] = .mapped(file)
            case .failure(let error): f[key] = .missing(error.message)
            }
        }
        return result
    }

    /// Unmaps the files no query holds (the next use maps them again).
    public func close() { files.withLock { $0.removeAll() } }
}
