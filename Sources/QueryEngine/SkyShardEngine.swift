import ADQL
import Catalog
import Foundation
import Planner
import SQLiteKit
import ScatterGather
import Sky
import Synchronization
import Tabular

/// The query engine of one catalog version: ADQL text in, a streamed result out.
///
/// parse → bind → plan (rewrite passes, chunk pruning) → scatter-gather over the shard
/// workers → merge. Everything here is Sendable and shared by all concurrent queries.
public final class SkyShardEngine: Sendable {
    public let version: CatalogVersion
    public let catalog: CatalogDescription
    public let planner: QueryPlanner
    public let executor: ScatterGatherExecutor
    let coordinator: Coordinator
    public let pool: BlockingPool
    /// The time limit of a query, unless the caller gives another.
    public let defaultTimeout: Duration?
    /// Queries one user may run at once.
    public let userLimiter: UserQueryLimiter
    /// The worker over this host's chunk files.
    let localWorker: LocalShardWorker

    /// The default of `statementCacheSize`.
    public static let defaultStatementCacheSize = SQLiteConnection.defaultStatementCacheLimit

    /// `statementCacheSize`: prepared statements each chunk connection keeps (least recently
    /// used evicted; 0 keeps none), see `LocalShardWorker.statementCacheLimit`.
    public init(
        version: CatalogVersion, threads: Int? = nil, defaultTimeout: Duration? = .seconds(600),
        queriesPerUser: Int = 8, statementCacheSize: Int = SQLiteConnection.defaultStatementCacheLimit
    ) throws {
        self.userLimiter = UserQueryLimiter(limit: queriesPerUser)
        self.version = version
        var catalog = try version.loadDescription()
        // TAP_SCHEMA describes the catalog and is queried like its tables.
        let tapSchemaFile = try TapSchemaDatabase.ensure(version: version, catalog: catalog)
        catalog.tables.removeAll { $0.schema == TapSchema.schemaName }
        catalog.tables += TapSchema.tables
        if !catalog.schemas.contains(where: { $0.name == TapSchema.schemaName }) {
            catalog.schemas.append(SchemaInfo(name: TapSchema.schemaName, description: "TAP_SCHEMA 1.1"))
        }
        self.catalog = catalog
        let pool = BlockingPool(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.pool = pool
        let index: (any DirectorIndex)? =
            FileManager.default.fileExists(atPath: version.directorIndexFile.path)
            ? try SQLiteDirectorIndex(file: version.directorIndexFile, catalog: catalog) : nil
        self.planner = QueryPlanner(catalog: catalog, directorIndex: index)
        let worker = LocalShardWorker(
            version: version, description: catalog, pool: pool,
            attachments: ["tap_schema": tapSchemaFile], statementCacheLimit: statementCacheSize)
        self.localWorker = worker
        let executor = ScatterGatherExecutor(workers: [worker], pool: pool)
        self.executor = executor
        self.coordinator = Coordinator(
            executor: executor, pool: pool, catalog: catalog,
            attachments: [("replicated", version.replicatedFile), ("tap_schema", tapSchemaFile)])
        self.defaultTimeout = defaultTimeout
    }

    /// The chunks whose file is missing or not a database (`LocalShardWorker.unreadableChunks`):
    /// queries touching them fail naming the chunk; the service reports itself degraded.
    public func unreadableChunks() -> [Int] { localWorker.unreadableChunks() }

    /// Opens the version that `current` points to under `dataRoot`.
    public convenience init(
        dataRoot: URL, threads: Int? = nil, defaultTimeout: Duration? = .seconds(600), queriesPerUser: Int = 8,
        statementCacheSize: Int = SQLiteConnection.defaultStatementCacheLimit
    ) throws {
        guard let version = DataLayout(root: dataRoot).currentVersion() else {
            throw QueryError(.unavailable, "no catalog has been ingested under \(dataRoot.path)")
        }
        try self.init(
            version: version, threads: threads, defaultTimeout: defaultTimeout, queriesPerUser: queriesPerUser,
            statementCacheSize: statementCacheSize)
    }

    /// Parses ADQL, turning syntax errors into `QueryError`s that name line and column.
    public static func parse(_ adql: String) throws(QueryError) -> Query {
        do {
            return try ADQLParser.parse(adql)
        } catch {
            throw QueryError(engineFailure: error)
        }
    }

    /// The plan of a query. `rowLimit` caps the rows the query may return (TAP's MAXREC + 1):
    /// it becomes the query's TOP when that is smaller. `uploads` are the query's
    /// `TAP_UPLOAD` tables (see `start`).
    public func plan(_ adql: String, rowLimit: Int? = nil, uploads: [UploadedTable] = []) throws -> QueryPlan {
        var query = try Self.parse(adql)
        if let rowLimit, case .select(var select) = query.body {
            if select.top.map({ $0 > rowLimit }) ?? true {
                select.top = rowLimit
                query.body = .select(select)
            }
        }
        return try planner.addingUploads(uploads).plan(query)
    }

    /// Starts a query. Errors in the query text are thrown here, before any row; errors while
    /// running end the result's row sequence. Both are `QueryError`s.
    /// With a `user`, the query counts against that user's limit of concurrent queries until
    /// its rows end or it is cancelled.
    public func execute(
        _ adql: String, rowLimit: Int? = nil, timeout: Duration? = nil, user: String? = nil,
        uploads: [UploadedTable] = []
    ) async throws -> QueryResult {
        try await start(adql, rowLimit: rowLimit, timeout: timeout, user: user, uploads: uploads).result
    }

    /// A query that has started: its rows, and the lifetime that owns it (its phase, its
    /// progress in chunks, and `stop` for an abort).
    public struct RunningQuery: Sendable {
        public let result: QueryResult
        public let lifetime: QueryLifetime
    }

    /// Starts a query as `execute` does, and returns its lifetime with its rows.
    ///
    /// `uploads` are the tables the client uploaded with the query, readable as
    /// `TAP_UPLOAD.<name>` and joinable with any table; they live as long as the query and are
    /// never part of TAP_SCHEMA. A name that is not valid is an error of the query (`semantic`).
    public func start(
        _ adql: String, rowLimit: Int? = nil, timeout: Duration? = nil, user: String? = nil,
        uploads: [UploadedTable] = []
    ) async throws -> RunningQuery {
        let lifetime = QueryLifetime(timeLimit: timeout ?? defaultTimeout)
        do {
            if let user { try lifetime.admit(user: user, to: userLimiter) }
            let result: QueryResult
            switch try plan(adql, rowLimit: rowLimit, uploads: uploads) {
            case .distributed(let plan):
                result = executor.execute(plan, lifetime: lifetime)
            case .coordinated(let plan):
                result = try await coordinator.execute(plan, rowLimit: rowLimit, lifetime: lifetime)
            }
            return RunningQuery(result: lifetime.owning(result), lifetime: lifetime)
        } catch {
            let reported = QueryError(engineFailure: lifetime.reported(error))
            lifetime.stop(reported)
            throw reported
        }
    }
}

/// The director indexes in `director_index.sqlite`, read-only: one table per keyed director
/// (`CatalogDescription.directorIndexTable`). Their lookups are prepared once and reused under
/// the lock (planning a key lookup runs one per plan).
///
/// `@unchecked Sendable`: the connection and statements are only used with `lock` held.
final class SQLiteDirectorIndex: DirectorIndex, @unchecked Sendable {
    private let connection: SQLiteConnection
    private let lock = NSLock()
    /// Per director: (key → chunk, key range → chunks).
    private let statements: [String: (chunkOfKey: SQLiteStatement, chunksOfKeyRange: SQLiteStatement)]

