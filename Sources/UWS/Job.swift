import Tabular

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The phases of a UWS 1.1 job.
public enum ExecutionPhase: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING"
    case queued = "QUEUED"
    case executing = "EXECUTING"
    case completed = "COMPLETED"
    case error = "ERROR"
    case aborted = "ABORTED"
    case unknown = "UNKNOWN"
    case held = "HELD"
    case suspended = "SUSPENDED"
    case archived = "ARCHIVED"

    /// Whether the job may still change phase by itself (a `WAIT` blocks only then).
    public var isActive: Bool { self == .queued || self == .executing }

    /// Whether the job has ended: it will not run (again).
    public var isFinal: Bool { self == .completed || self == .error || self == .aborted || self == .archived }
}

/// One parameter of a job, as the client sent it. Names compare case-insensitively (DALI);
/// they are kept in lower case.
public struct JobParameter: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = value
    }
}

/// A file a client sent with a job (TAP: an uploaded table), kept in the job's folder until
/// the job is destroyed or deleted (`JobStore.storeUploads`).
public struct JobUpload: Sendable, Hashable {
    /// The file's name in the job's uploads folder: a plain name, no path.
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// A result of a job: a file in the job's folder.
public struct JobResult: Codable, Sendable, Hashable {
    /// The result's UWS id (`result` for TAP's one table).
    public var id: String
    /// The file's name in the job's folder.
    public var fileName: String
    public var mediaType: String
    public var size: Int64
    /// Rows written, and whether MAXREC cut the result.
    public var rows: Int
    public var overflow: Bool

    public init(id: String, fileName: String, mediaType: String, size: Int64, rows: Int, overflow: Bool) {
        self.id = id
        self.fileName = fileName
        self.mediaType = mediaType
        self.size = size
        self.rows = rows
        self.overflow = overflow
    }
}

/// Why a job ended in ERROR.
public struct JobErrorSummary: Codable, Sendable, Hashable {
    /// UWS: `fatal` (the job cannot succeed as it is) or `transient` (it may, later).
    public enum Kind: String, Codable, Sendable { case fatal, transient }
    public var kind: Kind
    public var message: String
}

/// A UWS job as it is stored and shown: its parameters, phase, times, results and error.
public struct Job: Codable, Sendable, Hashable {
    public var id: String
    public var runID: String?
    /// The user the job belongs to; nil for an anonymous caller.
    public var owner: String?
    public var phase: ExecutionPhase
    public var creationTime: Date
    public var startTime: Date?
    public var endTime: Date?
    /// Seconds the job may run; 0 means no limit.
    public var executionDuration: Int
    /// When the job and its results are removed.
    public var destruction: Date
    /// When the service expects to have finished the job, if it says.
    public var quote: Date?
    public var parameters: [JobParameter]
    public var results: [JobResult]
    public var error: JobErrorSummary?
    /// Chunks done / total when the job last ran (live while it runs: `JobManager`).
    public var progress: QueryProgress?

    /// The value of a parameter, by a case-insensitive name.
    public func parameter(_ name: String) -> String? {
        let lower = name.lowercased()
        return parameters.last { $0.name == lower }?.value
    }

    /// Sets (or, with nil, removes) a parameter.
    public mutating func setParameter(_ name: String, _ value: String?) {
        let lower = name.lowercased()
        parameters.removeAll { $0.name == lower }
        if let value { parameters.append(JobParameter(name: lower, value: value)) }
    }
}
