import Synchronization
import Tabular

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What runs a job's query: the TAP service's adapter to the query engine.
public protocol JobRunner: Sendable {
    /// Runs `job`'s query and writes its whole result to `file`; returns what was written.
    /// Throws for a job that fails: a `QueryError`'s message becomes the job's error. The
    /// calling task is cancelled when the job is aborted or destroyed, and `timeLimit` (the
    /// job's execution duration) bounds the query. The query's progress is reported to
    /// `progress` while it runs.
    func run(_ job: Job, writingTo file: URL, timeLimit: Duration?, progress: JobProgress) async throws -> JobOutput
}

/// A job's result as the runner wrote it.
public struct JobOutput: Sendable {
    public var mediaType: String
    /// The result file's extension (`vot`, `csv`, …).
    public var fileExtension: String
    public var rows: Int
    public var overflow: Bool

    public init(mediaType: String, fileExtension: String, rows: Int, overflow: Bool) {
        (self.mediaType, self.fileExtension) = (mediaType, fileExtension)
        (self.rows, self.overflow) = (rows, overflow)
    }
}

/// Where a running job's progress is read: the runner hands over the running query's
/// progress once the query has started.
public final class JobProgress: Sendable {
    private let source = Mutex<(@Sendable () -> QueryProgress)?>(nil)

    public init() {}

    /// From now on the job's progress is what `provider` says.
    public func follow(_ provider: @escaping @Sendable () -> QueryProgress) {
        source.withLock { $0 = provider }
    }

    public var current: QueryProgress? { source.withLock { $0 }?() }
}
