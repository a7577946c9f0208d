import Foundation
import SQLiteKit
import Tabular

extension QueryError {
    /// The error of a chunk statement that failed in SQLite, naming the chunk.
    ///
    /// A chunk file that is missing, cannot be opened, is not a database or is corrupt is a
    /// fault of that chunk, not of the query: `unavailable` (HTTP 503), with a message that
    /// names the chunk, so that the user and the operator see which part of the catalog is
    /// broken. The query fails whole: a result silently missing the chunk's rows would be wrong.
    /// Any other SQLite failure is the service's (`internal`).
    public static func chunkFailure(_ chunkId: Int, sql: String, _ error: SQLiteError) -> QueryError {
        let context = ["chunk": "\(chunkId)", "sql": sql]
        if error.isUnreadableFile {
            return QueryError(
                .unavailable,
                "chunk \(chunkId) cannot be read (\(error.message)); the catalog is degraded: "
                    + "queries that touch this chunk fail, others are answered",
                context: context, cause: error)
        }
        return QueryError(.internal, "chunk \(chunkId) failed: \(error.message)", context: context, cause: error)
    }

    /// A chunk whose file is missing on the worker that should serve it.
    static func missingChunk(_ chunkId: Int) -> QueryError {
        QueryError(
            .unavailable,
            "chunk \(chunkId) cannot be read (its file is missing); the catalog is degraded: "
                + "queries that touch this chunk fail, others are answered",
            context: ["chunk": "\(chunkId)"])
    }
}

extension LocalShardWorker {
    /// The chunks whose file is missing or does not start with SQLite's header, for the
    /// service's availability report. Reads 16 bytes per chunk.
    public func unreadableChunks() -> [Int] {
        let header = Array("SQLite format 3\0".utf8)
        return chunkIds.sorted().filter { chunkId in
            guard let handle = FileHandle(forReadingAtPath: version.chunkFile(chunkId).path) else { return true }
            defer { try? handle.close() }
            let start = (try? handle.read(upToCount: header.count)) ?? nil
            return start.map(Array.init) != header
        }
    }
}