    init(file: URL, catalog: CatalogDescription) throws {
        connection = try SQLiteConnection(path: file.path, mode: .readOnlyImmutable)
        var statements: [String: (chunkOfKey: SQLiteStatement, chunksOfKeyRange: SQLiteStatement)] = [:]
        for director in catalog.directorTables {
            guard let keyColumn = director.directorSpec?.keyColumn else { continue }
            let table = SQLiteConnection.quote(catalog.directorIndexTable(of: director.name))
            let key = SQLiteConnection.quote(keyColumn)
            statements[director.name] = (
                try connection.prepare("SELECT chunkId FROM \(table) WHERE \(key) = ?"),
                try connection.prepare("SELECT DISTINCT chunkId FROM \(table) WHERE \(key) BETWEEN ? AND ?")
            )
        }
        self.statements = statements
    }

    private func lookups(of director: String) throws -> (chunkOfKey: SQLiteStatement, chunksOfKeyRange: SQLiteStatement) {
        guard let found = statements[director] else {
            throw QueryError(.internal, "the catalog has no director index of \(director)")
        }
        return found
    }

    func chunks(forKeys keys: [Int64], of director: String) throws -> Set<Int> {
        let statement = try lookups(of: director).chunkOfKey
        lock.lock()
        defer { lock.unlock() }
        var result = Set<Int>()
        func lookup(_ k: Int64) throws {
            statement.reset()
            statement.bindInt64(k, at: 1)
            if try statement.step(), case .integer(let chunk) = statement.value(at: 0) { result.insert(Int(chunk)) }
        }
        // One key (the usual `objectId = n`) needs no de-duplication.
        if keys.count == 1 {
            try lookup(keys[0])
        } else {
            for k in Set(keys) { try lookup(k) }
        }
        statement.reset()
        return result
    }

    func chunks(forKeysBetween low: Int64, and high: Int64, of director: String) throws -> Set<Int> {
        let statement = try lookups(of: director).chunksOfKeyRange
        lock.lock()
        defer { lock.unlock() }
        statement.reset()
        statement.bindInt64(low, at: 1)
        statement.bindInt64(high, at: 2)
        var result = Set<Int>()
        while try statement.step() {
            if case .integer(let chunk) = statement.value(at: 0) { result.insert(Int(chunk)) }
        }
        statement.reset()
        return result
    }
}
