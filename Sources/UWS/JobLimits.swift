/// The job service's limits, each with the default a small service runs with.
public struct JobLimits: Sendable {
    /// Jobs executing at once; more wait in the queue as QUEUED.
    public var maxExecuting = 2
    /// Jobs waiting in the queue at once; a RUN beyond it is refused.
    public var maxQueued = 100
    /// Execution duration of a new job, and the most a client may ask for, in seconds.
    public var defaultExecutionDuration = 3600
    public var maxExecutionDuration = 4 * 3600
    /// How long a job and its results are kept after creation by default, and at most.
    public var defaultRetention: Duration = .seconds(7 * 24 * 3600)
    public var maxRetention: Duration = .seconds(30 * 24 * 3600)
    /// The longest a `WAIT` blocks, whatever the client asks.
    public var maxWait: Duration = .seconds(60)
    /// Unfinished jobs (PENDING, QUEUED, EXECUTING, HELD) one owner may have; creating
    /// another is refused (`quotaExceeded`). Anonymous callers count as one owner.
    public var maxJobsPerUser = 50
    /// Result bytes one owner's jobs may keep on disk; while they hold more, creating or
    /// running a job of that owner is refused (`quotaExceeded`) until results are deleted
    /// or expire.
    public var maxResultBytesPerUser: Int64 = 10 << 30
    /// Jobs one owner may have in memory and on disk, finished ones included: creating one
    /// more destroys that owner's oldest finished jobs (before their destruction time) to make
    /// room. Without it a client that creates and forgets jobs grows the job table until the
    /// retention period ends.
    public var maxKeptJobsPerUser = 1000
    /// How often jobs past their destruction time are removed.
    public var sweepInterval: Duration = .seconds(10)

    public init() {}
}
