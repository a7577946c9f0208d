import Catalog
import Foundation
import SQLiteKit
import Synchronization
import Tabular

/// The in-process worker: runs chunk statements on this host's SQLite chunk files.
///
/// Connections are opened read-only and immutable, with the replicated tables attached as
/// schema `replicated`, the geometry and scisql functions registered, and an authorizer that
/// allows reads of the catalog's tables only. A connection is used by one statement at a time
/// (checked out of the idle pool), so cancelling one query interrupts only its own statement;
/// idle connections are kept per chunk and reused with their prepared statements.
public final class LocalShardWorker: ShardWorker {
    public let version: CatalogVersion
    public let chunkIds: Set<Int>
    let pool: BlockingPool
    private let allowedTables: Set<String>
    private let idle = Mutex<[Int: [SQLiteConnection]]>([:])
    private let idleCount = Atomic<Int>(0)
    /// Idle connections kept at most; beyond this a returned connection is closed.
    public let maxIdleConnections: Int

    /// Counters of the statements and shared-scan passes this worker ran.
    public let stats = WorkerStats()
    /// Schedules the scan-lane chunk statements of concurrent queries in shared passes.
    public let sharedScans: SharedScanScheduler

    /// Further read-only databases attached to every connection, by schema name.
    public let attachments: [String: URL]

    public init(
        version: CatalogVersion, description: CatalogDescription, pool: BlockingPool,
        attachments: [String: URL] = [:], maxIdleConnections: Int = 512,
        concurrentPasses: Int? = nil, passStallLimit: Duration = .seconds(2)
    ) {
        self.version = version
        self.attachments = attachments
        self.chunkIds = Set(description.chunkRowCounts.keys)
        self.pool = pool
        self.maxIdleConnections = maxIdleConnections
        var tables = Set<String>()
        for table in description.tables {
            tables.insert(table.name)
            if table.directorSpec != nil { tables.insert(ShardTableNames.overlap(of: table.name)) }
        }
        self.allowedTables = tables
        self.sharedScans = SharedScanScheduler(
            chunkIds: chunkIds, pool: pool, concurrentPasses: concurrentPasses ?? pool.threadCount * 2,
            stallLimit: passStallLimit)
    }

    /// The most of each file a connection maps into memory (SQLite caps it at its own limit).
    package static let mmapBytes: Int64 = 1 << 40

    func checkout(_ chunkId: Int) throws -> SQLiteConnection {
        if let connection = idle.withLock({ $0[chunkId]?.popLast() }) {
            idleCount.subtract(1, ordering: .relaxed)
            return connection
        }
        return try openConnection(chunkId)
    }

    /// Closes the idle connections (and so unmaps their files); connections in use stay.
    public func closeIdleConnections() {
        let closed = idle.withLock { i -> Int in
            defer { i.removeAll() }
            return i.values.reduce(0) { $0 + $1.count }
        }
        idleCount.subtract(closed, ordering: .relaxed)
    }

    func checkin(_ connection: SQLiteConnection, chunkId: Int) {
        if idleCount.load(ordering: .relaxed) >= maxIdleConnections { return }
        idleCount.add(1, ordering: .relaxed)
        idle.withLock { $0[chunkId, default: []].append(connection) }
    }

