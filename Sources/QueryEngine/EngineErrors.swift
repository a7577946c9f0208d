import ADQL
import SQLiteKit
import Tabular

extension QueryError {
    /// An error from the layers below as the `QueryError` the engine reports. Every error the
    /// engine throws, or ends a result's rows with, passes through here: callers of the engine
    /// see `QueryError`s only.
    ///
    /// - An ADQL syntax error keeps its line and column.
    /// - SQLite errors naming what SQLite cannot resolve in the coordinator's finishing statement,
    ///   which is rendered from the user's query, are the user's to fix; other SQLite errors are
    ///   faults of the service.
    init(engineFailure error: any Error) {
        switch error {
        case let error as QueryError:
            self = error
        case let error as ADQLError:
            let positioned = error.code == .syntax || error.range != .synthesized
            self.init(
                error.code == .syntax ? .syntax : .semantic, error.description,
                line: positioned ? error.line : nil, column: positioned ? error.column : nil, cause: error)
        case let error as SQLiteError:
            let m = error.message
            if m.hasPrefix("no such column") || m.hasPrefix("ambiguous column") || m.hasPrefix("no such table")
                || m.contains("misuse of aggregate") || m.contains("SELECTs to the left and right")
            {
                self.init(.semantic, m.replacingOccurrences(of: "no such", with: "unknown"), cause: error)
            } else {
                self.init(.internal, "a statement failed: \(m)", context: ["sql": error.sql ?? ""], cause: error)
            }
        case is CancellationError:
            self.init(.cancelled, "the query was cancelled")
        default:
            self.init(.internal, "the query failed: \(error)", cause: error)
        }
    }
}
