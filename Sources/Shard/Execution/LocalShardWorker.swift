import Catalog
import Foundation
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
    private let pool: BlockingPool
    private let allowedTables: Set<String>
    private let idle = Mutex<[Int: [SQLiteConnection]]>([:])
    private let idleCount = Atomic<Int>(0)
    /// Idle connections kept at most; beyond this a returned connection is closed.
    public let maxIdleConnections: Int

    /// Further read-only databases attached to every connection, by schema name.
    public let attachments: [String: URL]

    public init(
        version: CatalogVersion, description: CatalogDescription, pool: BlockingPool,
        attachments: [String: URL] = [:], maxIdleConnections: Int = 512
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
    }

    private func checkout(_ chunkId: Int) throws -> SQLiteConnection {
        if let connection = idle.withLock({ $0[chunkId]?.popLast() }) {
            idleCount.subtract(1, ordering: .relaxed)
            return connection
        }
        return try openConnection(chunkId)
    }

    private func checkin(_ connection: SQLiteConnection, chunkId: Int) {
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
        UserFunctions.register(on: connection)
        connection.restrictReads(to: allowedTables)
        return connection
    }

    public func run(
        _ task: ChunkTask, batchRows: Int,
        deliver: @Sendable (RowBatch) async throws -> Void
    ) async throws {
        let lane: BlockingPool.Lane = task.interactive ? .interactive : .scan
        let chunkId = task.chunkId
        let cancelled = CancelFlag()
        let cursor = try await pool.run(lane: lane) { [self] () throws -> ChunkCursor in
            let connection = try checkout(chunkId)
            do {
                let statement = try connection.cachedStatement(task.sql)
                try statement.bind(task.parameters)
                return ChunkCursor(connection: connection, statement: statement)
            } catch {
                checkin(connection, chunkId: chunkId)
                throw error
            }
        }
        defer {
            cursor.statement.reset()
            checkin(cursor.connection, chunkId: chunkId)
        }
        try await withTaskCancellationHandler {
            var done = false
            while !done {
                try Task.checkCancellation()
                let (batch, finished) = try await pool.run(lane: lane) { () throws -> (RowBatch, Bool) in
                    try cursor.next(maxRows: batchRows, cancelled: cancelled)
                }
                done = finished
                if !batch.isEmpty { try await deliver(batch) }
            }
        } onCancel: {
            cancelled.set()
            cursor.connection.interrupt()
        }
    }
}

/// A statement in progress on a checked-out connection. Used by one pool thread at a time.
final class ChunkCursor: @unchecked Sendable {
    let connection: SQLiteConnection
    let statement: SQLiteStatement

    init(connection: SQLiteConnection, statement: SQLiteStatement) {
        self.connection = connection
        self.statement = statement
    }

    /// Steps up to `maxRows` rows; returns them and whether the statement is finished.
    func next(maxRows: Int, cancelled: CancelFlag) throws -> (RowBatch, Bool) {
        let columns = statement.columnCount
        var batch = RowBatch(columnCount: columns, reservingRows: min(maxRows, 256))
        var rows = 0
        do {
            while rows < maxRows {
                if cancelled.isSet { throw CancellationError() }
                guard try statement.step() else { return (batch, true) }
                statement.appendRow(to: &batch)
                rows += 1
            }
        } catch let error as SQLiteError where error.isInterrupt {
            throw CancellationError()
        }
        return (batch, false)
    }
}

final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