    private func openConnection(_ chunkId: Int) throws -> SQLiteConnection {
        let path = version.chunkFile(chunkId).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw QueryError(.internal, "chunk \(chunkId) has no file on this worker", context: ["chunk": "\(chunkId)"])
        }
        let connection = try SQLiteConnection(path: path, mode: .readOnlyImmutable)
        if FileManager.default.fileExists(atPath: version.replicatedFile.path) {
            try connection.attach(path: version.replicatedFile.path, as: "replicated", readOnly: true)
        }
        for (schema, file) in attachments.sorted(by: { $0.key < $1.key }) {
            try connection.attach(path: file.path, as: schema, readOnly: true)
        }
        // The files are read-only and immutable: map them instead of copying every page read
        // through read(2) into a small per-connection cache (with 157-column rows a cone's
        // rows overflow that cache and were read again from the kernel on every query).
        var schemas = ["main"]
        if FileManager.default.fileExists(atPath: version.replicatedFile.path) { schemas.append("replicated") }
        schemas += attachments.keys.sorted()
        try connection.execute(
            schemas.map { "PRAGMA \(SQLiteConnection.quote($0)).mmap_size = \(Self.mmapBytes)" }.joined(separator: "; "))
        UserFunctions.register(on: connection)
        connection.restrictReads(to: allowedTables)
        return connection
    }

    public func run(
        _ task: ChunkTask, batchRows: Int,
        deliver: @Sendable (RowBatch) async throws -> Void
    ) async throws {
        let lane: BlockingPool.Lane = task.interactive ? .interactive : .scan
        let cursor = try await pool.run(lane: lane) { [self] in try openCursor(task) }
        defer { close(cursor, chunkId: task.chunkId) }
        try await withTaskCancellationHandler {
            var done = false
            while !done {
                try Task.checkCancellation()
                let (batch, finished) = try await pool.run(lane: lane) { try cursor.next(maxRows: batchRows) }
                done = finished
                if !batch.isEmpty { try await deliver(batch) }
            }
        } onCancel: {
            cursor.cancel()
        }
    }

    /// The statement of `task` prepared (from the connection's cache) and bound, on a
    /// connection to its chunk checked out of the idle pool. On a pool thread.
    func openCursor(_ task: ChunkTask, on given: SQLiteConnection? = nil) throws -> ChunkCursor {
        let connection = try given ?? checkout(task.chunkId)
        // A cancelled statement's request must not fail this one's preparation. No earlier
        // cursor can request again: they request only while stepping, and none steps now.
        connection.clearInterruptRequest()
        do {
            let statement = try connection.cachedStatement(task.sql)
            try statement.bind(task.boundParameters)
            return ChunkCursor(connection: connection, statement: statement, stats: stats)
        } catch {
            if given == nil { checkin(connection, chunkId: task.chunkId) }
            throw error
        }
    }

    public var sharesScans: Bool { true }

    public func runShared(
        _ tasks: [ChunkTask], batchRows: Int, stats: ExecutorStats?, lifetime: QueryLifetime, sink: BatchSink
    ) async throws {
        try await sharedScans.run(tasks, on: self, batchRows: batchRows, stats: stats, lifetime: lifetime, sink: sink)
    }

    public func run(_ task: ChunkTask, batchRows: Int, sink: BatchSink) async throws {
        switch sink {
        case .local(let local): try await runLocally(task, batchRows: batchRows, sink: local)
        case .consumer(let deliver): try await run(task, batchRows: batchRows, deliver: deliver)
        }
    }

    public func directStream(_ task: ChunkTask, batchRows: Int, stats: ExecutorStats) -> DirectChunkStream? {
        DirectChunkStream(worker: self, task: task, batchRows: batchRows, stats: stats)
    }

    /// Runs `task` to its end in one pool job, its batches into `sink` on that thread.
    func runLocally(_ task: ChunkTask, batchRows: Int, sink: @escaping @Sendable (RowBatch) throws -> Void) async throws {
        let lane: BlockingPool.Lane = task.interactive ? .interactive : .scan
        let current = Mutex<(cursor: ChunkCursor?, cancelled: Bool)>((nil, false))
        try await withTaskCancellationHandler {
            try await pool.run(lane: lane) { [self] in
                let cursor = try openCursor(task)
                defer { close(cursor, chunkId: task.chunkId) }
                if current.withLock({ c in
                    c.cursor = cursor; return c.cancelled
                }) {
                    cursor.cancel()
                }
                var done = false
                while !done {
                    let batch: RowBatch
                    (batch, done) = try cursor.next(maxRows: batchRows)
                    if !batch.isEmpty { try sink(batch) }
                }
            }
        } onCancel: {
            current.withLock { c in
                c.cancelled = true
                return c.cursor
            }?.cancel()
        }
    }

    /// Resets the cursor's statement and returns its connection to the idle pool.
    func close(_ cursor: ChunkCursor, chunkId: Int) {
        cursor.statement.reset()
        checkin(cursor.connection, chunkId: chunkId)
    }
}
